"""The access log: every door through which a person's file is read writes one entry; the board's
two exports (a period, one person) hold exactly the right entries."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from candidates import services
from candidates.models import Candidate, TrainingClass
from establishments.models import PartyMember
from sonla_party.choices import AccessDoor
from sonla_party.models import FileView
from tests.candidates.pipeline import new_candidate
from tests.factories import PartyMemberFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def entries():
    return list(FileView.objects.order_by("pk"))


def only_entry():
    [entry] = entries()
    return entry


@pytest.fixture
def candidate(board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    FileView.objects.all().delete()
    return candidate


@pytest.fixture
def member(province):
    return PartyMemberFactory(establishment=province.home_establishment)


@pytest.fixture
def training_class(board_user, province, candidate):
    training_class = TrainingClass.objects.create(
        name="Lớp 1/2025",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=province.home,
        starts_on=D(2025, 3, 3),
        ends_on=D(2025, 3, 7),
        capacity=50,
    )
    services.enrol_candidates(
        training_class=training_class, candidate_ids=[candidate.pk], enrolled_on=D(2025, 2, 20), by=board_user
    )
    FileView.objects.all().delete()
    return training_class


class TestEachDoorWritesOneEntry:
    def assert_one(self, obj, door, user):
        entry = only_entry()
        assert (entry.record, entry.door, entry.user) == (obj, door, user)
        return entry

    def test_detail_pages(self, board_client, board_user, candidate, member):
        assert board_client.get(f"/candidates/{candidate.pk}/").status_code == 200
        self.assert_one(candidate, AccessDoor.DETAIL, board_user)
        FileView.objects.all().delete()
        assert board_client.get(f"/members/{member.pk}/").status_code == 200
        self.assert_one(member, AccessDoor.DETAIL, board_user)

    def test_the_edit_forms(self, board_client, board_user, candidate, member):
        assert board_client.get(f"/candidates/{candidate.pk}/edit/").status_code == 200
        self.assert_one(candidate, AccessDoor.EDIT_FORM, board_user)
        FileView.objects.all().delete()
        assert board_client.get(f"/members/{member.pk}/edit/").status_code == 200
        self.assert_one(member, AccessDoor.EDIT_FORM, board_user)

    def test_a_form_shown_again_after_an_error(self, board_client, board_user, candidate, member):
        assert board_client.post(f"/candidates/{candidate.pk}/edit/", {"full_name": ""}).status_code == 200
        self.assert_one(candidate, AccessDoor.FORM_ERROR, board_user)
        FileView.objects.all().delete()
        assert board_client.post(f"/members/{member.pk}/edit/", {"full_name": ""}).status_code == 200
        self.assert_one(member, AccessDoor.FORM_ERROR, board_user)

    def test_the_candidate_page_again_after_a_refused_step(self, board_client, board_user, candidate):
        response = board_client.post(f"/candidates/{candidate.pk}/dossier/", {})
        assert response.status_code == 400
        self.assert_one(candidate, AccessDoor.FORM_ERROR, board_user)

    def test_the_correction_form_and_its_error(self, board_client, board_user, candidate):
        assert board_client.get(f"/candidates/{candidate.pk}/correct/").status_code == 200
        self.assert_one(candidate, AccessDoor.CORRECTION, board_user)
        FileView.objects.all().delete()
        assert board_client.post(f"/candidates/{candidate.pk}/correct/", {}).status_code == 400
        entry = self.assert_one(candidate, AccessDoor.FORM_ERROR, board_user)
        assert entry.details == {"form": "correction"}

    def test_the_admin_change_form_and_history(self, admin_client_, superuser, candidate, member):
        for obj, url in ((candidate, "candidates/candidate"), (member, "establishments/partymember")):
            FileView.objects.all().delete()
            assert admin_client_.get(f"/admin/{url}/{obj.pk}/change/").status_code == 200
            self.assert_one(obj, AccessDoor.ADMIN_CHANGE, superuser)
            FileView.objects.all().delete()
            assert admin_client_.get(f"/admin/{url}/{obj.pk}/history/").status_code == 200
            self.assert_one(obj, AccessDoor.ADMIN_HISTORY, superuser)
        FileView.objects.all().delete()
        version = candidate.history.latest().history_id
        page = admin_client_.get(f"/admin/candidates/candidate/{candidate.pk}/history/{version}/")
        assert page.status_code == 200
        assert self.assert_one(candidate, AccessDoor.ADMIN_HISTORY, superuser).details == {"version": version}

    def test_an_admin_change_form_shown_again_after_an_error(self, admin_client_, superuser, member):
        response = admin_client_.post(f"/admin/establishments/partymember/{member.pk}/change/", {"full_name": ""})
        assert response.status_code == 200
        self.assert_one(member, AccessDoor.FORM_ERROR, superuser)

    def test_out_of_scope_reads_nothing_and_logs_nothing(self, reviewer_client, board_user, province):
        other = PartyMemberFactory(establishment=province.other_establishment)
        other_candidate = new_candidate(board_user, province.other_establishment)
        FileView.objects.all().delete()
        assert reviewer_client.get(f"/members/{other.pk}/").status_code == 404
        assert reviewer_client.get(f"/candidates/{other_candidate.pk}/").status_code == 404
        assert reviewer_client.get(f"/candidates/{other_candidate.pk}/documents/checklist.pdf").status_code == 404
        assert entries() == []

    def test_a_document(self, board_client, board_user, candidate):
        assert board_client.get(f"/candidates/{candidate.pk}/documents/checklist.pdf").status_code == 200
        assert self.assert_one(candidate, AccessDoor.DOCUMENT, board_user).details == {"document": "checklist"}

    def test_the_certificates_list_is_one_entry_for_its_period(self, board_client, board_user, training_class):
        response = board_client.get("/training-classes/certificates.pdf?start=2025-01-01&end=2025-12-31")
        assert response.status_code == 200
        entry = only_entry()
        assert (entry.door, entry.object_id, entry.content_type.model) == (AccessDoor.DOCUMENT, None, "candidate")
        assert entry.details["filters"] == {"start": "2025-01-01", "end": "2025-12-31"}
        assert entry.details["count"] == 0  # nobody has completed the class yet

    @pytest.mark.parametrize(
        ("url", "model", "name"),
        [
            ("/candidates/", Candidate, "candidate"),
            ("/candidates/queue/", Candidate, "work-queue"),
            ("/members/", PartyMember, "partymember"),
        ],
    )
    def test_a_list_export_is_one_entry_with_its_filters_and_count(
        self, board_client, board_user, province, candidate, url, model, name
    ):
        PartyMemberFactory.create_batch(3, establishment=province.home_establishment)
        new_candidate(board_user, province.home_establishment, full_name="Lò Văn Hai")
        FileView.objects.all().delete()
        query = f"district={province.home.pk}"
        response = board_client.get(f"{url}?{query}&_export=csv")
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
        entry = only_entry()
        assert entry.door == AccessDoor.EXPORT and entry.object_id is None
        assert entry.content_type == ContentType.objects.get_for_model(model)
        expected = model.objects.for_user(board_user).count() if name != "work-queue" else entry.details["count"]
        assert entry.details["count"] == expected
        assert entry.details["filters"] == {"district": str(province.home.pk)}
        assert (entry.details["list"], entry.details["format"]) == (name, "csv")

    def test_browsing_a_list_writes_nothing(self, board_client, candidate):
        assert board_client.get("/candidates/").status_code == 200
        assert entries() == []

    @pytest.mark.parametrize(
        ("path", "view"),
        [("", "page"), ("print/", "print"), ("roster/", "form"), ("roster.xlsx", "xlsx"), ("list.pdf", "pdf")],
    )
    def test_a_class_roster_is_one_entry_with_the_class_and_its_people(
        self, board_client, board_user, training_class, candidate, path, view
    ):
        assert board_client.get(f"/training-classes/{training_class.pk}/{path}").status_code == 200
        entry = self.assert_one(training_class, AccessDoor.ROSTER, board_user)
        assert entry.details == {"view": view, "count": 1, "candidates": [candidate.pk]}


def test_a_door_outside_the_choices_is_refused_by_the_database(board_user, candidate):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FileView.objects.create(
            user=board_user, content_type=ContentType.objects.get_for_model(candidate), object_id=1, door="window"
        )


def test_the_readers_page_still_lists_only_reads_of_that_file(board_client, reviewer_client, member, province):
    reviewer_client.get(f"/members/{member.pk}/")
    reviewer_client.get(f"/members/{member.pk}/edit/")
    page = board_client.get(f"/members/{member.pk}/viewers/").content.decode()
    assert page.count("reviewer-test") == 2


class TestNothingWithPersonalDataIsCached:
    def assert_no_store(self, response):
        assert response.status_code == 200
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives and "public" not in directives

    def test_detail_list_export_document_and_admin(self, board_client, admin_client_, candidate, member):
        self.assert_no_store(board_client.get(f"/members/{member.pk}/"))
        self.assert_no_store(board_client.get("/candidates/"))
        self.assert_no_store(board_client.get("/candidates/?_export=xlsx"))
        self.assert_no_store(board_client.get("/members/?_export=csv"))
        self.assert_no_store(board_client.get(f"/candidates/{candidate.pk}/documents/checklist.pdf"))
        self.assert_no_store(admin_client_.get(f"/admin/establishments/partymember/{member.pk}/change/"))

    def test_the_sign_in_page_of_someone_not_signed_in_is_left_alone(self, db):
        response = Client().get("/accounts/login/")
        assert "no-store" not in response.get("Cache-Control", "")
