"""Ethnicity and religion are sensitive personal data: only users with `view_sensitive_data` see,
filter, export or search them; the others find them nowhere (pages, exports, documents, search,
history, admin), and editing a file without the right keeps them as stored."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from candidates.choices import Religion
from candidates.models import Candidate
from establishments.choices import Ethnicity
from sonla_party import roles
from sonla_party.history import history_entries
from sonla_party.search import fold
from sonla_party.sensitive import MASK, PERMISSION, can_see_sensitive, sensitive_fields
from tests.factories import CandidateFactory, PartyMemberFactory

pytestmark = pytest.mark.django_db


def labels(choice) -> list[str]:
    """The label of a choice in both languages of the app (the page speaks Vietnamese)."""
    found = []
    for language in ("vi", "en"):
        with translation.override(language):
            found.append(str(choice.label))
    return found


ETHNICITY, RELIGION = Ethnicity.XINH_MUN, Religion.CATHOLICISM
SECRETS = [*labels(ETHNICITY), *labels(RELIGION)]


@pytest.fixture
def person(province):
    return CandidateFactory(
        establishment=province.home_establishment, full_name="Lò Thị Hoa", ethnicity=ETHNICITY, religion=RELIGION
    )


@pytest.fixture
def member(province):
    return PartyMemberFactory(establishment=province.home_establishment, full_name="Cầm Văn Pọm", ethnicity=ETHNICITY)


def shows_no_secret(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_one_definition_per_model():
    assert sensitive_fields(Candidate) == ("ethnicity", "religion")
    from establishments.models import PartyMember

    assert sensitive_fields(PartyMember) == ("ethnicity",)


def test_the_right_goes_to_the_roles_that_judge_a_file(board_user, reviewer_user, commune_user):
    granted = {name for name in roles.ROLE_PERMISSIONS if PERMISSION in roles.ROLE_PERMISSIONS[name]}
    assert granted == {roles.BOARD, roles.REVIEWER, roles.COMMITTEE}
    assert Group.objects.get(name=roles.BOARD).permissions.filter(codename="view_sensitive_data").exists()
    assert can_see_sensitive(board_user) and can_see_sensitive(reviewer_user)
    assert not can_see_sensitive(commune_user)


def test_the_detail_page_masks_them_without_the_right(commune_client, reviewer_client, person):
    hidden = commune_client.get(f"/candidates/{person.pk}/").content.decode()
    assert shows_no_secret(hidden) and MASK in hidden
    shown = reviewer_client.get(f"/candidates/{person.pk}/").content.decode()
    assert labels(ETHNICITY)[0] in shown and labels(RELIGION)[0] in shown


def test_the_member_page_masks_the_ethnicity(commune_client, reviewer_client, member):
    hidden = commune_client.get(f"/members/{member.pk}/").content.decode()
    assert shows_no_secret(hidden) and MASK in hidden
    assert labels(ETHNICITY)[0] in reviewer_client.get(f"/members/{member.pk}/").content.decode()


@pytest.mark.parametrize("url", ["/candidates/", "/members/"])
def test_lists_and_exports_leave_the_column_out(commune_client, reviewer_client, person, member, url):
    page = commune_client.get(url)
    assert "ethnicity" not in [column.name for column in page.context["table"].columns]
    assert shows_no_secret(page.content.decode())
    exported = csv_rows(commune_client.get(url, {"_export": "csv"}))
    assert len(exported) == 2 and shows_no_secret(repr(exported))
    assert labels(ETHNICITY)[0] in repr(csv_rows(reviewer_client.get(url, {"_export": "csv"})))


def test_the_filter_is_not_offered_and_its_parameter_is_ignored(commune_client, reviewer_client, person, province):
    other = CandidateFactory(establishment=province.home_establishment, ethnicity=Ethnicity.THAI)
    page = commune_client.get("/candidates/", {"ethnicity": ETHNICITY.value})
    assert page.status_code == 200
    assert "ethnicity" not in page.context["filter"].form.fields
    assert {row.record.pk for row in page.context["table"].rows} == {person.pk, other.pk}  # not a way to find them
    filtered = reviewer_client.get("/candidates/", {"ethnicity": ETHNICITY.value})
    assert [row.record.pk for row in filtered.context["table"].rows] == [person.pk]


def test_search_does_not_hold_them(commune_client, person):
    assert not any(fold(secret) in person.search_text for secret in SECRETS)
    for secret in SECRETS:
        found = commune_client.get("/candidates/", {"q": secret}).context["table"].rows
        assert [row.record.pk for row in found] == []


def test_documents_mask_them(commune_user, reviewer_user, person):
    request = RequestFactory().get("/")
    request.user = commune_user
    hidden = render_to_string("documents/includes_person.html", {"person": person}, request=request)
    assert shows_no_secret(hidden) and MASK in hidden
    request.user = reviewer_user
    shown = render_to_string("documents/includes_person.html", {"person": person}, request=request)
    assert labels(ETHNICITY)[0] in shown


def test_history_masks_a_change_of_them(commune_user, reviewer_user, person):
    person.religion = Religion.BUDDHISM
    person.save()
    hidden = repr(history_entries(person, user=commune_user))
    assert shows_no_secret(hidden) and not any(label in hidden for label in labels(Religion.BUDDHISM))
    assert labels(Religion.BUDDHISM)[0] in repr(history_entries(person, user=reviewer_user))


def test_editing_without_the_right_neither_shows_nor_wipes_them(commune_client, person):
    form = commune_client.get(f"/candidates/{person.pk}/edit/").context["form"]
    assert "ethnicity" not in form.fields and "religion" not in form.fields
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(full_name="Lò Thị Hoa Mới", establishment=person.establishment_id, birth_date="1995-06-15")
    data.update(legal_basis="regulation")
    response = commune_client.post(f"/candidates/{person.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    person.refresh_from_db()
    assert person.full_name == "Lò Thị Hoa Mới"
    assert (person.ethnicity, person.religion) == (ETHNICITY, RELIGION)


def test_a_new_file_takes_them_from_the_person_registering_it(commune_client):
    form = commune_client.get("/candidates/new/").context["form"]
    assert "ethnicity" in form.fields and "religion" in form.fields


def test_the_admin_hides_them_without_the_right(commune_user, reviewer_user, person):
    for user in (commune_user, reviewer_user):
        user.is_staff = True
        user.save()
    commune, reviewer = Client(), Client()
    commune.force_login(commune_user)
    reviewer.force_login(reviewer_user)
    changelist = commune.get("/admin/candidates/candidate/")
    assert "ethnicity" not in changelist.context["cl"].list_display
    assert shows_no_secret(changelist.content.decode())
    change = commune.get(f"/admin/candidates/candidate/{person.pk}/change/")
    assert change.status_code == 200
    assert "ethnicity" not in change.context["adminform"].form.fields
    assert shows_no_secret(change.content.decode())
    assert "ethnicity" in reviewer.get("/admin/candidates/candidate/").context["cl"].list_display
    assert commune.get("/admin/candidates/candidate/", {"ethnicity": ETHNICITY.value}).status_code in (200, 302)


@override_settings(SENSITIVE_FIELDS={"candidates.Candidate": ["gender"]})
def test_the_board_may_mark_another_field_sensitive(commune_client, reviewer_client, person):
    assert sensitive_fields(Candidate) == ("ethnicity", "religion", "gender")
    page = commune_client.get("/candidates/", {"gender": "female"})
    assert "gender" not in [column.name for column in page.context["table"].columns]
    assert "gender" not in page.context["filter"].form.fields
    assert [row.record.pk for row in page.context["table"].rows] == [person.pk]  # the parameter is ignored
    assert "gender" in [column.name for column in reviewer_client.get("/candidates/").context["table"].columns]
