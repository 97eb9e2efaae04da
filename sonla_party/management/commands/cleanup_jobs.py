"""Drop the files of finished background jobs older than JOB_FILE_HOURS (exports run as jobs)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from sonla_party.jobs import cleanup_job_files


class Command(BaseCommand):
    help = "Drop the files of background jobs finished more than JOB_FILE_HOURS ago."

    def handle(self, *args, **options):
        dropped = cleanup_job_files()
        if options["verbosity"]:
            self.stdout.write(f"{dropped} file(s) older than {settings.JOB_FILE_HOURS} h dropped.")
