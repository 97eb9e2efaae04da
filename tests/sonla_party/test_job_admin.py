"""The background jobs in the admin (read-only, without their files) and the housekeeping every
job does before its work (expired files dropped, the queue's old finished tasks pruned)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sonla_party import roles
from sonla_party.jobs import housekeeping
from sonla_party.models import Job
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _job(owner, **fields):
    return Job.objects.create(owner=owner, kind="export", status="failed", message="Lỗi của việc", **fields)


def test_the_admin_lists_every_job_for_a_site_administrator(admin_client_, board_user, superuser):
    mine, theirs = _job(superuser), _job(board_user, file_name="thanh-vien.csv", file_content=b"ID,secret")
    page = admin_client_.get("/admin/sonla_party/job/").content.decode()
    assert all(f"/admin/sonla_party/job/{job.pk}/change/" in page for job in (mine, theirs))
    detail = admin_client_.get(f"/admin/sonla_party/job/{theirs.pk}/change/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "Lỗi của việc" in text and "thanh-vien.csv" in text and "secret" not in text
    assert 'name="_save"' not in text  # read-only: nothing to save
    assert admin_client_.get("/admin/sonla_party/job/add/").status_code == 403


def test_a_staff_member_outside_the_province_scope_sees_their_own_jobs_only(province, board_user):
    reviewer = make_user("reviewer-staff", roles.REVIEWER, district=province.home, is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="view_job"))
    own, other = _job(reviewer), _job(board_user)
    client = Client()
    client.force_login(reviewer)
    page = client.get("/admin/sonla_party/job/").content.decode()
    assert f"/admin/sonla_party/job/{own.pk}/change/" in page
    assert f"/admin/sonla_party/job/{other.pk}/change/" not in page
    assert client.get(f"/admin/sonla_party/job/{other.pk}/change/").status_code == 302  # "does not exist"


def _task_result(status, finished_days_ago):
    finished = timezone.now() - datetime.timedelta(days=finished_days_ago)
    return DBTaskResult.objects.create(
        status=status,
        task_path="sonla_party.tasks.run",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        finished_at=finished,
    )


def test_housekeeping_prunes_old_finished_tasks_and_expired_files(settings, board_user):
    old_done = _task_result("SUCCESSFUL", settings.JOB_RESULT_DAYS + 1)
    old_failed = _task_result("FAILED", settings.JOB_RESULT_DAYS + 1)
    recent = _task_result("SUCCESSFUL", settings.JOB_RESULT_DAYS - 1)
    waiting = _task_result("READY", settings.JOB_RESULT_DAYS + 1)
    expired = _job(board_user, file_name="a.csv", file_content=b"x")
    Job.objects.filter(pk=expired.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=settings.JOB_FILE_HOURS, minutes=1)
    )
    fresh = _job(board_user, file_name="b.csv", file_content=b"y", finished_at=timezone.now())
    assert housekeeping() == (1, 2)
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk} and not {old_done.pk, old_failed.pk} & left
    assert Job.objects.get(pk=expired.pk).file_content is None
    assert bytes(Job.objects.get(pk=fresh.pk).file_content) == b"y"
    assert Job.objects.filter(pk=expired.pk).exists()  # the job itself stays, with how it ended
    call_command("cleanup_jobs", verbosity=0)  # the same by hand: nothing more to do
    assert DBTaskResult.objects.count() == 2
