from django.core.management.base import BaseCommand, CommandError

from sonla_party import backups


class Command(BaseCommand):
    help = "Restore a backup made by backup_db. It REPLACES the data of the target database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.dump for PostgreSQL, .sqlite3 for SQLite).")
        parser.add_argument("--target", help="Restore into this database URL instead of the configured one.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path, target=None, yes=False, **options):
        if not yes:
            answer = input(
                f"Restore {path} over {target or 'the configured database'}? Its data will be replaced. [yes/no] "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(path, target)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {path}."))
