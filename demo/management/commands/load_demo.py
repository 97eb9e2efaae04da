"""`python manage.py load_demo [--scale province] [--reset] [--force]`: the demo province and accounts."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import loader as demo


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

    def handle(self, *args, scale, reset, force, seed, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo data would mix with real records. Use --force if you are sure.")
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                demo.delete_domain_data()
            if demo.has_domain_data():
                self.stdout.write("Demo data already present: nothing added (use --reset to rebuild).")
            else:
                created = demo.build(
                    seed=seed,
                    scale=scale,
                    report=lambda part, seconds: self.stdout.write(f"  ({part}: {seconds:.0f} s)"),
                )
                for name, count in created.items():
                    self.stdout.write(f"  {name}: {count}")
            demo.ensure_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(demo.accounts_text())
