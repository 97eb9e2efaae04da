"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib (no GNU gettext needed).

The .mo files are build products, not committed; `make run` and `make test` call this.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po translation catalogues into .mo files (pure Python)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        if options["verbosity"] > 1 or compiled:
            self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
