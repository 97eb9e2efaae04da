import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from candidates.services import retention


class Command(BaseCommand):
    help = (
        "Erase the personal data of the files of people who withdrew, were turned down or moved away "
        "more than PERSONAL_DATA_RETENTION_YEARS ago (statistics keep their counts). "
        "--dry-run lists what would be done and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the files only; change nothing.")
        parser.add_argument("--as-of", help="The day to count the retention period back from (yyyy-mm-dd; today).")

    def handle(self, *args, dry_run=False, as_of=None, **options):
        try:
            on = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from error
        due = list(retention.candidates_due_for_anonymisation(on).select_related("establishment"))
        years = settings.PERSONAL_DATA_RETENTION_YEARS
        verb = "would be anonymised" if dry_run else "anonymised"
        # Ids, stage and date only: the listing itself must not spread the data it is about to erase.
        done = 0
        for candidate in due:
            if dry_run or retention.anonymise_candidate(candidate=candidate, on=on):
                done += 1
                self.stdout.write(
                    f"candidate {candidate.pk}\t{candidate.stage}\t{candidate.stage_since:%Y-%m-%d}\t"
                    f"establishment {candidate.establishment_id}"
                )
        self.stdout.write(
            self.style.SUCCESS(f"{done} file(s) {verb} (ended before the last {years} years, as of {on}).")
        )
