"""The admin is a door like the others: a change the services refuse is a form error on the
change form (never a 500), and the history cannot write a past version back."""

import datetime

import pytest
from django.db.models import Model

from candidates.choices import Stage
from candidates.models import Candidate, Enrollment, Introducer, TrainingClass
from establishments.models import PartyMember
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import PartyMemberFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def _post_value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_post_value(v) for v in value]
    return "" if value is None else value


def _form_data(form, data: dict) -> None:
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = _post_value(value)


def change_form_data(client, url: str) -> dict:
    """What the admin's change form at `url` would post unchanged: its form and its inlines."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


def refused(client, url: str, **changes):
    """Post the change form with `changes`: a form error, not a 500 and not a redirect."""
    data = {**change_form_data(client, url), **changes}
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    errors = response.context["adminform"].form.errors
    assert errors, "the change was saved"
    return errors


@pytest.fixture
def voted(board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.CELL_RESOLUTION, board_user)
    return candidate


def test_candidate_admin_refuses_a_checked_fact(admin_client_, voted):
    url = f"/admin/candidates/candidate/{voted.pk}/change/"
    errors = refused(admin_client_, url, education_grade="12")
    assert "education_grade" in errors
    assert Candidate.objects.get(pk=voted.pk).education_grade == 9
    # an unchanged form saves: the checks refuse the change, not the page
    assert admin_client_.post(url, change_form_data(admin_client_, url)).status_code == 302


def test_candidate_admin_shows_no_certificate_field_to_rewrite(admin_client_, voted):
    url = f"/admin/candidates/candidate/{voted.pk}/change/"
    admin_client_.post(url, {**change_form_data(admin_client_, url), "certificate_on": "2026-01-01"})
    assert Candidate.objects.get(pk=voted.pk).certificate_on == D(2023, 3, 20)


def test_introducer_admin_refuses_an_edit_after_the_vote(admin_client_, voted):
    introducer = voted.introducers.first()
    url = f"/admin/candidates/introducer/{introducer.pk}/change/"
    refused(admin_client_, url, introduced_on="2023-05-06")
    assert Introducer.objects.get(pk=introducer.pk).introduced_on == D(2023, 5, 5)


def test_introducer_admin_applies_the_introducer_rules(admin_client_, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.DOSSIER, board_user)
    introducer = candidate.introducers.first()
    probationary = PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2023, 1, 1))
    url = f"/admin/candidates/introducer/{introducer.pk}/change/"
    errors = refused(admin_client_, url, party_member=probationary.pk)
    assert "party_member" in errors


def test_party_member_admin_refuses_a_short_probation(admin_client_, province):
    member = PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2020, 5, 1))
    url = f"/admin/establishments/partymember/{member.pk}/change/"
    errors = refused(admin_client_, url, official_on="2020-06-01")
    assert "official_on" in errors
    assert PartyMember.objects.get(pk=member.pk).official_on == D(2021, 5, 1)


def test_party_member_admin_leaves_a_pipeline_members_status_to_the_recognition(admin_client_, voted, board_user):
    advance_to_admitted = new_candidate(board_user, voted.establishment, citizen_id=None, full_name="Lò Thị Xuân")
    advance(advance_to_admitted, Stage.ADMITTED, board_user)
    member = advance_to_admitted.party_member
    url = f"/admin/establishments/partymember/{member.pk}/change/"
    errors = refused(admin_client_, url, official_on="2024-08-01")
    assert "official_on" in errors
    assert PartyMember.objects.get(pk=member.pk).official_on is None


def test_training_class_admin_refuses_an_organiser_that_clashes(admin_client_, board_user, province):
    first, second = (
        TrainingClass.objects.create(
            name=name,
            organiser=organiser,
            unit=province.home,
            starts_on=D(2025, 3, 3),
            ends_on=D(2025, 3, 7),
            capacity=50,
        )
        for name, organiser in (("Lớp 1", "Trung tâm A"), ("Lớp 2", "Trung tâm B"))
    )
    for training_class, number, name in ((first, "GCN-1", "A"), (second, "GCN-1", "B")):
        candidate = new_candidate(board_user, province.home_establishment, citizen_id=None, full_name=number + name)
        Enrollment.objects.create(
            training_class=training_class,
            candidate=candidate,
            enrolled_on=training_class.starts_on,
            organiser=training_class.organiser,
            certificate_number=number,
            certificate_on=training_class.ends_on,
        )
    url = f"/admin/candidates/trainingclass/{second.pk}/change/"
    errors = refused(admin_client_, url, organiser=first.organiser)
    assert "organiser" in errors
    assert TrainingClass.objects.get(pk=second.pk).organiser == "Trung tâm B"


def test_the_history_cannot_revert_a_stage(admin_client_, voted):
    first = voted.history.earliest()
    url = f"/admin/candidates/candidate/{voted.pk}/history/{first.history_id}/"
    assert admin_client_.get(url).status_code == 200  # a past version can be read
    response = admin_client_.post(
        url, change_form_data(admin_client_, f"/admin/candidates/candidate/{voted.pk}/change/")
    )
    assert response.status_code == 403
    assert Candidate.objects.get(pk=voted.pk).stage == Stage.CELL_RESOLUTION
