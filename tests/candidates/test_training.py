"""Awareness classes: bulk enrolment with reasons, the roster moving people to `trained`, scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from candidates import services
from candidates.choices import Stage
from candidates.models import Candidate, Enrollment, TrainingClass
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import EstablishmentFactory
from tests.helpers import count_queries, xlsx_rows

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def training_class(province):
    return TrainingClass.objects.create(
        name="Lớp 1/2025",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=province.home,
        starts_on=D(2025, 3, 3),
        ends_on=D(2025, 3, 7),
        capacity=50,
    )


def sources(by, establishment, count):
    """`count` candidates on the source list, each through the service."""
    return [new_candidate(by, establishment, citizen_id=None, full_name=f"Quàng Văn {n:03d}") for n in range(count)]


def enrol(training_class, candidates, by):
    return services.enrol_candidates(
        training_class=training_class,
        candidate_ids=[c.pk for c in candidates],
        enrolled_on=min(D(2025, 2, 20), training_class.ends_on),  # enrolled before the class ended
        by=by,
    )


def test_enrolling_200_costs_the_same_queries_as_enrolling_20(board_user, province, training_class):
    training_class.capacity = 500
    training_class.save()
    few = sources(board_user, province.home_establishment, 20)
    many = sources(board_user, EstablishmentFactory(commune=province.home_commune), 200)
    other_class = TrainingClass.objects.create(
        name="Lớp 2/2025",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=province.home,
        starts_on=D(2025, 3, 3),
        ends_on=D(2025, 3, 7),
        capacity=500,
    )
    board_user.has_perm("candidates.add_enrollment")  # permission cache, as in a request
    with CaptureQueriesContext(connection) as for_20:
        assert len(enrol(training_class, few, board_user).enrolled) == 20
    with CaptureQueriesContext(connection) as for_200:
        assert len(enrol(other_class, many, board_user).enrolled) == 200

    def split(context):
        inserts = [q for q in context.captured_queries if q["sql"].startswith("INSERT")]
        return len(context.captured_queries) - len(inserts), len(inserts)

    (reads_20, inserts_20), (reads_200, inserts_200) = split(for_20), split(for_200)
    assert reads_200 == reads_20
    # two bulk inserts (enrolments and their history), each split into the batches the database
    # takes (one on PostgreSQL; on SQLite as many as its limit of parameters per query needs)
    assert inserts_20 == 2
    assert inserts_200 == insert_batches(Enrollment, 200) + insert_batches(Enrollment.history.model, 200)
    if connection.vendor == "postgresql":
        assert inserts_200 == 2


def insert_batches(model, rows: int, batch_size: int = 500) -> int:
    """How many INSERT statements a bulk_create of `rows` new rows of `model` takes here."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or not f.has_default()]
    fields = [f for f in fields if not getattr(f, "db_returning", False)]
    size = min(batch_size, connection.ops.bulk_batch_size(fields, [model()] * rows) or batch_size)
    return -(-rows // size)


class TestRefusals:
    def test_each_reason_is_given(self, board_user, province, training_class):
        fresh, certified, enrolled, elsewhere, gone = sources(board_user, province.home_establishment, 5)
        stranger = new_candidate(
            board_user, province.other_establishment, citizen_id=None, full_name="Người huyện khác"
        )
        services.record_training(
            candidate=certified, certificate_number="X1", certificate_on=D(2024, 6, 1), issuer="TTCT", by=board_user
        )
        enrol(training_class, [enrolled], board_user)
        earlier = TrainingClass.objects.create(
            name="Lớp cũ",
            organiser="TTCT",
            unit=province.home,
            starts_on=D(2025, 3, 1),
            ends_on=D(2025, 3, 20),
            capacity=5,
        )
        enrol(earlier, [elsewhere], board_user)
        services.withdraw_candidate(candidate=gone, withdrawn_on=D(2023, 2, 1), note="Xin rút", by=board_user)

        result = enrol(training_class, [fresh, certified, enrolled, elsewhere, gone, stranger], board_user)
        reasons = {c.full_name: reason for c, reason in result.refused}
        assert [c.full_name for c in result.enrolled] == [fresh.full_name]
        assert reasons == {
            certified.full_name: "valid_certificate",
            enrolled.full_name: "already_enrolled",
            elsewhere.full_name: "enrolled_elsewhere",
            gone.full_name: "not_on_source_list",
            stranger.full_name: "other_district",
        }

    def test_beyond_capacity(self, board_user, province, training_class):
        training_class.capacity = 3
        training_class.save()
        people = sources(board_user, province.home_establishment, 5)
        result = enrol(training_class, people, board_user)
        assert len(result.enrolled) == 3
        assert [reason for _c, reason in result.refused] == ["full", "full"]

    def test_outside_the_users_scope(self, reviewer_user, board_user, province, training_class):
        theirs = new_candidate(board_user, province.other_establishment, citizen_id=None)
        result = enrol(training_class, [theirs], reviewer_user)
        assert result.refused == [] and result.outside_scope == 1 and not Enrollment.objects.exists()

    def test_the_summary_page_lists_every_reason(self, board_client, board_user, province, training_class):
        fresh, certified = sources(board_user, province.home_establishment, 2)
        services.record_training(
            candidate=certified, certificate_number="X1", certificate_on=D(2024, 6, 1), issuer="TTCT", by=board_user
        )
        TrainingClass.objects.filter(pk=training_class.pk).update(starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 5))
        stranger = new_candidate(board_user, province.other_establishment, citizen_id=None, full_name="Người khác")
        response = board_client.post(
            "/training-classes/enrol/",
            {"training_class": training_class.pk, "selection": [fresh.pk, certified.pk, stranger.pk]},
        )
        page = response.content.decode()
        assert response.status_code == 200
        with translation.override("vi"):
            for reason in ("valid_certificate", "other_district"):
                assert str(services.REFUSAL_REASONS[reason]) in page
        assert certified.full_name in page and stranger.full_name in page

    def test_enrol_all_that_match_the_filter(self, board_client, board_user, province, training_class):
        TrainingClass.objects.filter(pk=training_class.pk).update(starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 5))
        sources(board_user, province.home_establishment, 4)
        sources(board_user, EstablishmentFactory(commune=province.home_commune, name="Bản Khác"), 3)
        target = Candidate.objects.filter(establishment=province.home_establishment)
        data = {
            "training_class": training_class.pk,
            "everyone": "1",
            "filters": f"establishment={province.home_establishment.pk}&stage=source",
        }
        asked = board_client.post("/training-classes/enrol/", data)
        assert asked.status_code == 200 and asked.context["count"] == 4  # the number, to confirm
        assert 'name="confirmed_count" value="4"' in asked.content.decode()
        assert not Enrollment.objects.exists()
        response = board_client.post("/training-classes/enrol/", {**data, "confirmed_count": "4"})
        assert response.status_code == 200 and "result" in response.context
        assert set(Enrollment.objects.values_list("candidate", flat=True)) == set(target.values_list("pk", flat=True))

    def test_a_count_that_changed_since_the_confirmation_is_asked_again(
        self, board_client, board_user, province, training_class
    ):
        TrainingClass.objects.filter(pk=training_class.pk).update(starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 5))
        sources(board_user, province.home_establishment, 3)
        data = {"training_class": training_class.pk, "everyone": "1", "filters": "stage=source"}
        new_candidate(board_user, province.home_establishment, citizen_id=None, full_name="Lò Văn Mới")
        response = board_client.post("/training-classes/enrol/", {**data, "confirmed_count": "3"})  # now 4 match
        assert response.context["count"] == 4 and response.context["changed"]
        assert 'data-testid="count-changed"' in response.content.decode()
        assert not Enrollment.objects.exists()


class TestReasonsAndPastClasses:
    def test_a_member_is_already_a_member_not_off_the_source_list(self, board_user, province, training_class):
        admitted, official = sources(board_user, province.home_establishment, 2)
        Candidate.objects.filter(pk=admitted.pk).update(stage=Stage.ADMITTED)
        Candidate.objects.filter(pk=official.pk).update(stage=Stage.OFFICIAL)
        from candidates.models import SourceListEntry

        SourceListEntry.objects.filter(candidate__in=[admitted, official]).update(removed_on=D(2024, 1, 1))
        result = enrol(training_class, [admitted, official], board_user)
        assert {reason for _c, reason in result.refused} == {"already_member"}
        with translation.override("en"):
            assert list(result.refused_by_reason()) == ["already a member of the Party"]

    def test_an_ended_class_receives_the_enrolments_that_happened(self, board_client, board_user, province):
        ended = TrainingClass.objects.create(
            name="Lớp đã học",
            organiser="TTCT Mộc Châu",
            unit=province.home,
            starts_on=timezone.localdate() - datetime.timedelta(days=40),
            ends_on=timezone.localdate() - datetime.timedelta(days=35),
            capacity=10,
        )
        (first,) = sources(board_user, province.home_establishment, 1)
        assert ended.pk in {c.pk for c in board_client.get("/candidates/").context["ended_classes"]}
        post = {"training_class": ended.pk, "selection": [first.pk]}
        board_client.post("/training-classes/enrol/", post)  # no date: refused, the class has ended
        assert not Enrollment.objects.exists()
        late = (ended.ends_on + datetime.timedelta(days=1)).isoformat()
        board_client.post("/training-classes/enrol/", {**post, "enrolled_on": late})  # after its last day
        assert not Enrollment.objects.exists()
        on = ended.starts_on - datetime.timedelta(days=3)
        response = board_client.post("/training-classes/enrol/", {**post, "enrolled_on": on.isoformat()})
        assert response.status_code == 200
        assert list(Enrollment.objects.values_list("candidate", "enrolled_on")) == [(first.pk, on)]

    def test_an_enrolment_in_the_future_is_refused(self, board_user, province, training_class):
        with pytest.raises(services.TrainingError):
            services.enrol_candidates(
                training_class=training_class,
                candidate_ids=[],
                enrolled_on=timezone.localdate() + datetime.timedelta(days=1),
                by=board_user,
            )


def roster_post(training_class, rows):
    data = {"roster-TOTAL_FORMS": str(len(rows)), "roster-INITIAL_FORMS": str(len(rows))}
    for index, (enrollment, fields) in enumerate(rows):
        data[f"roster-{index}-enrollment"] = enrollment.pk
        for key, value in fields.items():
            data[f"roster-{index}-{key}"] = value
    return data


class TestRoster:
    def test_completing_moves_the_candidate_to_trained(self, board_client, board_user, province, training_class):
        first, second = sources(board_user, province.home_establishment, 2)
        enrol(training_class, [first, second], board_user)
        e1, e2 = Enrollment.objects.order_by("candidate__full_name")
        response = board_client.post(
            f"/training-classes/{training_class.pk}/roster/",
            roster_post(
                training_class,
                [
                    (
                        e1,
                        {
                            "attended": "on",
                            "completed": "on",
                            "essay_result": "good",
                            "certificate_number": "123/2025/1",
                            "certificate_on": "2025-03-10",
                        },
                    ),
                    (e2, {"attended": "on"}),
                ],
            ),
        )
        assert response.status_code == 302
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.stage == Stage.TRAINED and first.certificate_number == "123/2025/1"
        assert first.certificate_issuer == training_class.organiser
        assert second.stage == Stage.SOURCE
        assert first.events.filter(stage=Stage.TRAINED, occurred_on=D(2025, 3, 10)).exists()

    def test_a_duplicate_certificate_number_of_the_organiser_is_refused_and_nothing_saved(
        self, board_client, board_user, province, training_class
    ):
        earlier = TrainingClass.objects.create(
            name="Lớp 0/2024",
            organiser=training_class.organiser,
            unit=province.home,
            starts_on=D(2024, 3, 3),
            ends_on=D(2024, 3, 7),
            capacity=50,
        )
        old, first, second = sources(board_user, province.home_establishment, 3)
        enrol(earlier, [old], board_user)
        services.save_roster(
            training_class=earlier,
            by=board_user,
            rows=[services.RosterRow(Enrollment.objects.get(candidate=old), True, True, "good", "N-1", D(2024, 3, 8))],
        )
        enrol(training_class, [first, second], board_user)
        e1 = Enrollment.objects.get(candidate=first)
        e2 = Enrollment.objects.get(candidate=second)
        response = board_client.post(
            f"/training-classes/{training_class.pk}/roster/",
            roster_post(
                training_class,
                [
                    (e1, {"completed": "on", "certificate_number": "N-2", "certificate_on": "2025-03-10"}),
                    (e2, {"completed": "on", "certificate_number": "N-1", "certificate_on": "2025-03-10"}),
                ],
            ),
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "N-1" in page and old.full_name in page  # who already holds that number
        assert 'value="N-2"' in page  # what was typed is kept
        for candidate in (first, second):
            candidate.refresh_from_db()
            assert candidate.stage == Stage.SOURCE
        assert not Enrollment.objects.filter(training_class=training_class, completed=True).exists()

    def test_the_same_number_twice_in_one_roster_is_refused(self, board_user, province, training_class):
        first, second = sources(board_user, province.home_establishment, 2)
        enrol(training_class, [first, second], board_user)
        rows = [
            services.RosterRow(e, True, True, "", "N-9", D(2025, 3, 10))
            for e in Enrollment.objects.filter(training_class=training_class)
        ]
        with pytest.raises(services.RosterError) as refused:
            services.save_roster(training_class=training_class, rows=rows, by=board_user)
        assert set(refused.value.errors) == {0, 1}
        assert not Candidate.objects.filter(stage=Stage.TRAINED).exists()

    def test_another_organiser_may_use_the_same_number(self, board_user, province, training_class):
        other = TrainingClass.objects.create(
            name="Lớp huyện khác",
            organiser="Trung tâm Chính trị Sông Mã",
            unit=province.home,
            starts_on=D(2025, 3, 3),
            ends_on=D(2025, 3, 7),
            capacity=50,
        )
        first, second = sources(board_user, province.home_establishment, 2)
        enrol(training_class, [first], board_user)
        enrol(other, [second], board_user)
        for tc, person in ((training_class, first), (other, second)):
            services.save_roster(
                training_class=tc,
                by=board_user,
                rows=[
                    services.RosterRow(Enrollment.objects.get(candidate=person), True, True, "", "7", D(2025, 3, 9))
                ],
            )
        assert Candidate.objects.filter(stage=Stage.TRAINED).count() == 2

    def test_a_refusal_of_the_pipeline_undoes_the_whole_roster(self, board_user, province, training_class):
        ok, late = sources(board_user, province.home_establishment, 2)
        enrol(training_class, [ok, late], board_user)
        rows = [
            services.RosterRow(Enrollment.objects.get(candidate=ok), True, True, "", "A1", D(2025, 3, 9)),
            # the certificate date is after today: the pipeline refuses it
            services.RosterRow(Enrollment.objects.get(candidate=late), True, True, "", "A2", D(2025, 3, 9)),
        ]
        services.withdraw_candidate(candidate=late, withdrawn_on=D(2023, 5, 1), note="Đi làm xa", by=board_user)
        with pytest.raises(services.RosterError):
            services.save_roster(training_class=training_class, rows=rows, by=board_user)
        ok.refresh_from_db()
        assert ok.stage == Stage.SOURCE
        assert not Enrollment.objects.filter(completed=True).exists()

    def test_roster_exports_and_prints(self, board_client, board_user, province, training_class):
        first = sources(board_user, province.home_establishment, 1)[0]
        enrol(training_class, [first], board_user)
        rows = xlsx_rows(board_client.get(f"/training-classes/{training_class.pk}/roster.xlsx"))
        assert rows[1][1] == first.full_name and rows[1][0] == 1
        page = board_client.get(f"/training-classes/{training_class.pk}/print/")
        assert first.full_name in page.content.decode()


class TestClassesAndScope:
    def test_reviewer_sees_and_manages_only_their_district(
        self, reviewer_client, board_user, province, training_class
    ):
        theirs = TrainingClass.objects.create(
            name="Lớp Sông Mã",
            organiser="TTCT Sông Mã",
            unit=province.other,
            starts_on=D(2025, 3, 3),
            ends_on=D(2025, 3, 7),
            capacity=50,
        )
        listed = reviewer_client.get("/training-classes/")
        assert [row.record for row in listed.context["table"].rows] == [training_class]
        for url in (
            f"/training-classes/{theirs.pk}/",
            f"/training-classes/{theirs.pk}/roster/",
            f"/training-classes/{theirs.pk}/roster.xlsx",
            f"/training-classes/{theirs.pk}/edit/",
        ):
            assert reviewer_client.get(url).status_code == 404, url
        mine = new_candidate(board_user, province.home_establishment, citizen_id=None)
        response = reviewer_client.post(
            "/training-classes/enrol/", {"training_class": theirs.pk, "selection": [mine.pk]}
        )
        assert response.status_code == 302 and not Enrollment.objects.exists()
        created = reviewer_client.post(
            "/training-classes/new/",
            {"name": "Lớp X", "unit": province.other.pk, "starts_on": "2026-12-01", "capacity": "30"},
        )
        assert created.status_code == 200 and created.context["form"].errors["unit"]

    def test_a_class_defaults_to_five_days_and_the_district_political_centre(self, board_client, province):
        board_client.post(
            "/training-classes/new/",
            {"name": "Lớp 3/2026", "unit": province.home.pk, "starts_on": "2026-12-07", "capacity": "40"},
        )
        created = TrainingClass.objects.get(name="Lớp 3/2026")
        assert created.ends_on == D(2026, 12, 11)
        assert "Mộc Châu" in created.organiser

    def test_class_list_filters_by_status_and_year(self, board_client, province, training_class):
        upcoming = TrainingClass.objects.create(
            name="Lớp sắp tới",
            organiser="TTCT",
            unit=province.home,
            starts_on=timezone.localdate() + datetime.timedelta(days=10),
            ends_on=timezone.localdate() + datetime.timedelta(days=14),
            capacity=5,
        )
        rows = lambda q: [r.record for r in board_client.get(f"/training-classes/?{q}").context["table"].rows]  # noqa: E731
        assert rows("status=upcoming") == [upcoming]
        assert rows("status=finished") == [training_class]
        assert rows("year=2025") == [training_class]
        assert board_client.get("/training-classes/?status=sometime").context["filter"].form.errors

    def test_an_expiring_certificate_shows_in_the_work_queue(self, board_client, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        advance(candidate, Stage.TRAINED, board_user)
        expires = candidate.certificate_expires_on()
        page = board_client.get(
            f"/candidates/queue/?window=30&as_of={(expires - datetime.timedelta(days=20)).isoformat()}"
        )
        rows = list(page.context["table"].rows)
        assert [row.record for row in rows] == [candidate]
        candidate.refresh_from_db()
        assert candidate.next_due_kind == "certificate_expires"


def test_class_list_costs_the_same_queries_at_2_and_20_classes(board_client, province):
    def add(numbers):
        for n in numbers:
            TrainingClass.objects.create(
                name=f"Lớp {n}/2024",
                organiser="Trung tâm Chính trị Mộc Châu",
                unit=province.home,
                starts_on=D(2024, 1, 1) + datetime.timedelta(days=10 * n),
                ends_on=D(2024, 1, 5) + datetime.timedelta(days=10 * n),
                capacity=40,
            )

    add(range(2))
    at_two = count_queries(board_client, "/training-classes/", cap=7)
    add(range(2, 20))
    assert count_queries(board_client, "/training-classes/", cap=7) == at_two
    assert len(board_client.get("/training-classes/").context["table"].page.object_list) == 20


class TestRosterSaysWhatIsTrue:
    def test_a_failed_essay_earns_no_certificate(self, board_client, board_user, province, training_class):
        (candidate,) = sources(board_user, province.home_establishment, 1)
        enrol(training_class, [candidate], board_user)
        enrollment = Enrollment.objects.get()
        row = {"attended": "on", "completed": "on", "essay_result": "fail"}
        row |= {"certificate_number": "123/2025/9", "certificate_on": "2025-03-10"}
        response = board_client.post(
            f"/training-classes/{training_class.pk}/roster/", roster_post(training_class, [(enrollment, row)])
        )
        assert response.status_code == 400
        assert response.context["formset"].forms[0].errors["essay_result"]
        candidate.refresh_from_db()
        assert candidate.stage == Stage.SOURCE and not candidate.certificate_number
        assert not Enrollment.objects.get().completed

    def test_a_refused_roster_shows_the_stages_the_database_holds(
        self, board_client, board_user, province, training_class
    ):
        first, second = sources(board_user, province.home_establishment, 2)
        enrol(training_class, [first, second], board_user)
        Candidate.objects.filter(pk=second.pk).update(stage_since=D(2025, 3, 9))  # the pipeline will refuse row 2
        e1, e2 = Enrollment.objects.order_by("candidate__full_name")
        done = {"attended": "on", "completed": "on", "essay_result": "good", "certificate_on": "2025-03-08"}
        response = board_client.post(
            f"/training-classes/{training_class.pk}/roster/",
            roster_post(
                training_class,
                [(e1, {**done, "certificate_number": "R-1"}), (e2, {**done, "certificate_number": "R-2"})],
            ),
        )
        assert response.status_code == 400
        assert Candidate.objects.get(pk=first.pk).stage == Stage.SOURCE  # nothing saved
        shown = [form.enrollment_object for form in response.context["formset"].forms]
        assert [e.candidate.stage for e in shown] == [Stage.SOURCE, Stage.SOURCE]
        assert not any(e.completed for e in shown)
