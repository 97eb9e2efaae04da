"""Frozen facts: after the cell's vote has checked them, no door changes them; the correction
service is the one way, with a reason, logged, re-checking the vote."""

import datetime

import pytest

from candidates import services
from candidates.choices import Stage
from candidates.models import Candidate
from candidates.services import PipelineError
from establishments.models import PartyMember
from tests.candidates.pipeline import TIMELINE, advance, new_candidate
from tests.factories import EstablishmentFactory, PartyMemberFactory
from tests.sonla_party.test_imports import HEADER, as_csv, confirm, preview

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(board_user, province):
    """A candidate whose cell has voted (stage cell_resolution)."""
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.CELL_RESOLUTION, board_user)
    return candidate


def form_data(candidate, **changes):
    data = {
        "full_name": candidate.full_name,
        "birth_date": candidate.birth_date.isoformat(),
        "gender": candidate.gender,
        "ethnicity": candidate.ethnicity,
        "citizen_id": candidate.citizen_id or "",
        "education_grade": candidate.education_grade,
        "establishment": candidate.establishment_id,
        "notes": "",
    }
    return {**data, **changes}


class TestFrozenAtEveryDoor:
    def test_the_service_refuses_a_checked_fact_and_names_it(self, voted, board_user):
        voted.birth_date = D(1995, 1, 1)
        with pytest.raises(PipelineError, match="biểu quyết|bỏ phiếu|vote") as error:
            services.update_candidate(candidate=voted, by=board_user)
        assert error.value.field == "birth_date"
        assert Candidate.objects.get(pk=voted.pk).birth_date == D(1995, 6, 15)

    @pytest.mark.parametrize(
        ("field", "value"), [("education_grade", 12), ("is_youth_union_member", True), ("establishment", "other")]
    )
    def test_every_checked_fact_is_frozen(self, voted, board_user, field, value):
        if value == "other":
            value = EstablishmentFactory(commune=voted.establishment.commune)
        setattr(voted, field, value)
        with pytest.raises(PipelineError) as error:
            services.update_candidate(candidate=voted, by=board_user)
        assert error.value.field == field

    def test_before_the_vote_the_person_may_still_be_edited(self, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        advance(candidate, Stage.DOSSIER, board_user)
        candidate.education_grade = 12
        services.update_candidate(candidate=candidate, by=board_user)
        assert Candidate.objects.get(pk=candidate.pk).education_grade == 12

    def test_the_certificate_is_the_steps_own_at_any_stage(self, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        advance(candidate, Stage.DOSSIER, board_user)
        candidate.certificate_on = D(2024, 1, 1)
        with pytest.raises(PipelineError) as error:
            services.update_candidate(candidate=candidate, by=board_user)
        assert error.value.field == "certificate_on"

    def test_the_stage_is_not_an_edit(self, voted, board_user):
        voted.stage = Stage.SOURCE
        with pytest.raises(PipelineError, match="bước|steps"):
            services.update_candidate(candidate=voted, by=board_user)

    def test_the_web_form_shows_a_form_error(self, voted, board_client):
        response = board_client.post(f"/candidates/{voted.pk}/edit/", form_data(voted, birth_date="1995-01-01"))
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["birth_date"]
        assert Candidate.objects.get(pk=voted.pk).birth_date == D(1995, 6, 15)

    def test_the_import_names_the_row(self, voted, board_client):
        row = [
            voted.full_name,
            "01/01/1995",
            "Nam",
            "Thái",
            voted.citizen_id,
            "9",
            voted.establishment.commune.code,
            voted.establishment.code,
            "Không",
            "06/01/2025",
        ]
        batch = preview(board_client, as_csv([row], header=HEADER))
        assert batch.summary["errors"] == 1
        error = batch.summary["error_rows"][0]
        assert error["column"] == "Ngày sinh"
        confirm(board_client, batch)
        assert Candidate.objects.get(pk=voted.pk).birth_date == D(1995, 6, 15)

    def test_the_bulk_service_refuses_too(self, voted, board_user):
        voted.birth_date = D(1995, 1, 1)
        with pytest.raises(PipelineError):
            services.update_candidates_bulk(candidates=[voted], fields=["birth_date"], by=board_user)


class TestCorrection:
    def test_a_correction_needs_a_reason(self, voted, board_user):
        with pytest.raises(PipelineError) as error:
            services.correct_candidate(
                candidate=voted, changes={"birth_date": D(1995, 7, 1)}, reason=" ", by=board_user
            )
        assert error.value.field == "reason"

    def test_only_the_organisation_board_corrects(self, voted, reviewer_user):
        with pytest.raises(PipelineError, match="Ban Tổ chức|organisation board"):
            services.correct_candidate(
                candidate=voted, changes={"birth_date": D(1995, 7, 1)}, reason="Giấy khai sinh", by=reviewer_user
            )

    def test_a_correction_is_saved_with_its_reason_in_the_history(self, voted, board_user):
        changed = services.correct_candidate(
            candidate=voted,
            changes={"birth_date": D(1995, 7, 1), "education_grade": 9},
            reason="Giấy khai sinh số 12",
            by=board_user,
        )
        assert changed == ["birth_date"]
        voted.refresh_from_db()
        assert voted.birth_date == D(1995, 7, 1)
        last = voted.history.latest()
        assert "Giấy khai sinh số 12" in last.history_change_reason and last.history_user == board_user

    def test_a_corrected_date_keeps_the_fields_rules(self, voted, board_user):
        with pytest.raises(PipelineError) as error:
            services.correct_candidate(
                candidate=voted, changes={"certificate_on": D(2999, 1, 1)}, reason="Giấy chứng nhận", by=board_user
            )
        assert error.value.field == "certificate_on"

    def test_a_corrected_birth_date_must_agree_with_the_citizen_id(self, voted, board_user):
        with pytest.raises(PipelineError) as error:  # the ID encodes the year of birth (1995)
            services.correct_candidate(
                candidate=voted, changes={"birth_date": D(1996, 6, 15)}, reason="Giấy khai sinh", by=board_user
            )
        assert error.value.field == "citizen_id"

    def test_a_correction_that_would_fail_the_vote_is_refused(self, voted, board_user):
        too_young = TIMELINE[Stage.CELL_RESOLUTION].replace(year=TIMELINE[Stage.CELL_RESOLUTION].year - 17)
        Candidate.objects.filter(pk=voted.pk).update(citizen_id=None)  # no ID to contradict the date
        with pytest.raises(PipelineError, match="Tuổi|Age"):
            services.correct_candidate(
                candidate=voted, changes={"birth_date": too_young}, reason="Giấy khai sinh", by=board_user
            )
        assert Candidate.objects.get(pk=voted.pk).birth_date == D(1995, 6, 15)

    def test_the_member_record_follows_a_corrected_birth_date(self, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        advance(candidate, Stage.ADMITTED, board_user)
        services.correct_candidate(
            candidate=candidate, changes={"birth_date": D(1995, 7, 1)}, reason="Giấy khai sinh", by=board_user
        )
        assert PartyMember.objects.get(pk=candidate.party_member_id).birth_date == D(1995, 7, 1)

    def test_the_page_is_for_the_board(self, voted, board_client, reviewer_client):
        assert reviewer_client.get(f"/candidates/{voted.pk}/correct/").status_code == 403
        assert board_client.get(f"/candidates/{voted.pk}/correct/").status_code == 200
        data = {
            "birth_date": "1995-07-01",
            "education_grade": "9",
            "establishment": voted.establishment_id,
            "certificate_number": voted.certificate_number,
            "certificate_on": voted.certificate_on.isoformat(),
            "certificate_issuer": voted.certificate_issuer,
        }
        response = board_client.post(f"/candidates/{voted.pk}/correct/", data)
        assert response.status_code == 400 and Candidate.objects.get(pk=voted.pk).birth_date == D(1995, 6, 15)
        response = board_client.post(f"/candidates/{voted.pk}/correct/", {**data, "reason": "Giấy khai sinh"})
        assert response.status_code == 302
        assert Candidate.objects.get(pk=voted.pk).birth_date == D(1995, 7, 1)


class TestMemberOfficialStatus:
    def test_official_before_twelve_months_is_refused(self, board_client, province):
        member = PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2020, 5, 1))
        data = {
            "full_name": member.full_name,
            "birth_date": member.birth_date.isoformat(),
            "gender": member.gender,
            "ethnicity": member.ethnicity,
            "citizen_id": member.citizen_id or "",
            "establishment": member.establishment_id,
            "admitted_on": "2020-05-01",
            "official_on": "2020-05-02",
        }
        response = board_client.post(f"/members/{member.pk}/edit/", data)
        assert response.status_code == 200
        assert "01/05/2021" in response.content.decode()
        assert PartyMember.objects.get(pk=member.pk).official_on == D(2021, 5, 1)
        response = board_client.post(f"/members/{member.pk}/edit/", {**data, "official_on": "2021-05-01"})
        assert response.status_code == 302

    def test_a_pipeline_members_official_date_is_the_recognition_steps(self, board_user, province):
        from establishments.services import RegistryError, save_member

        candidate = new_candidate(board_user, province.home_establishment)
        advance(candidate, Stage.ADMITTED, board_user)
        member = PartyMember.objects.get(pk=candidate.party_member_id)
        member.official_on = D(2024, 8, 1)
        with pytest.raises(RegistryError) as error:
            save_member(member=member, by=board_user)
        assert error.value.field == "official_on"

    def test_the_member_import_refuses_a_short_probation(self, board_client, province):
        village = province.home_establishment
        header = [
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Mã xã",
            "Mã cơ sở",
            "Ngày vào Đảng",
            "Ngày chính thức",
        ]
        row = ["Lường Văn Điện", "10/02/1985", "Nam", "Thái", village.commune.code, village.code]
        batch = preview(board_client, as_csv([[*row, "19/05/2012", "20/05/2012"]], header=header), kind="members")
        assert batch.summary["errors"] == 1
        assert batch.summary["error_rows"][0]["column"] == "Ngày chính thức"
