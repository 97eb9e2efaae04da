"""The access log: every door through which a person's file is read writes one entry; the board's
two exports (a period, one person) hold exactly the right entries."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import translation

from candidates import services
from candidates.models import Candidate, TrainingClass
from establishments.models import PartyMember
from sonla_party.choices import AccessDoor
from sonla_party.models import FileView
from tests.candidates.pipeline import new_candidate
from tests.factories import PartyMemberFactory
from tests.helpers import csv_rows, xlsx_rows

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

    def test_a_page_for_someone_not_signed_in_is_left_alone(self, db):
        response = Client().get("/healthz")
        assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def seed_entry(user, obj, door, when, **details):
    entry = FileView.record_view(user=user, obj=obj, door=door, details=details or None)
    FileView.objects.filter(pk=entry.pk).update(viewed_at=when)
    return entry


def at(day, hour=12):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


class TestThePeriodExport:
    def test_holds_exactly_the_entries_of_the_period(self, board_client, board_user, reviewer_user, candidate, member):
        before = seed_entry(reviewer_user, candidate, AccessDoor.DETAIL, at(D(2026, 3, 31), 23))
        first = seed_entry(reviewer_user, candidate, AccessDoor.EDIT_FORM, at(D(2026, 4, 1), 0))
        last = seed_entry(board_user, member, AccessDoor.ADMIN_CHANGE, at(D(2026, 4, 30), 23))
        after = seed_entry(board_user, member, AccessDoor.DETAIL, at(D(2026, 5, 1), 0))
        FileView.record_list(user=board_user, model=PartyMember, door=AccessDoor.EXPORT, count=7, filters={"q": "lo"})
        FileView.objects.filter(door=AccessDoor.EXPORT).update(viewed_at=at(D(2026, 4, 15)))
        rows = xlsx_rows(board_client.get("/access-log/?start=2026-04-01&end=2026-04-30&_export=xlsx"))
        header, body = rows[0], rows[1:]
        with translation.override("vi"):  # the board's language: the headers are the catalogue's
            assert header[:4] == [translation.gettext(word) for word in ("When", "Username", "Name", "Door")]
        assert [row[1] for row in body] == ["reviewer-test", "board-test", "board-test"]
        assert body[0][6] == str(candidate)
        assert body[0][3] == str(AccessDoor.EDIT_FORM.label) and body[2][3] == str(AccessDoor.ADMIN_CHANGE.label)
        assert body[1][7] == 7 and '"q": "lo"' in body[1][8]  # the export: its count and filters
        assert {before.pk, after.pk}.isdisjoint({first.pk, last.pk})
        csv = csv_rows(board_client.get("/access-log/?start=2026-04-01&end=2026-04-30&_export=csv"))
        assert len(csv) == 4

    def test_the_page_shows_the_period(self, board_client, board_user, candidate):
        seed_entry(board_user, candidate, AccessDoor.DETAIL, at(D(2026, 4, 2)))
        page = board_client.get("/access-log/?start=2026-04-01&end=2026-04-30")
        assert page.status_code == 200 and str(candidate) in page.content.decode()
        assert "no-store" in page["Cache-Control"]

    def test_board_only(self, reviewer_client, commune_client, reviewer_user, candidate):
        from django.contrib.auth.models import Permission

        assert reviewer_client.get("/access-log/").status_code == 403
        reviewer_user.user_permissions.add(Permission.objects.get(codename="view_file_access"))
        assert Client().get("/access-log/").status_code == 302  # sign in first
        again = Client()
        again.force_login(reviewer_user)
        assert again.get("/access-log/").status_code == 404  # not the province's scope
        assert again.get(f"/access-log/candidates/{candidate.pk}.xlsx").status_code == 404


class TestThePersonExport:
    def test_holds_exactly_what_is_about_the_person(
        self, board_client, board_user, reviewer_user, province, candidate, training_class
    ):
        other = new_candidate(board_user, province.home_establishment, full_name="Cầm Thị Khác")
        FileView.objects.all().delete()
        mine = seed_entry(reviewer_user, candidate, AccessDoor.DETAIL, at(D(2026, 4, 1)))
        seed_entry(reviewer_user, other, AccessDoor.DETAIL, at(D(2026, 4, 1)))
        seed_entry(reviewer_user, training_class, AccessDoor.ROSTER, at(D(2026, 4, 2)), candidates=[candidate.pk])
        seed_entry(reviewer_user, training_class, AccessDoor.ROSTER, at(D(2026, 4, 3)), candidates=[other.pk])
        FileView.record_list(user=board_user, model=Candidate, door=AccessDoor.EXPORT, count=2, filters={"q": "c"})
        FileView.record_list(user=board_user, model=PartyMember, door=AccessDoor.EXPORT, count=9)
        response = board_client.get(f"/access-log/candidates/{candidate.pk}.xlsx")
        assert response.status_code == 200
        reads = xlsx_rows(response, sheet=0)[1:]
        assert [(row[3], row[5]) for row in reads] == [
            (str(AccessDoor.DETAIL.label), candidate.pk),
            (str(AccessDoor.ROSTER.label), training_class.pk),
        ]
        assert mine.pk
        changes = xlsx_rows(response, sheet=1)[1:]
        assert changes and {row[1] for row in changes} == {"board-test"}  # created through the service
        exports = xlsx_rows(response, sheet=2)
        assert len(exports) == 3  # the note, the header, the one export of candidates
        assert '"q": "c"' in exports[2][8]
        assert board_client.get(f"/access-log/candidates/{candidate.pk}.xlsx").status_code == 200

    def test_a_member_and_an_unknown_kind(self, board_client, board_user, member):
        seed_entry(board_user, member, AccessDoor.DOCUMENT, at(D(2026, 4, 1)))
        reads = xlsx_rows(board_client.get(f"/access-log/members/{member.pk}.xlsx"), sheet=0)[1:]
        assert [row[5] for row in reads] == [member.pk]
        assert board_client.get(f"/access-log/cadres/{member.pk}.xlsx").status_code == 404
        assert board_client.get("/access-log/members/999999.xlsx").status_code == 404

    def test_linked_from_the_readers_page(self, board_client, member):
        page = board_client.get(f"/members/{member.pk}/viewers/").content.decode()
        assert f"/access-log/members/{member.pk}.xlsx" in page and "/access-log/" in page
