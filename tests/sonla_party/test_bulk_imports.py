"""Imports validate and save in bulk: the queries do not grow with the rows, a bad row anywhere
saves nothing, every saved record has its history, and XLSX cells read as openpyxl reads them."""

import datetime
import io
import os
import sys
import threading
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from candidates.models import Candidate, SourceListEntry, StageEvent
from candidates.services import pipeline
from establishments.models import PartyMember
from sonla_party import bulk, imports, xlsx_read
from sonla_party.models import FileView
from tests.factories import CandidateFactory, PartyMemberFactory
from tests.sonla_party.test_imports import HEADER, as_csv, as_xlsx, candidate_rows, citizen_id

pytestmark = pytest.mark.django_db
D = datetime.date
MEMBER_HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số định danh cá nhân",
    "Mã xã",
    "Mã cơ sở",
    "Ngày kết nạp",
    "Ngày chính thức",
]


def member_rows(establishment, count: int) -> list[list]:
    return [
        [
            f"Cầm Văn Ơn {n}",
            "10/02/1985",
            "Nam",
            "Thái",
            f"014085{n:06d}",
            establishment.commune.code,
            establishment.code,
            "19/05/2012",
            "19/05/2013",
        ]
        for n in range(count)
    ]


def run(kind, content, user, save=False, name="f.csv", **kwargs):
    return imports.REGISTRY[kind].run(content=content, file_name=name, user=user, save=save, **kwargs)


def queries_of(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


@pytest.fixture
def village(province):
    return province.home_establishment


@pytest.fixture
def known(village):
    """Records the files refer to, so that the lookups by citizen ID and birth date find rows."""
    CandidateFactory(establishment=village, citizen_id=citizen_id(5), birth_date=D(1998, 4, 2), gender="male")
    PartyMemberFactory(establishment=village, full_name="Cầm Văn Ơn 5", citizen_id="014085000005")


@pytest.mark.parametrize("kind", ["candidates", "members"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_preview_costs_the_same_queries_at_10_and_at_100_rows(kind, fmt, board_user, village, known):
    def content(count):
        rows, header = (
            (candidate_rows(village, count), HEADER)
            if kind == "candidates"
            else (member_rows(village, count), MEMBER_HEADER)
        )
        return as_csv(rows, header=header) if fmt == "csv" else as_xlsx(rows, header=header, title="x")

    small, large = content(10), content(100)
    run(kind, small, board_user, name=f"f.{fmt}")  # the caches a server holds (units, permissions)
    outcomes = []
    counts = [
        queries_of(lambda c=c: outcomes.append(run(kind, c, board_user, name=f"f.{fmt}"))) for c in (small, large)
    ]
    assert [o.summary()["errors"] for o in outcomes] == [0, 0], outcomes[0].errors[:3]
    assert [o.updated + o.unchanged for o in outcomes] == [1, 1]  # the known record was found
    assert counts[0] == counts[1] <= 10


@pytest.mark.parametrize("kind", ["candidates", "members"])
def test_a_bad_row_in_the_last_chunk_saves_nothing_and_is_named(kind, board_user, village, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 10)
    if kind == "candidates":
        rows, header = candidate_rows(village, 35), HEADER
        rows[32][1] = "31/02/1998"  # no such day
    else:
        rows, header = member_rows(village, 35), MEMBER_HEADER
        rows[32][8] = "19/05/2011"  # official before admitted
    progress = []
    outcome = run(kind, as_csv(rows, header=header), board_user, save=True, progress=lambda *a: progress.append(a))
    assert [(e.row, e.column) for e in outcome.errors] == [(34, header[1] if kind == "candidates" else header[8])]
    assert progress == [(10, None), (20, None), (30, None), (35, None)]
    assert not Candidate.objects.exists() and not PartyMember.objects.exists()
    assert not Candidate.history.exists() and not PartyMember.history.exists()


def test_duplicates_within_the_file_are_named_across_chunks(board_user, village, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 10)
    rows = candidate_rows(village, 25)
    rows[22] = list(rows[3])
    with translation.override("en"):
        outcome = run("candidates", as_csv(rows), board_user)
    assert [(e.row, e.reason) for e in outcome.errors] == [(24, "the same citizen ID as row 5")]


def test_imported_candidates_have_their_history_and_source_list_lines(board_user, village, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 10)
    outcome = run("candidates", as_xlsx(candidate_rows(village, 25)), board_user, save=True, name="f.xlsx")
    assert outcome.created == 25 and not outcome.errors
    ids = set(Candidate.objects.values_list("pk", flat=True))
    history = Candidate.history.filter(id__in=ids)
    assert history.count() == 25 and {h.history_type for h in history} == {"+"}
    assert {h.history_user_id for h in history} == {board_user.pk}
    assert SourceListEntry.history.filter(candidate_id__in=ids).count() == 25
    assert StageEvent.objects.filter(candidate__in=ids, stage="source").count() == 25
    first = Candidate.objects.get(citizen_id=citizen_id(0))
    assert first.search_text and first.sort_key  # computed though bulk_create skips save()


def test_imported_members_have_their_history(board_user, village):
    outcome = run("members", as_csv(member_rows(village, 12), header=MEMBER_HEADER), board_user, save=True)
    assert outcome.created == 12 and not outcome.errors
    history = PartyMember.history.all()
    assert history.count() == 12 and {h.history_user_id for h in history} == {board_user.pk}
    assert PartyMember.objects.get(citizen_id="014085000003").search_text


def test_a_row_without_citizen_id_finds_the_person_of_the_same_name_whatever_the_accents(board_user, village):
    """People are looked up by name and birth date with their folded name: a row without a
    citizen ID is the candidate of the same name (accents and case aside), birth date and
    establishment; a new row of the same name and day is flagged as a possible duplicate; others
    born that day are neither."""
    CandidateFactory(full_name="Lò Thị Hoa", birth_date=D(1998, 4, 2), gender="female", citizen_id=None,
                     establishment=village)  # fmt: skip
    CandidateFactory(full_name="Lò Văn Nhập 0", birth_date=D(1998, 4, 2), citizen_id=None, establishment=village)
    CandidateFactory(full_name="Cầm Văn Khác", birth_date=D(1998, 4, 2), citizen_id=None, establishment=village)
    same = ["LÒ THI HOA", "02/04/1998", "Nữ", "Thái", "", "9", village.commune.code, village.code, "Có", "06/01/2025"]
    rows = [same, *candidate_rows(village, 2)]  # "Lò Văn Nhập 0" and "Lò Văn Nhập 1", with citizen IDs
    outcome = run("candidates", as_csv(rows), board_user)
    assert not outcome.errors
    assert (outcome.created, outcome.updated + outcome.unchanged) == (2, 1)
    assert [(row, who.split(" (")[0]) for row, who in outcome.duplicates] == [(3, "Lò Văn Nhập 0")]


def test_each_history_row_holds_the_saved_values_the_user_and_the_reason(board_user, village, monkeypatch):
    """The rows and their history rows are written as plain values, not through Django's
    `bulk_create`: each record reads back with its own values, and each history row is a copy of
    its record, by the importing user, with the import's reason."""
    monkeypatch.setattr(imports, "CHUNK", 7)
    outcome = run("candidates", as_xlsx(candidate_rows(village, 16)), board_user, save=True, name="f.xlsx")
    assert outcome.created == 16 and not outcome.errors
    history_model = Candidate.history.model
    tracked = [f.attname for f in history_model.tracked_fields]
    for candidate in Candidate.objects.all():
        (record,) = Candidate.history.filter(id=candidate.pk)
        assert {name: getattr(record, name) for name in tracked} == {
            name: getattr(candidate, name) for name in tracked
        }
        assert (record.history_user_id, record.history_change_reason, record.history_type) == (
            board_user.pk,
            "Nhập từ bảng tính",  # "Imported from a spreadsheet", in the default language
            "+",
        )
        (entry,) = SourceListEntry.objects.filter(candidate=candidate)
        assert candidate.stage == "source" and candidate.stage_since == entry.added_on
        (entry_record,) = SourceListEntry.history.filter(id=entry.pk)
        assert (entry_record.candidate_id, entry_record.added_on, entry_record.history_user_id) == (
            candidate.pk,
            entry.added_on,
            board_user.pk,
        )
        event = StageEvent.objects.get(candidate=candidate)
        assert event.recorded_at is not None
        (event_record,) = StageEvent.history.filter(id=event.pk)  # as `create_candidate` records it
        assert (event_record.stage, event_record.history_user_id) == ("source", board_user.pk)


def test_xlsx_cells_read_as_openpyxl_reads_them():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["text", "number", "decimal", "yes", "escaped"])
    sheet.append([datetime.date(1998, 4, 2), 12, 1.5, True, "x & <y>"])
    sheet.append([None, None, "=1+1", "Lò Thị Hoa", 12345678901234])
    sheet["G5"] = "far"
    sheet["A7"] = datetime.datetime(2025, 1, 6, 10, 30)
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected = [
        [cell.value for cell in row]
        for row in load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active.iter_rows()
    ]
    ours = xlsx_read.Workbook(zipfile.ZipFile(io.BytesIO(buffer.getvalue())))
    read = dict(ours.rows(ours.sheets[0]))
    width = len(expected[0])
    padded = [(read.get(n, []) + [None] * width)[:width] for n in range(1, len(expected) + 1)]
    assert padded == expected
    assert isinstance(read[3][2], xlsx_read.Formula)


def test_a_file_error_found_by_the_reader_is_raised_in_the_callers_language(board_user, village, monkeypatch):
    """The rows are read one chunk ahead by another process (or thread): a formula in the third
    chunk still stops the import with the file's error, in the user's language, and saves nothing."""
    monkeypatch.setattr(imports, "CHUNK", 10)
    before = children() if sys.platform == "linux" else set()
    rows = candidate_rows(village, 35)
    rows[27][0] = "=A1"
    with translation.override("en"), pytest.raises(imports.ImportFileError) as caught:
        run("candidates", as_xlsx(rows), board_user, save=True, name="f.xlsx")
    assert "Row 29" in str(caught.value) and "formula" in str(caught.value)
    assert not Candidate.objects.exists()
    assert not any(thread.name == "import-reader" for thread in threading.enumerate())
    if sys.platform == "linux":
        assert children() == before, "the reader process ended"


def children() -> set[int]:
    """This process's living children (Linux)."""
    found = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listing:
            found |= {int(pid) for pid in listing.read().split()}
    return found


def test_the_reader_thread_ends_when_the_caller_stops_early():
    read = []

    def rows():
        for number in range(100):
            read.append(number)
            yield number, {}

    ahead = imports._read_in_thread(rows(), size=5, depth=2)
    assert [number for number, _values in next(ahead)] == [0, 1, 2, 3, 4]
    ahead.close()  # the caller stopped: an error in its chunk, say
    assert not any(thread.name == "import-reader" for thread in threading.enumerate())
    assert len(read) <= 5 * 4  # it read no more than the chunks that could wait


linux_only = pytest.mark.skipif(sys.platform != "linux", reason="the file is read by a forked process on Linux")


def test_a_process_with_other_threads_reads_the_file_by_a_thread():
    """A fork would drop the other threads' state in the child (and finalise what only they
    held): where another thread runs, the file is read by a thread."""
    before, release = children() if sys.platform == "linux" else set(), threading.Event()
    other = threading.Thread(target=release.wait, name="another")
    other.start()
    try:
        ahead = imports.read_ahead(iter([(n, {}) for n in range(12)]), size=5)
        assert [number for number, _values in next(ahead)] == [0, 1, 2, 3, 4]
        assert any(thread.name == "import-reader" for thread in threading.enumerate())
        if sys.platform == "linux":
            assert children() == before
        assert [len(chunk) for chunk in ahead] == [5, 2]
    finally:
        release.set()
        other.join()


@linux_only
def test_the_reader_process_gives_every_chunk_in_order_and_ends():
    before = children()
    rows = [(number, {"name": f"Lò Văn {number}", "on": D(2025, 1, number % 28 + 1)}) for number in range(23)]
    assert list(imports._read_in_child(iter(rows), 5)) == list(imports.chunks(iter(rows), 5))
    assert children() == before


@linux_only
def test_the_reader_process_is_stopped_when_the_caller_stops_early():
    before = children()

    def rows():
        number = 0
        while True:  # a file that never ends: only killing the reader stops it
            number += 1
            yield number, {}

    ahead = imports._read_in_child(rows(), 5)
    assert [number for number, _values in next(ahead)] == [1, 2, 3, 4, 5]
    assert len(children() - before) == 1
    ahead.close()
    assert children() == before


@linux_only
def test_the_reader_process_hands_over_its_errors_and_says_when_it_died():
    def failing():
        yield 1, {}
        raise ValueError("bad cell")

    with pytest.raises(ValueError, match="bad cell"):
        list(imports._read_in_child(failing(), 5))

    def unpicklable():
        yield 1, {}
        error = RuntimeError("no way across")
        error.lock = threading.Lock()  # a lock cannot be pickled
        raise error

    with pytest.raises(imports.ImportFileError, match="RuntimeError: no way across"):
        list(imports._read_in_child(unpicklable(), 5))

    def dying():
        yield from ((number, {}) for number in range(7))
        os._exit(3)  # in the reader: as if it were killed

    with translation.override("en"), pytest.raises(imports.ImportFileError, match="could not be read to its end"):
        list(imports._read_in_child(dying(), 5))


def test_bulk_instances_fill_defaults_and_keep_the_related_objects(board_user, village):
    candidate = CandidateFactory(establishment=village)
    event, other = bulk.instances(
        StageEvent,
        [
            {"candidate": candidate, "stage": "source", "occurred_on": D(2025, 1, 6), "recorded_by": board_user},
            {"candidate_id": candidate.pk, "stage": "source", "occurred_on": D(2025, 1, 7), "recorded_by_id": 0},
        ],
    )
    assert event.pk is None and event._state.adding
    assert event.candidate_id == candidate.pk and event.recorded_by_id == board_user.pk
    with CaptureQueriesContext(connection) as context:
        assert event.candidate is candidate  # no query: the object given is kept
    assert not context.captured_queries
    assert event.note == "" and event.votes_for is None and event.ended_on is None  # the fields' defaults
    assert other.candidate_id == candidate.pk and other.occurred_on == D(2025, 1, 7)
    bulk.create(StageEvent, [event])
    assert StageEvent.objects.get(pk=event.pk).occurred_on == D(2025, 1, 6)


@pytest.mark.parametrize("model", [Candidate, PartyMember, StageEvent, FileView])
def test_a_new_instance_is_as_the_model_makes_it(model):
    made, copied, other = model(), bulk.new(model), bulk.new(model)
    assert {k: v for k, v in copied.__dict__.items() if k != "_state"} == {
        k: v for k, v in made.__dict__.items() if k != "_state"
    }
    assert copied._state.adding and copied._state.db is None and copied._state is not other._state
    copied.full_name = "changed" if hasattr(copied, "full_name") else None
    assert getattr(bulk.new(model), "full_name", "") in ("", None)  # the next one is not the one changed
    if model is FileView:  # a computed default is computed for each instance
        assert copied.details == {} and copied.details is not other.details


def test_the_members_holding_citizen_ids_are_found_in_every_slice_of_the_ids(board_user, village, monkeypatch):
    members = PartyMemberFactory.create_batch(5, establishment=village)
    monkeypatch.setattr(pipeline, "ID_SLICE", 2)
    ids = [m.citizen_id for m in members] + ["014099000001"]
    with CaptureQueriesContext(connection) as context:
        found = pipeline.member_names_by_citizen_id(ids, board_user)
    assert found == {m.citizen_id: m.full_name for m in members}
    by_id = [q["sql"] for q in context.captured_queries if '"establishments_partymember"."citizen_id" IN' in q["sql"]]
    assert len(by_id) == 3  # the six IDs two at a time


def test_xlsx_column_letters_name_their_column():
    assert [xlsx_read._column_index(ref, 0) for ref in ("A1", "Z9", "AA10", "az3", "XFD1048576")] == [
        0,
        25,
        26,
        51,
        16383,
    ]
    assert xlsx_read._column_index(None, 7) == 7
