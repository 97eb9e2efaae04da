"""`python manage.py load_demo [--scale province] [--reset] [--force]`: the demo province and accounts."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import loader as demo

# What each part of the demo build makes, as the progress lines say it.
STEPS = {
    "registry": "Units, establishments, party organisations, cells, members and cadres",
    "candidates": "Source lists, training classes and candidates' files through the stages",
}


class Command(BaseCommand):
    help = "Load the demo data (a calibrated Sơn La province) and the demo accounts. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["default", "province"],
            default="default",
            help="'province' adds party members up to about 93,000 (Sept 2024).",
        )
        parser.add_argument("--reset", action="store_true", help="Delete all domain data first.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on real data!).")
        parser.add_argument("--seed", type=int, default=2006)

    def say(self, line: str) -> None:
        """A progress line, shown at once even when the output is a pipe (`make run | tee`)."""
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args, scale, reset, force, seed, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo data would mix with real records. Use --force if you are sure.")
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                self.say("Deleting the existing data...")
                demo.delete_domain_data()
            if demo.has_domain_data():
                self.stdout.write("Demo data already present: nothing added (use --reset to rebuild).")
            else:
                self.say(f"Loading the demo province ({scale} scale): about a minute the first time.")
                created = demo.build(
                    seed=seed,
                    scale=scale,
                    starting=lambda part: self.say(f"  {STEPS[part]}..."),
                    report=lambda part, seconds: self.say(f"    done in {seconds:.0f} s"),
                )
                self.stdout.write("  Created:")
                for name, count in created.items():
                    self.stdout.write(f"    {name}: {count}")
            self.say("Creating the demo accounts...")
            demo.ensure_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(demo.accounts_text())
