"""The dashboard opens on "my work": what falls due this week in the user's scope and what is
overdue, counted by the work queue's own tabs and linking to them."""

import datetime

import pytest
from django.utils import timezone

from candidates.models import Candidate
from tests.candidates.pipeline import new_candidate

pytestmark = pytest.mark.django_db


def due(by, establishment, name, days):
    candidate = new_candidate(by, establishment, citizen_id=None, full_name=name)
    Candidate.objects.filter(pk=candidate.pk).update(
        next_due_on=timezone.localdate() + datetime.timedelta(days=days), next_due_kind="decision"
    )
    return candidate


@pytest.fixture
def files(board_user, province):
    return {
        "home_overdue": due(board_user, province.home_establishment, "Lò Văn Quá", -2),
        "home_week": due(board_user, province.home_establishment, "Lò Văn Tuần", 3),
        "home_month": due(board_user, province.home_establishment, "Lò Văn Tháng", 20),
        "other_overdue": due(board_user, province.other_establishment, "Sùng A Khác", -5),
        "other_week": due(board_user, province.other_establishment, "Sùng A Xa", 1),
    }


def test_a_reviewer_sees_their_own_scope_first_with_the_queue_counts(reviewer_client, files):
    page = reviewer_client.get("/")
    work = page.context["my_work"]
    assert (work["overdue"], work["week"]) == (1, 1)
    assert [c.full_name for c in work["files"]] == ["Lò Văn Quá", "Lò Văn Tuần"]
    content = page.content.decode()
    assert content.index('data-testid="my-work"') < content.index('data-testid="dashboard-table"')
    assert "Sùng A" not in content
    # the counts are the queue's own: following the link shows as many rows
    for window, count in (("overdue", "overdue"), ("7", "week")):
        assert f"window={window}" in work[f"{count}_url"]
        queue = reviewer_client.get(work[f"{count}_url"])
        assert len(queue.context["table"].rows) == work[count] == queue.context["counts"][count]


def test_commune_staff_see_their_commune_only(commune_client, files):
    work = commune_client.get("/").context["my_work"]
    assert (work["overdue"], work["week"]) == (1, 1)


def test_the_board_keeps_its_dashboard_with_the_block_below(board_client, files):
    page = board_client.get("/")
    work = page.context["my_work"]
    assert (work["overdue"], work["week"]) == (2, 2)
    content = page.content.decode()
    assert content.index('data-testid="dashboard-table"') < content.index('data-testid="my-work"')
