"""The default demo data tells the published story, and every dashboard figure matches its list."""

import datetime

import pytest
from django.utils import timezone

from demo import loader as demo
from sonla_party.models import User
from tests.helpers import csv_rows

D = datetime.date


def figures(client, as_of):
    response = client.get(f"/?as_of={as_of}")
    return response.context["total"]


@pytest.mark.parametrize(
    ("as_of", "total", "without_members", "without_cell"),
    [
        ("2006-01-01", 3181, 86, 995),
        ("2006-12-31", 3181, 25, 631),
        ("2015-12-31", 3181, 0, 96),
        ("2020-12-31", 3181, 0, 0),
    ],
)
def test_dashboard_tells_the_published_figures(board, as_of, total, without_members, without_cell):
    row = figures(board, as_of)
    counts = {key: row.counts[key] for key in ("total", "without_members", "without_cell")}
    assert counts == {"total": total, "without_members": without_members, "without_cell": without_cell}


def test_the_96_without_a_cell_at_end_2015_are_86_villages_and_10_schools(board):
    rows = csv_rows(board.get("/establishments/?has_party_cell=false&as_of=2015-12-31&_export=csv"))
    kinds = [row[rows[0].index("Loại")] for row in rows[1:]]
    assert kinds.count("Bản") == 86 and kinds.count("Trường học") == 10 and len(kinds) == 96


def assert_figure_matches_list(client, expected: int, url: str) -> None:
    page = client.get(url)
    assert page.context["table"].paginator.count == expected, url
    assert len(csv_rows(client.get(url + "&_export=csv"))) == expected + 1, url


@pytest.mark.parametrize("as_of", ["2006-01-01", "2010-06-30", "2015-12-31"])
def test_province_figures_equal_the_rows_of_their_list_and_export(board, as_of):
    total = board.get(f"/?as_of={as_of}").context["total"]
    assert_figure_matches_list(board, total.counts["total"], total.total_url)
    assert_figure_matches_list(board, total.counts["without_members"], total.without_members_url)
    assert_figure_matches_list(board, total.counts["without_cell"], total.without_cell_url)


def test_every_district_figure_equals_the_rows_of_its_list(board):
    for row in board.get("/?as_of=2006-01-01").context["rows"]:
        assert_figure_matches_list(board, row.counts["without_members"], row.without_members_url)
        assert_figure_matches_list(board, row.counts["without_cell"], row.without_cell_url)


def test_demo_accounts_and_idempotence(demo_data, db):
    before = User.objects.count()
    assert demo.has_domain_data()
    demo.ensure_accounts()
    assert User.objects.count() == before
    assert User.objects.filter(username__startswith="reviewer-").count() == 12
    assert User.objects.get(username="reviewer-123").unit.name == "Mộc Châu"
    assert User.objects.get(username="board").check_password("demo-password")


@pytest.mark.parametrize("as_of", ["2006-06-30", "2010-12-31", "2015-12-31", "2026-01-01"])
def test_blank_without_a_cadre_equals_its_list_and_export(board, as_of):
    response = board.get(f"/?as_of={as_of}")
    total = response.context["total"]
    assert_figure_matches_list(board, total.counts["blank_without_cadre"], total.blank_without_cadre_url)
    assert 0 < total.counts["blank_without_cadre"] < total.counts["without_cell"] or as_of == "2026-01-01"
    for row in response.context["rows"][:4]:
        assert_figure_matches_list(board, row.counts["blank_without_cadre"], row.blank_without_cadre_url)


def test_border_communes_have_a_border_guard_deputy_secretary(board):
    """Every border commune has its guard while it exists: the old ones on their last day, the
    new ones today."""
    from establishments.models import Assignment, Commune

    today = timezone.localdate()
    for day in (datetime.date(2025, 6, 30), today):
        border = Commune.objects.filter(is_border=True).valid_on(day)
        assert border.exists()
        for commune in border:
            assert (
                Assignment.objects.active_on(day)
                .filter(commune=commune, cadre__force="border_guard", role="deputy_secretary")
                .exists()
            ), (commune, day)


def test_the_dashboard_chart_tells_the_same_story(board):
    chart = board.get("/dashboard/chart/?as_of=2020-12-31").json()
    points = dict(zip(chart["labels"], zip(chart["without_members"], chart["without_cell"], strict=True), strict=True))
    assert points["01/01/2006"] == (86, 995)
    assert points["31/12/2006"] == (25, 631)
    assert points["31/12/2015"] == (0, 96)
    assert points["31/12/2020"] == (0, 0)
    assert set(chart["series"]) == {"without_members", "without_cell"}


def test_the_report_charts_cover_eight_quarters(board):
    admissions = board.get("/reports/quarterly/charts/?year=2024&quarter=4&chart=admissions").json()
    assert admissions["labels"] == ["1/2023", "2/2023", "3/2023", "4/2023", "1/2024", "2/2024", "3/2024", "4/2024"]
    assert len(admissions["series"]) == 12 and sum(sum(admissions[pk]) for pk in admissions["series"]) > 0
    blank = board.get("/reports/quarterly/charts/?year=2024&quarter=4&chart=blank").json()
    assert len(blank["without_cell"]) == 8
