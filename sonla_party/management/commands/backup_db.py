from django.core.management.base import BaseCommand, CommandError

from sonla_party import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump on PostgreSQL, a consistent copy on SQLite) into backups/."

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="Where to write the backup (default: backups/).")

    def handle(self, *args, directory=None, **options):
        try:
            path = backups.backup(directory)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path}"))
