"""Drop the files of finished background jobs older than JOB_FILE_HOURS (exports run as jobs) and
prune the queue's finished tasks older than JOB_RESULT_DAYS. Every job does the same before its work;
this command is for a server whose workers have been idle."""

from django.conf import settings
from django.core.management.base import BaseCommand

from sonla_party.jobs import housekeeping


class Command(BaseCommand):
    help = (
        "Drop the files of background jobs finished more than JOB_FILE_HOURS ago and the queue's "
        "finished tasks older than JOB_RESULT_DAYS."
    )

    def handle(self, *args, **options):
        dropped, pruned = housekeeping()
        if options["verbosity"]:
            self.stdout.write(f"{dropped} file(s) older than {settings.JOB_FILE_HOURS} h dropped.")
            self.stdout.write(f"{pruned} finished task(s) older than {settings.JOB_RESULT_DAYS} days pruned.")
