"""Candidate pages: forms through the services, the work queue, scope, query counts, bad input."""

import datetime

import pytest
from django.utils import timezone, translation

from candidates.choices import Stage
from candidates.models import Candidate, SourceList, SourceListEntry
from sonla_party.workdays import add_working_days
from tests.candidates.pipeline import TIMELINE, advance, new_candidate
from tests.factories import CandidateFactory, CommuneFactory, EstablishmentFactory
from tests.helpers import column, count_queries, csv_rows

D = datetime.date
pytestmark = pytest.mark.django_db


def person(establishment, **overrides):
    data = {
        "full_name": "Lò Thị Hoa",
        "birth_date": "1998-04-02",
        "gender": "female",
        "ethnicity": "thai",
        "citizen_id": "014198012345",
        "education_grade": "9",
        "establishment": establishment.pk,
        "added_on": "2024-01-05",
    }
    data.update(overrides)
    return data


class TestCitizenIdOnTheForm:
    @pytest.mark.parametrize(
        ("citizen_id", "reason"),
        [
            ("01419801234", "12"),  # too short
            ("0141980123456", "12"),  # too long
            ("01419801234A", "12"),  # a letter
            ("014098012345", "4"),  # digit 4 = 0: a man, but she is a woman
            ("014399012345", "5"),  # digits 5–6 = 99, born 1998
            ("014398012345", "4"),  # digit 4 = 3: born in the 2000s
            ("999198012345", "999"),  # no such province
        ],
    )
    def test_a_bad_citizen_id_is_refused_with_the_reason(self, board_client, province, citizen_id, reason):
        response = board_client.post("/candidates/new/", person(province.home_establishment, citizen_id=citizen_id))
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors["citizen_id"])
        assert reason in errors
        assert not Candidate.objects.exists()
        assert f'value="{citizen_id}"' in response.content.decode()  # what was typed is kept

    def test_spaces_and_dots_are_tolerated(self, board_client, province):
        board_client.post("/candidates/new/", person(province.home_establishment, citizen_id="014 198.012 345"))
        assert Candidate.objects.get().citizen_id == "014198012345"

    def test_a_second_candidate_with_the_same_id_is_refused(self, board_client, province):
        board_client.post("/candidates/new/", person(province.home_establishment))
        response = board_client.post(
            "/candidates/new/", person(province.home_establishment, full_name="Cà Thị Lan", birth_date="1998-09-09")
        )
        assert response.status_code == 200
        assert response.context["form"].errors["citizen_id"]
        assert Candidate.objects.count() == 1


def test_creating_a_candidate_through_the_form_puts_them_on_the_source_list(board_client, province):
    response = board_client.post("/candidates/new/", person(province.home_establishment))
    candidate = Candidate.objects.get()
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert candidate.stage == Stage.SOURCE
    assert candidate.source_list_entries.get().source_list.year == 2024


def test_a_possible_duplicate_needs_confirmation(board_client, province):
    board_client.post("/candidates/new/", person(province.home_establishment))
    twin = person(province.home_establishment, full_name="LO THI HOA", citizen_id="")
    response = board_client.post("/candidates/new/", twin)
    assert response.status_code == 200 and Candidate.objects.count() == 1
    assert 'data-testid="duplicates"' in response.content.decode()
    board_client.post("/candidates/new/", {**twin, "confirm_not_duplicate": "on"})
    assert Candidate.objects.count() == 2


def test_the_cell_vote_counts_the_register_not_a_typed_number(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.DOSSIER, board_user)
    page = board_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "9" in page and 'name="cell_resolution-official_members"' not in page
    response = board_client.post(
        f"/candidates/{candidate.pk}/step/cell_resolution/",
        {
            "cell_resolution-expected_stage": "dossier",
            "cell_resolution-voted_on": "2023-06-01",
            "cell_resolution-document_number": "NQ-77",
            "cell_resolution-votes_for": "5",
            "cell_resolution-official_members": "6",  # 5 of 6 would pass; the register has 9
        },
    )
    assert response.status_code == 400
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DOSSIER


def test_a_refused_step_shows_the_rule_and_keeps_the_form(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.DOSSIER, board_user)
    response = board_client.post(
        f"/candidates/{candidate.pk}/step/cell_resolution/",
        {
            "cell_resolution-expected_stage": "dossier",
            "cell_resolution-voted_on": "2023-06-01",
            "cell_resolution-document_number": "NQ-77",
            "cell_resolution-votes_for": "5",
            "cell_resolution-official_members": "8",
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "NQ-77" in content  # kept
    assert "hai phần ba (6" in content  # the two-thirds rule says how many were needed
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DOSSIER


def test_recording_a_step_through_the_page(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    response = board_client.post(
        f"/candidates/{candidate.pk}/step/trained/",
        {
            "trained-expected_stage": "source",
            "trained-certificate_number": "GCN-1",
            "trained-certificate_on": "2023-03-01",
            "trained-issuer": "TTCT Mộc Châu",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == Stage.TRAINED and candidate.certificate_number == "GCN-1"


def test_an_unknown_step_answers_404(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    assert board_client.post(f"/candidates/{candidate.pk}/step/knighted/", {}).status_code == 404


class TestWorkQueue:
    def at_decision(self, by, establishment, decided_on):
        candidate = new_candidate(by, establishment)
        advance(candidate, Stage.GRASSROOTS_RESOLUTION, by)
        from candidates import services

        services.record_decision(candidate=candidate, decided_on=decided_on, document_number="QĐ", note="x", by=by)
        candidate.refresh_from_db()
        return candidate

    def test_a_ceremony_becomes_overdue_after_30_working_days_counting_tet(self, board_client, board_user, province):
        decided = D(2025, 1, 20)  # the Monday before Tết At Ty (holidays 27/01–31/01/2025)
        candidate = self.at_decision(board_user, province.home_establishment, decided)
        due = add_working_days(decided, 30)
        naive = decided + datetime.timedelta(days=42)  # 30 weekdays, ignoring Tết
        assert due > naive  # Tết's days off pushed the deadline back
        assert candidate.next_due_on == due and candidate.next_due_kind == "ceremony"

        def overdue_names(on):
            page = board_client.get(f"/candidates/queue/?window=overdue&as_of={on.isoformat()}")
            return [row.record.full_name for row in page.context["table"].rows]

        assert candidate.full_name not in overdue_names(due)
        assert candidate.full_name in overdue_names(due + datetime.timedelta(days=1))
        assert candidate.full_name not in overdue_names(naive + datetime.timedelta(days=1))

    def test_queue_windows_count_what_falls_due(self, board_client, board_user, province):
        self.at_decision(board_user, province.home_establishment, D(2025, 3, 3))
        due = add_working_days(D(2025, 3, 3), 30)
        page = board_client.get(f"/candidates/queue/?as_of={(due - datetime.timedelta(days=5)).isoformat()}")
        assert page.context["counts"] == {"overdue": 0, "week": 1, "month": 1, "legal_basis": 1}

    def test_the_queue_is_scoped(self, reviewer_client, board_user, province):
        self.at_decision(board_user, province.other_establishment, D(2025, 3, 3))
        page = reviewer_client.get("/candidates/queue/?window=30&as_of=2025-05-01")
        assert list(page.context["table"].rows) == []
        assert page.context["counts"]["overdue"] == 0


def test_reviewer_records_the_decision_from_their_queue(reviewer_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.GRASSROOTS_RESOLUTION, board_user)
    queue = reviewer_client.get("/candidates/decisions/")
    assert [row.record for row in queue.context["table"].rows] == [candidate]
    response = reviewer_client.post(
        f"/candidates/{candidate.pk}/step/decision/",
        {
            "decision-expected_stage": "grassroots_resolution",
            "decision-decided_on": TIMELINE[Stage.DECISION].isoformat(),
            "decision-document_number": "123-QĐ/HU",
            "decision-deciding_body": "Ban Thường vụ Huyện ủy Mộc Châu",
        },
    )
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DECISION


class TestScope:
    def test_other_district_candidates_are_404_and_absent(self, reviewer_client, board_user, province):
        mine = new_candidate(board_user, province.home_establishment)
        theirs = new_candidate(board_user, province.other_establishment, citizen_id=None, full_name="Sùng A Páo")
        assert reviewer_client.get(f"/candidates/{theirs.pk}/").status_code == 404
        assert reviewer_client.get(f"/candidates/{theirs.pk}/edit/").status_code in (403, 404)
        assert reviewer_client.post(f"/candidates/{theirs.pk}/step/decision/", {}).status_code == 404
        assert reviewer_client.get(f"/candidates/{mine.pk}/").status_code == 200
        names = column(csv_rows(reviewer_client.get("/candidates/?_export=csv")), "Họ và tên")
        assert names == [mine.full_name]
        found = reviewer_client.get("/candidates/autocomplete/?q=pao").json()["results"]
        assert found == []

    def test_admin_candidates_are_scoped_and_stage_is_read_only(self, reviewer_user, board_user, province):
        from django.test import Client

        new_candidate(board_user, province.other_establishment)
        reviewer_user.is_staff = True
        reviewer_user.save()
        client = Client()
        client.force_login(reviewer_user)
        assert list(client.get("/admin/candidates/candidate/").context["cl"].result_list) == []
        admin = Client()
        admin.force_login(board_user)
        board_user.is_staff = True
        board_user.save()
        candidate = Candidate.objects.get()
        page = admin.get(f"/admin/candidates/candidate/{candidate.pk}/change/")
        assert page.status_code == 200
        assert "stage" not in page.context["adminform"].form.fields


# Each list's fixed budget of queries (session, user, permissions, scope, count, page, filters' choices).
# Each includes the two queries of the commune filter's unit map (its options follow the district).
CANDIDATE_LIST_CAP, WORK_QUEUE_CAP, DECISION_QUEUE_CAP, SOURCE_LIST_CAP = 13, 13, 12, 11


def test_candidate_list_costs_the_same_queries_at_2_and_20_rows(board_client):
    establishment = EstablishmentFactory(commune=CommuneFactory())
    CandidateFactory.create_batch(2, establishment=establishment)
    at_two = count_queries(board_client, "/candidates/", cap=CANDIDATE_LIST_CAP)
    CandidateFactory.create_batch(18, establishment=EstablishmentFactory(commune=establishment.commune))
    assert count_queries(board_client, "/candidates/", cap=CANDIDATE_LIST_CAP) == at_two


def test_the_work_queue_costs_the_same_queries_at_2_and_20_files(board_client, board_user, province):
    """Files with a deadline (certificates expiring, decisions due) fill the queue."""

    def add(count):
        for n in range(count):
            candidate = new_candidate(
                board_user, province.home_establishment, citizen_id=None, full_name=f"Lò Văn {n}"
            )
            Candidate.objects.filter(pk=candidate.pk).update(
                next_due_on=timezone.localdate() + datetime.timedelta(days=n % 25), next_due_kind="decision"
            )

    add(2)
    at_two = count_queries(board_client, "/candidates/queue/", cap=WORK_QUEUE_CAP)
    assert len(board_client.get("/candidates/queue/").context["table"].rows) == 2
    add(18)
    assert count_queries(board_client, "/candidates/queue/", cap=WORK_QUEUE_CAP) == at_two
    assert len(board_client.get("/candidates/queue/").context["table"].rows) == 20


def test_the_decision_queue_costs_the_same_queries_at_2_and_20_files(board_client, board_user, province):
    """Files waiting for the admission decision (after the grassroots committee's resolution)."""
    model = new_candidate(board_user, province.home_establishment)
    advance(model, Stage.GRASSROOTS_RESOLUTION, board_user)

    def add(count):
        for _n in range(count):
            copy = Candidate.objects.get(pk=model.pk)
            copy.pk, copy.citizen_id, copy.full_name = None, None, f"{model.full_name} {Candidate.objects.count()}"
            copy.save()
            for event in model.events.all():
                event.pk, event.candidate = None, copy
                event.save()

    add(1)
    at_two = count_queries(board_client, "/candidates/decisions/", cap=DECISION_QUEUE_CAP)
    assert len(board_client.get("/candidates/decisions/").context["table"].rows) == 2
    add(18)
    assert count_queries(board_client, "/candidates/decisions/", cap=DECISION_QUEUE_CAP) == at_two
    assert len(board_client.get("/candidates/decisions/").context["table"].rows) == 20


@pytest.mark.parametrize(
    "query",
    [
        "stage=knighted",
        "age_min=abc",
        "age_max=-5",
        "source_list_year=1800",
        "overdue=perhaps",
        "youth_union=2",
        "establishment=zz",
        "district=0",
    ],
)
def test_nonsense_candidate_filters_give_the_form_back(board_client, query):
    response = board_client.get(f"/candidates/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_filters_age_youth_union_and_overdue(board_client, board_user, province):
    young = new_candidate(
        board_user, province.home_establishment, birth_date=D(2004, 1, 1), citizen_id=None, is_youth_union_member=True
    )
    new_candidate(board_user, province.home_establishment, birth_date=D(1980, 1, 1), citizen_id=None)
    rows = lambda q: [r.record for r in board_client.get(f"/candidates/?{q}").context["table"].rows]  # noqa: E731
    assert rows("age_max=25") == [young]
    assert rows("youth_union=true") == [young]
    assert young not in rows("age_min=30")
    assert rows("overdue=true") == []
    assert len(rows("source_list_year=2023")) == 2


def test_member_detail_links_to_the_file_of_admission(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.ADMITTED, board_user)
    member = candidate.party_member
    response = board_client.get(f"/members/{member.pk}/")
    assert f"/candidates/{candidate.pk}/" in response.content.decode()


class TestSourceListList:
    """People on each list and of whom trained: one query for the page, right when sorted too."""

    def make_list(self, commune, year, people, trained):
        source_list = SourceList.objects.create(commune=commune, year=year)
        for n in range(people):
            candidate = CandidateFactory(
                establishment=EstablishmentFactory(commune=commune),
                certificate_on=D(year, 5, 1) if n < trained else None,
            )
            SourceListEntry.objects.create(
                source_list=source_list,
                candidate=candidate,
                establishment=candidate.establishment,
                added_on=D(year, 1, 5),
            )
        return source_list

    def test_counts_on_the_page_in_the_sort_and_in_the_export(self, board_client, province):
        small = self.make_list(province.home_commune, 2022, people=1, trained=0)
        large = self.make_list(province.home_commune, 2023, people=3, trained=2)
        middle = self.make_list(province.other_commune, 2023, people=2, trained=2)
        empty = SourceList.objects.create(commune=province.other_commune, year=2021)

        def figures(query):
            table = board_client.get(f"/candidates/source-lists/?{query}").context["table"]
            return [
                (row.record, row.get_cell_value("entry_count"), row.get_cell_value("trained_count"))
                for row in table.rows
            ]

        assert figures("sort=-entry_count") == [(large, 3, 2), (middle, 2, 2), (small, 1, 0), (empty, 0, 0)]
        assert [row[0] for row in figures("sort=trained_count")][:2] == [small, empty]
        assert [row[0] for row in figures("sort=-trained_count")][2:] == [small, empty]
        header = board_client.get("/candidates/source-lists/").context["table"].columns
        rows = csv_rows(board_client.get("/candidates/source-lists/?sort=-entry_count&_export=csv"))
        assert column(rows, str(header["entry_count"].header)) == ["3", "2", "1", "0"]
        assert column(rows, str(header["trained_count"].header)) == ["2", "2", "0", "0"]

    def test_the_same_queries_at_2_and_20_lists(self, board_client, province):
        for year in (2001, 2002):
            self.make_list(province.home_commune, year, people=2, trained=1)
        at_two = count_queries(board_client, "/candidates/source-lists/", cap=SOURCE_LIST_CAP)
        for year in range(2003, 2021):
            self.make_list(province.home_commune, year, people=2, trained=1)
        assert count_queries(board_client, "/candidates/source-lists/", cap=SOURCE_LIST_CAP) == at_two
        assert (
            count_queries(board_client, "/candidates/source-lists/?sort=-entry_count", cap=SOURCE_LIST_CAP) == at_two
        )


class TestWorkQueueTabs:
    """Each tab's badge counts exactly the rows the tab shows, under the same filters."""

    def files(self, by, establishment, as_of):
        for offset in (-40, -3, -1, 0, 3, 7, 8, 20, 30, 31, 60):
            candidate = new_candidate(by, establishment, citizen_id=None, full_name=f"Lò Văn Hạn {offset + 100}")
            Candidate.objects.filter(pk=candidate.pk).update(
                next_due_on=as_of + datetime.timedelta(days=offset), next_due_kind="decision"
            )

    def test_the_filter_form_keeps_the_tab_and_the_date(self, board_client):
        page = board_client.get("/candidates/queue/?window=overdue&as_of=2026-06-01").content.decode()
        start = page.index('class="card card-body bg-light mb-3 filter-form')
        form = page[start : page.index("</form>", start)]
        assert '<input type="hidden" name="window" value="overdue">' in form
        assert '<input type="hidden" name="as_of" value="2026-06-01">' in form

    @pytest.mark.parametrize("query", ["", "&q=han"])
    def test_each_badge_equals_its_rows(self, board_client, board_user, province, query):
        as_of = D(2026, 6, 1)
        self.files(board_user, province.home_establishment, as_of)
        new_candidate(board_user, province.home_establishment, citizen_id=None, full_name="Cà Thị Mai")
        Candidate.objects.filter(full_name="Cà Thị Mai").update(next_due_on=as_of, next_due_kind="decision")
        for window, count in (("overdue", "overdue"), ("7", "week"), ("30", "month"), ("legal_basis", "legal_basis")):
            url = f"/candidates/queue/?window={window}&as_of={as_of.isoformat()}&per_page=100{query}"
            page = board_client.get(url)
            rows = list(page.context["table"].rows)
            assert page.context["counts"][count] == len(rows) == page.context["table"].paginator.count, window
            badge = f'data-count="{count}">{len(rows)}<'
            assert badge in page.content.decode()
        expected = {"overdue": 3, "week": 3, "month": 6} if query else {"overdue": 3, "week": 4, "month": 7}
        deadlines = {tab: n for tab, n in page.context["counts"].items() if tab != "legal_basis"}
        assert deadlines == expected

    def test_the_tabs_keep_the_filters(self, board_client, board_user, province):
        page = board_client.get("/candidates/queue/?window=7&as_of=2026-06-01&q=han").content.decode()
        assert 'href="?window=overdue&amp;as_of=2026-06-01&amp;q=han"' in page


class TestListOpensOnTheWork:
    """The candidate list opened bare shows the people still in the procedure; a filter shows all."""

    @pytest.fixture
    def people(self, province):
        establishment = province.home_establishment
        return {
            stage: CandidateFactory(establishment=establishment, stage=stage, full_name=f"Lò Văn {stage}")
            for stage in (Stage.SOURCE, Stage.DOSSIER, Stage.DECISION, Stage.ADMITTED, Stage.OFFICIAL, Stage.WITHDRAWN)
        }

    def names(self, response):
        return {row.record.full_name for row in response.context["table"].rows}

    def test_the_bare_list_shows_who_is_still_in_the_procedure(self, board_client, people):
        response = board_client.get("/candidates/")
        assert self.names(response) == {f"Lò Văn {s}" for s in (Stage.SOURCE, Stage.DOSSIER, Stage.DECISION)}
        assert response.context["filter"].form["procedure"].value() == "active"
        assert '<option value="active" selected>' in response.content.decode()  # the default is visible

    def test_the_export_follows_the_default(self, board_client, people):
        with translation.override("en"):
            rows = csv_rows(board_client.get("/candidates/?_export=csv"))
        assert len(rows) - 1 == 3

    def test_everyone_and_the_other_links_show_all(self, board_client, people, province):
        assert len(self.names(board_client.get("/candidates/?procedure="))) == 6
        assert len(self.names(board_client.get(f"/candidates/?establishment={province.home_establishment.pk}"))) == 6
        ended = self.names(board_client.get("/candidates/?procedure=ended"))
        assert ended == {f"Lò Văn {s}" for s in (Stage.ADMITTED, Stage.OFFICIAL, Stage.WITHDRAWN)}

    def test_enrol_all_carries_the_filters_in_use(self, board_client, people):
        page = board_client.get("/candidates/").content.decode()
        assert 'name="filters" value="procedure=active"' in page
