"""`anonymise_personal_data`: the files of people who withdrew, were turned down or moved away
more than PERSONAL_DATA_RETENTION_YEARS ago lose their personal data (history rows too); the dry
run changes nothing; files in procedure are never touched; the statistics keep their counts."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.test import override_settings

from candidates import services
from candidates.choices import Stage
from candidates.models import Candidate, StageEvent
from reports.quarterly import Quarter, build_report
from sonla_party.models import FileView
from tests.candidates.pipeline import cell_for, new_candidate, step_to

D = datetime.date
AS_OF = "2030-06-01"  # five years back: 01/06/2025
pytestmark = pytest.mark.django_db


def run(*args) -> tuple[list[int], str]:
    out = io.StringIO()
    call_command("anonymise_personal_data", "--as-of", AS_OF, *args, stdout=out)
    text = out.getvalue()
    return sorted(int(n) for n in re.findall(r"^candidate (\d+)\t", text, re.M)), text


@pytest.fixture
def files(board_user, province):
    """Three files ended long ago (withdrawn, moved away, rejected), one ended recently, one in procedure."""
    where = province.home_establishment
    withdrawn = new_candidate(board_user, where, full_name="Lò Thị Hoa", religion="buddhism", phone="0912345678")
    services.withdraw_candidate(
        candidate=withdrawn, withdrawn_on=D(2024, 3, 1), note="Đi làm ở Bình Dương", by=board_user
    )
    moved = new_candidate(board_user, where, full_name="Quàng Văn Pọm", notes="Con ông Quàng Văn Ún")
    services.record_moved_away(candidate=moved, moved_on=D(2024, 2, 12), note="Chuyển vào Đắk Lắk", by=board_user)
    rejected = new_candidate(board_user, where, full_name="Cầm Thị Ơn")
    step_to(rejected, Stage.TRAINED, board_user)
    step_to(rejected, Stage.DOSSIER, board_user, members=cell_for(rejected)[1])
    services.reject_candidate(candidate=rejected, rejected_on=D(2024, 1, 15), note="Chưa đủ tiêu chuẩn", by=board_user)
    recent = new_candidate(board_user, where, full_name="Lường Văn Mới")
    services.withdraw_candidate(candidate=recent, withdrawn_on=D(2025, 9, 1), note="Gia đình khó khăn", by=board_user)
    in_procedure = new_candidate(board_user, where, full_name="Tòng Văn Đang")
    step_to(in_procedure, Stage.TRAINED, board_user)
    FileView.record_view(user=board_user, obj=withdrawn)
    return {"old": [withdrawn, moved, rejected], "recent": recent, "in_procedure": in_procedure}


def snapshot() -> list:
    history = Candidate.history.model.objects
    return [
        list(Candidate.objects.order_by("pk").values()),
        list(history.order_by("history_id").values()),
        list(StageEvent.objects.order_by("pk").values()),
        list(StageEvent.history.model.objects.order_by("history_id").values()),
    ]


def statistics(user) -> list:
    figures = []
    for quarter in (Quarter(2024, 1), Quarter(2025, 3)):
        report = build_report(user, quarter)
        figures.append([(r.figures, r.previous, r.year_before) for r in report.rows])
        figures.append(report.province.figures if report.province else None)
    people = Candidate.objects.annotate(born=ExtractYear("birth_date"))
    figures.append(list(people.values("stage", "establishment", "gender", "born").annotate(n=Count("pk")).order_by()))
    return figures


def test_the_dry_run_lists_the_old_files_and_changes_nothing(files):
    before = snapshot()
    listed, text = run("--dry-run")
    assert listed == sorted(c.pk for c in files["old"])
    assert "would be anonymised" in text
    assert "Lò Thị Hoa" not in text  # the listing does not spread what it is about to erase
    assert snapshot() == before


def test_the_real_run_anonymises_exactly_the_listed_files(files, board_user, board_client):
    counts_before = statistics(board_user)
    list_before = board_client.get("/candidates/", {"stage": Stage.WITHDRAWN}).context["table"].paginator.count
    listed, _dry = run("--dry-run")
    done, _text = run()
    assert done == listed
    anonymised = set(Candidate.objects.filter(anonymised_on__isnull=False).values_list("pk", flat=True))
    assert anonymised == set(listed)
    old = Candidate.objects.get(pk=files["old"][0].pk)
    assert old.full_name != "Lò Thị Hoa" and old.citizen_id is None and old.phone == "" and old.religion == ""
    assert old.birth_date == D(files["old"][0].birth_date.year, 1, 1)
    assert old.anonymised_on == D(2030, 6, 1) and old.stage == Stage.WITHDRAWN
    names = set(Candidate.history.model.objects.filter(id__in=listed).values_list("full_name", flat=True))
    assert not names & {"Lò Thị Hoa", "Quàng Văn Pọm", "Cầm Thị Ơn"}
    assert not Candidate.history.model.objects.filter(id__in=listed).exclude(citizen_id=None).exists()
    assert set(StageEvent.objects.filter(candidate__in=listed).values_list("note", flat=True)) == {""}
    assert not StageEvent.history.model.objects.filter(candidate_id__in=listed).exclude(note="").exists()
    assert FileView.objects.of(old).count() == 1  # who opened the file stays: it holds no personal data
    assert statistics(board_user) == counts_before
    assert board_client.get("/candidates/", {"stage": Stage.WITHDRAWN}).context["table"].paginator.count == list_before


def test_a_file_in_procedure_or_ended_recently_is_never_touched(files):
    kept = [files["recent"], files["in_procedure"]]
    before = [list(Candidate.history.model.objects.filter(id=c.pk).values()) for c in kept]
    run()
    for candidate, history in zip(kept, before, strict=True):
        stored = Candidate.objects.get(pk=candidate.pk)
        assert stored.full_name == candidate.full_name and stored.anonymised_on is None
        assert list(Candidate.history.model.objects.filter(id=candidate.pk).values()) == history


def test_a_second_run_changes_nothing(files):
    run()
    before = snapshot()
    listed, text = run()
    assert listed == [] and "0 file(s) anonymised" in text
    assert snapshot() == before


@override_settings(PERSONAL_DATA_RETENTION_YEARS=10)
def test_the_period_is_a_setting(files):
    assert run("--dry-run")[0] == []
