"""The tasks of the background queue (Django's Tasks API; `django.tasks` from Django 6)."""

from django_tasks import task

from . import jobs


@task()
def run_job(job_id: int, attempt: int) -> None:
    """Run one attempt of a `Job` (see `sonla_party.jobs`)."""
    jobs.run_job(job_id=job_id, attempt=attempt)
