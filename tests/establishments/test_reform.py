"""The province over time: the reference units of the July 2025 reform, scope on both sides of
01/07/2025, the committee competent on a decision's date, and imports that name units by code and date.

These tests use the reference units the migrations load (200 communes and 12 districts until
30/06/2025, 75 units from 01/07/2025), not the synthetic units of the other tests."""

import datetime

import pytest
from django.test import Client

from candidates import services
from candidates.choices import Stage
from candidates.models import Candidate
from establishments.choices import OrganisationKind
from establishments.models import AdministrativeUnit, Commune, District, Establishment, PartyOrganisation
from establishments.units import UnitMap
from sonla_party import imports, roles
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import EstablishmentFactory, make_user
from tests.helpers import csv_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_structure")]
D = datetime.date
LAST_OLD, FIRST_NEW = D(2025, 6, 30), D(2025, 7, 1)


def old_commune(code: str) -> Commune:
    return Commune.objects.get(code=code, valid_from__isnull=True)


def new_commune(code: str) -> Commune:
    return Commune.objects.get(code=code, valid_from=FIRST_NEW)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board(db):
    return make_user("board-reform", roles.BOARD)


class TestUnitsOverTime:
    @pytest.mark.parametrize(
        ("as_of", "level", "rows"),
        [
            ("2025-06-30", "commune", 200),
            ("2025-07-01", "commune", 75),
            ("2025-06-30", "district", 12),
            ("2025-07-01", "district", 0),
        ],
    )
    def test_the_units_list_exports_the_units_of_the_date(self, board, as_of, level, rows):
        exported = csv_rows(login(board).get(f"/units/?as_of={as_of}&level={level}&_export=csv"))
        assert len(exported) - 1 == rows

    def test_a_code_names_two_units_told_apart_by_their_validity(self):
        units = AdministrativeUnit.objects.filter(level="commune", code="03646")  # the model orders the past first
        assert [(u.name, u.valid_from, u.valid_to) for u in units] == [
            ("Chiềng Lề", None, LAST_OLD),
            ("Tô Hiệu", FIRST_NEW, None),
        ]

    def test_every_old_unit_went_whole_into_one_new_unit_and_chieng_son_spans_two_districts(self):
        units = UnitMap.load()
        old = Commune.objects.filter(valid_to=LAST_OLD)
        assert old.count() == 200 and all(units.successor(c.pk) for c in old)
        districts_of = {
            c.code: {units.unit(p).parent_id for p in units.predecessors(c.pk)}
            for c in Commune.objects.valid_on(FIRST_NEW)
        }
        assert any(len(parents) == 2 for parents in districts_of.values())
        to_hieu = new_commune("03646")
        assert {units.unit(p).name for p in units.predecessors(to_hieu.pk)} == {
            "Chiềng Lề",
            "Tô Hiệu",
            "Quyết Thắng",
            "Quyết Tâm",
        }

    def test_an_establishment_lies_in_the_successor_from_the_reform_without_being_touched(self):
        village = EstablishmentFactory(commune=old_commune("03649"))  # the old ward Tô Hiệu
        units = UnitMap.load()
        assert units.unit(units.unit_on(village.commune_id, LAST_OLD)).name == "Tô Hiệu"
        assert units.unit_on(village.commune_id, LAST_OLD) == village.commune_id
        assert units.unit_on(village.commune_id, FIRST_NEW) == new_commune("03646").pk

    def test_the_party_committees_follow_the_units(self):
        active = PartyOrganisation.objects.active_on
        assert active(LAST_OLD).filter(kind=OrganisationKind.DISTRICT_COMMITTEE).count() == 12
        assert active(FIRST_NEW).filter(kind=OrganisationKind.DISTRICT_COMMITTEE).count() == 0
        assert active(FIRST_NEW).filter(kind=OrganisationKind.COMMUNE_COMMITTEE).count() == 75
        assert active(LAST_OLD).filter(kind=OrganisationKind.COMMUNE_COMMITTEE).count() == 0


@pytest.fixture
def to_hieu_candidate(board):
    """A candidate of a residential group of the old ward Chiềng Lề (now the ward Tô Hiệu) whose
    grassroots committee has voted: the admission decision is what remains."""
    group = EstablishmentFactory(commune=old_commune("03646"), name="Tổ dân phố 1", kind="residential_group")
    candidate = new_candidate(board, group)
    advance(candidate, Stage.GRASSROOTS_RESOLUTION, board)
    return candidate


def decide(candidate, on, by):
    return services.record_decision(
        candidate=candidate, decided_on=on, document_number="QĐ-9", note="Hồ sơ bổ sung", by=by
    )


class TestWhoDecidesFollowsTheDate:
    def test_after_the_reform_the_commune_committee_decides_and_its_account_records_it(self, to_hieu_candidate):
        committee_user = make_user("committee-03646", roles.COMMITTEE, unit=new_commune("03646"))
        event = decide(to_hieu_candidate, D(2025, 7, 15), committee_user)
        assert event.deciding_committee == PartyOrganisation.objects.get(
            kind=OrganisationKind.COMMUNE_COMMITTEE, unit=new_commune("03646")
        )
        assert event.deciding_level == "commune" and "Tô Hiệu" in event.deciding_body

    def test_before_the_reform_the_district_committee_decides_and_its_reviewer_records_it(self, to_hieu_candidate):
        reviewer = make_user("reviewer-116", roles.REVIEWER, unit=District.objects.get(code="116"))
        event = decide(to_hieu_candidate, D(2025, 6, 15), reviewer)
        assert event.deciding_committee.kind == OrganisationKind.DISTRICT_COMMITTEE
        assert event.deciding_committee.unit.code == "116" and event.deciding_level == "district"

    def test_a_district_reviewer_cannot_record_a_decision_dated_after_the_district_ended(self, to_hieu_candidate):
        reviewer = make_user("reviewer-116", roles.REVIEWER, unit=District.objects.get(code="116"))
        with pytest.raises(services.PipelineError, match="30/06/2025"):
            decide(to_hieu_candidate, D(2025, 7, 15), reviewer)
        assert Candidate.objects.get(pk=to_hieu_candidate.pk).stage == Stage.GRASSROOTS_RESOLUTION

    def test_the_commune_committee_cannot_record_a_decision_of_the_districts_years(self, to_hieu_candidate):
        committee_user = make_user("committee-03646", roles.COMMITTEE, unit=new_commune("03646"))
        with pytest.raises(services.PipelineError, match="Đảng bộ thành phố Sơn La|Sơn La"):
            decide(to_hieu_candidate, D(2025, 6, 15), committee_user)

    def test_another_communes_committee_may_not_decide(self, to_hieu_candidate):
        stranger = make_user("committee-03979", roles.COMMITTEE, unit=new_commune("03979"))
        with pytest.raises(services.PipelineError):
            decide(to_hieu_candidate, D(2025, 7, 15), stranger)


class TestScopeOnBothSidesOfTheReform:
    @pytest.fixture
    def places(self):
        return {
            "chieng_le": EstablishmentFactory(commune=old_commune("03646"), name="Bản Chiềng Lề"),
            "quyet_tam": EstablishmentFactory(commune=old_commune("03655"), name="Bản Quyết Tâm"),
            "moc_chau": EstablishmentFactory(commune=old_commune("04030"), name="Bản Đông Sang"),
        }

    def names(self, user) -> set[str]:
        return set(Establishment.objects.for_user(user).values_list("name", flat=True))

    def test_a_new_communes_staff_see_its_predecessors_history_and_nothing_else(self, places):
        staff = make_user("commune-03646", roles.COMMUNE_STAFF, unit=new_commune("03646"))
        assert self.names(staff) == {"Bản Chiềng Lề", "Bản Quyết Tâm"}
        page = login(staff).get("/establishments/?as_of=2010-01-01")
        assert {row.record.name for row in page.context["table"].rows} == {"Bản Chiềng Lề", "Bản Quyết Tâm"}

    def test_a_district_reviewer_sees_nothing_outside_the_former_district(self, places):
        reviewer = make_user("reviewer-116", roles.REVIEWER, unit=District.objects.get(code="116"))
        assert self.names(reviewer) == {"Bản Chiềng Lề", "Bản Quyết Tâm"}
        other = Establishment.objects.get(name="Bản Đông Sang")
        assert login(reviewer).get(f"/establishments/{other.pk}/").status_code == 404

    def test_an_establishment_entered_after_the_reform_is_not_the_former_districts(self, places):
        reviewer = make_user("reviewer-116", roles.REVIEWER, unit=District.objects.get(code="116"))
        EstablishmentFactory(commune=new_commune("03646"), name="Tổ dân phố mới", opened_on=D(2026, 1, 5))
        assert "Tổ dân phố mới" not in self.names(reviewer)
        staff = make_user("commune-03646", roles.COMMUNE_STAFF, unit=new_commune("03646"))
        assert "Tổ dân phố mới" in self.names(staff)

    def test_the_list_of_a_new_commune_on_a_date_before_it_holds_its_predecessors_rows(self, board, places):
        page = login(board).get(f"/establishments/?commune={new_commune('03646').pk}&as_of=2015-01-01")
        assert {row.record.name for row in page.context["table"].rows} == {"Bản Chiềng Lề", "Bản Quyết Tâm"}


class TestImportsReadCodesWithADate:
    def test_code_03646_attaches_each_row_to_the_unit_of_its_date_and_without_one_is_ambiguous(self, board):
        before = EstablishmentFactory(commune=old_commune("03646"), code="TDP01", name="Tổ 1 Chiềng Lề")
        after = EstablishmentFactory(
            commune=new_commune("03646"), code="TDP99", name="Tổ 99 Tô Hiệu", opened_on=D(2026, 1, 2)
        )
        text = (
            "Số liệu tính đến ngày,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Trình độ văn hóa,Mã xã,Mã cơ sở\n"
            "15/06/2025,Lò Thị Một,02/04/1998,Nữ,Thái,9,03646,TDP01\n"
            "15/07/2025,Lò Thị Hai,02/04/1998,Nữ,Thái,9,03646,TDP99\n"
            ",Lò Thị Ba,02/04/1998,Nữ,Thái,9,03646,TDP01\n"
        )
        outcome = imports.REGISTRY["candidates"].run(content=text.encode(), file_name="f.csv", user=board, save=False)
        assert [e.row for e in outcome.errors] == [4]
        assert "Chiềng Lề" in outcome.errors[0].reason and "Tô Hiệu" in outcome.errors[0].reason
        dated = text.replace("\n,Lò", "\n01/03/2025,Lò").encode()
        saved = imports.REGISTRY["candidates"].run(content=dated, file_name="f.csv", user=board, save=True)
        assert not saved.errors
        assert set(Candidate.objects.values_list("full_name", "establishment")) == {
            ("Lò Thị Một", before.pk),
            ("Lò Thị Hai", after.pk),
            ("Lò Thị Ba", before.pk),
        }

    def test_the_files_date_reads_the_rows_without_their_own(self, board):
        village = EstablishmentFactory(commune=old_commune("03646"), code="TDP01")
        content = (
            "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Trình độ văn hóa,Mã xã,Mã cơ sở\n"
            "Lò Thị Bốn,02/04/1998,Nữ,Thái,9,03646,TDP01\n"
        )
        outcome = imports.REGISTRY["candidates"].run(
            content=content.encode(), file_name="f.csv", user=board, save=True, as_of=D(2024, 1, 1)
        )
        assert not outcome.errors and Candidate.objects.get().establishment == village
