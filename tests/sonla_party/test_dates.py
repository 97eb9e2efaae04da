"""Recorded dates: none in the future, none before 1930, whatever the door; a document's date is
typed by the user, never pre-filled."""

import datetime

import pytest
from django.utils import timezone

from candidates import services
from candidates.choices import Stage
from candidates.forms import DossierForm, TrainingClassForm
from candidates.models import Candidate
from candidates.services import PipelineError
from establishments.models import Establishment
from sonla_party.dates import past_date_problem
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import PartyMemberFactory
from tests.sonla_party.test_admin_doors import change_form_data
from tests.sonla_party.test_imports import as_csv, confirm, preview

D = datetime.date
pytestmark = pytest.mark.django_db


def test_the_bounds_are_1930_and_today():
    today = timezone.localdate()
    assert past_date_problem(D(1929, 12, 31)) and "1930" in past_date_problem(D(1929, 12, 31))
    assert past_date_problem(D(1930, 1, 1)) is None and past_date_problem(today) is None
    assert past_date_problem(today + datetime.timedelta(days=1))
    assert past_date_problem(today + datetime.timedelta(days=1), future_allowed=True) is None


@pytest.fixture
def trained(board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.TRAINED, board_user)
    return candidate


class TestDossierDates:
    def test_the_document_dates_start_empty(self, trained, board_user):
        form = DossierForm(candidate=trained, user=board_user, prefix="dossier")
        assert form["opened_on"].value() == timezone.localdate()  # the step's own date
        for name in services.DOSSIER_FIELDS:
            assert form[name].value() is None, name

    def test_the_page_records_only_the_documents_typed(self, trained, board_client):
        response = board_client.post(
            f"/candidates/{trained.pk}/step/dossier/",
            {"dossier-expected_stage": "trained", "dossier-opened_on": "2023-05-02"},
        )
        assert response.status_code == 302
        candidate = Candidate.objects.get(pk=trained.pk)
        assert candidate.application_on == D(2023, 5, 2)
        assert (candidate.personal_history_on, candidate.verification_concluded_on, candidate.comments_on) == (
            None,
            None,
            None,
        )

    def test_a_document_before_1930_is_refused(self, trained, board_user):
        with pytest.raises(PipelineError) as error:
            services.open_dossier(candidate=trained, opened_on=D(2023, 5, 2), comments_on=D(1923, 5, 2), by=board_user)
        assert error.value.field == "comments_on"


def test_a_step_before_1930_is_refused(board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    Candidate.objects.filter(pk=candidate.pk).update(stage_since=None)
    with pytest.raises(PipelineError, match="1930"):
        services.withdraw_candidate(candidate=candidate, withdrawn_on=D(1929, 1, 1), note="Xin rút", by=board_user)


def test_a_member_admitted_in_the_future_is_refused(admin_client_, province):
    member = PartyMemberFactory(establishment=province.home_establishment)
    url = f"/admin/establishments/partymember/{member.pk}/change/"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {**change_form_data(admin_client_, url), "admitted_on": tomorrow.isoformat(), "official_on": ""}
    response = admin_client_.post(url, data)
    assert response.status_code == 200 and "admitted_on" in response.context["adminform"].form.errors


def test_a_class_before_1930_is_refused(board_user, province):
    data = {
        "name": "Lớp 1",
        "unit": province.home.pk,
        "organiser": "Trung tâm",
        "starts_on": "1925-03-03",
        "capacity": 50,
    }
    form = TrainingClassForm(data=data, user=board_user)
    assert not form.is_valid() and "starts_on" in form.errors


class TestNewEstablishment:
    HEADER = ["Mã xã", "Mã cơ sở", "Tên cơ sở", "Loại cơ sở", "Ngày thành lập"]

    def test_the_admin_needs_an_opening_date(self, admin_client_, province):
        data = {"commune": province.home_commune.pk, "kind": "village", "name": "Bản Mới", "code": "B99"}
        response = admin_client_.post("/admin/establishments/establishment/add/", data)
        assert response.status_code == 200 and "opened_on" in response.context["adminform"].form.errors
        response = admin_client_.post("/admin/establishments/establishment/add/", {**data, "opened_on": "2024-09-01"})
        assert response.status_code == 302

    def test_the_import_needs_an_opening_date_once_the_registry_has_records(self, board_client, province):
        commune = province.home_commune.code
        rows = [[commune, "TH09", "Trường Tiểu học Mới", "Trường học", ""]]
        batch = preview(board_client, as_csv(rows, header=self.HEADER), kind="establishments")
        assert batch.summary["errors"] == 1 and batch.summary["error_rows"][0]["column"] == "Ngày thành lập"

    def test_the_registrys_first_load_may_leave_it_unknown(self, board_client, province):
        Establishment.objects.all().delete()
        commune = province.home_commune.code
        rows = [[commune, "TH09", "Trường Tiểu học Mới", "Trường học", ""]]
        batch = preview(board_client, as_csv(rows, header=self.HEADER), kind="establishments")
        assert batch.summary["errors"] == 0
        confirm(board_client, batch)
        assert Establishment.objects.get(code="TH09").opened_on is None
