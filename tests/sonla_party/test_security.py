"""Audit trail, file views, masking, login throttling, CSP and spreadsheet formula injection."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from candidates.choices import Stage
from establishments.models import Establishment
from sonla_party import roles
from sonla_party.models import FileView
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import (
    TEST_PASSWORD,
    AssignmentFactory,
    CadreFactory,
    PartyMemberFactory,
    make_user,
)
from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db
D = datetime.date


def test_every_domain_model_keeps_a_change_history():
    """A model of the apps without `history` fails here (historical models themselves excepted)."""
    missing = [
        model._meta.label
        for app in ("establishments", "candidates")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
        and not model._meta.auto_created
        and not hasattr(model, "history")
    ]
    assert missing == []


class TestHistoryOnDetailPages:
    def page_history(self, client, url):
        return client.get(url).context["history"]

    def test_editing_an_establishment(self, board_client, board_user, province):
        est = province.home_establishment
        board_client.post(
            f"/establishments/{est.pk}/edit/",
            {"commune": est.commune_id, "kind": "village", "name": "Bản Mới Tên", "code": est.code},
        )
        latest = self.page_history(board_client, f"/establishments/{est.pk}/")[0]
        assert latest.user == board_user and timezone.localtime(latest.when).date() == timezone.localdate()
        change = next(c for c in latest.changes if c.new == "Bản Mới Tên")
        assert change.old == "Bản Mường Sang"

    def test_a_candidates_stage(self, board_client, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        advance(candidate, Stage.TRAINED, board_user)
        latest = self.page_history(board_client, f"/candidates/{candidate.pk}/")[0]
        stage = next(c for c in latest.changes if c.new == str(Stage.TRAINED.label))
        assert stage.old == str(Stage.SOURCE.label) and latest.user == board_user

    def test_editing_a_member(self, board_client, board_user, province):
        member = PartyMemberFactory(establishment=province.home_establishment)
        data = {
            "full_name": member.full_name,
            "birth_date": "1980-05-17",
            "gender": "male",
            "ethnicity": "thai",
            "citizen_id": member.citizen_id,
            "establishment": member.establishment_id,
            "admitted_on": "2005-03-01",
            "official_on": "2006-03-01",
            "left_on": "2024-01-02",
            "left_reason": "transferred_out",
        }
        assert board_client.post(f"/members/{member.pk}/edit/", data).status_code == 302
        latest = self.page_history(board_client, f"/members/{member.pk}/")[0]
        assert any(c.new == "02/01/2024" and c.old == "—" for c in latest.changes)
        assert latest.user == board_user

    def test_an_assignment(self, board_client, board_user, province):
        assignment = AssignmentFactory(
            cadre=CadreFactory(district=province.home), establishment=province.home_establishment
        )
        data = {
            "cadre": assignment.cadre_id,
            "establishment": assignment.establishment_id,
            "role": "other",
            "starts_on": "2010-01-01",
            "ends_on": "2020-01-01",
        }
        assert board_client.post(f"/cadres/assignments/{assignment.pk}/edit/", data).status_code == 302
        page = board_client.get(f"/cadres/assignments/{assignment.pk}/")
        latest = page.context["history"][0]
        assert any(c.new == "01/01/2020" for c in latest.changes) and latest.user == board_user
        assert "01/01/2020" in page.content.decode()

    def test_closing_source_list_lines_is_recorded_too(self, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        from candidates import services

        services.withdraw_candidate(candidate=candidate, withdrawn_on=D(2023, 3, 1), note="Xin rút", by=board_user)
        entry = candidate.source_list_entries.get()
        assert entry.history.first().removed_on == D(2023, 3, 1)
        assert entry.history.first().history_user == board_user


class TestFileViews:
    def test_reading_a_file_is_logged_and_the_board_can_list_the_readers(
        self, board_client, reviewer_client, province
    ):
        member = PartyMemberFactory(establishment=province.home_establishment)
        reviewer_client.get(f"/members/{member.pk}/")
        views = FileView.objects.of(member)
        assert [v.user.username for v in views] == ["reviewer-test"]
        listing = board_client.get(f"/members/{member.pk}/viewers/")
        assert "reviewer-test" in listing.content.decode()

    def test_a_reviewer_may_not_list_the_readers(self, reviewer_client, province):
        member = PartyMemberFactory(establishment=province.home_establishment)
        assert reviewer_client.get(f"/members/{member.pk}/viewers/").status_code == 403

    def test_candidate_files_too(self, board_client, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        board_client.get(f"/candidates/{candidate.pk}/")
        assert FileView.objects.of(candidate).count() == 1


class TestCitizenIdMasking:
    def test_pages_and_exports_show_the_last_four_digits_only(self, reviewer_client, province):
        member = PartyMemberFactory(establishment=province.home_establishment)
        page = reviewer_client.get(f"/members/{member.pk}/").content.decode()
        assert member.citizen_id not in page and member.citizen_id[-4:] in page
        rows = csv_rows(reviewer_client.get("/members/?_export=csv"))
        assert member.citizen_id not in str(rows) and member.citizen_id[-4:] in str(rows)

    def test_with_the_permission_the_whole_number(self, board_client, province):
        member = PartyMemberFactory(establishment=province.home_establishment)
        assert member.citizen_id in board_client.get(f"/members/{member.pk}/").content.decode()
        assert member.citizen_id in str(csv_rows(board_client.get("/members/?_export=csv")))

    def test_an_edit_form_hides_it_and_an_empty_field_keeps_it(self, commune_client, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        form_page = commune_client.get(f"/candidates/{candidate.pk}/edit/").content.decode()
        assert candidate.citizen_id not in form_page
        data = {
            "full_name": "Tên Mới",
            "birth_date": "1995-06-15",
            "gender": "male",
            "ethnicity": "thai",
            "citizen_id": "",
            "education_grade": "9",
            "establishment": candidate.establishment_id,
        }
        assert commune_client.post(f"/candidates/{candidate.pk}/edit/", data).status_code == 302
        candidate.refresh_from_db()
        assert candidate.full_name == "Tên Mới" and candidate.citizen_id is not None

    def test_the_history_masks_it(self, reviewer_client, board_client, province):
        member = PartyMemberFactory(establishment=province.home_establishment)
        history = reviewer_client.get(f"/members/{member.pk}/").content.decode()
        assert member.citizen_id not in history


class TestLoginThrottling:
    def login(self, client, password):
        return client.post("/accounts/login/", {"username": "throttled", "password": password})

    def test_the_sixth_attempt_is_refused_even_with_the_right_password_until_the_lock_ends(self):
        make_user("throttled", roles.BOARD)
        client = Client()
        for _attempt in range(4):
            assert self.login(client, "wrong-password").status_code == 200
        assert self.login(client, "wrong-password").status_code == 429  # the fifth failure locks
        locked = self.login(client, TEST_PASSWORD)  # the sixth attempt, with the right password
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session
        assert "30" in locked.content.decode()  # says for how long
        # 31 minutes later the lock has ended
        AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
        assert self.login(client, TEST_PASSWORD).status_code == 302
        assert "_auth_user_id" in client.session

    def test_another_address_is_not_locked(self):
        make_user("throttled", roles.BOARD)
        client = Client(REMOTE_ADDR="10.0.0.1")
        for _attempt in range(5):
            self.login(client, "wrong-password")
        other = Client(REMOTE_ADDR="10.0.0.2")
        assert self.login(other, TEST_PASSWORD).status_code == 302
        assert "_auth_user_id" in other.session  # signed in from the other address
        assert self.login(client, TEST_PASSWORD).status_code != 302  # the first address stays locked


def test_an_active_session_is_renewed_and_an_idle_one_ends(board_client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    board_client.get("/")
    session = board_client.session
    first_expiry = session.get_expiry_date()
    session["renewed_at"] = 0  # a minute or more since the last renewal
    session.save()
    board_client.get("/")
    assert board_client.session.get_expiry_date() > first_expiry
    # 31 idle minutes later the session is gone: the next page asks to log in
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(minutes=1))
    assert board_client.get("/").status_code == 302


def test_passwords_are_validated():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")


def test_pages_send_a_content_security_policy_without_inline_scripts(board_client):
    response = board_client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


FORMULAS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_exports_neutralise_spreadsheet_formulas(board_client, province, formula):
    Establishment.objects.filter(pk=province.home_establishment.pk).update(name=formula)
    rows = csv_rows(board_client.get(f"/establishments/?district={province.home.pk}&_export=csv"))
    assert rows[1][0] == "'" + formula
    response = board_client.get(f"/establishments/?district={province.home.pk}&_export=xlsx")
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    cell = sheet[sheet.freeze_panes]  # the first row below the header (the list's title and filters above it)
    assert cell.data_type == "s"
    assert cell.value.replace("\n", "\r") == formula.replace("\n", "\r")  # openpyxl reads a lone CR as LF
