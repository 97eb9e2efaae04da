"""FinalisedReport now lives in the `reports` app (its migration 0001 took the tables)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sonla_party", "0004_importbatch"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalFinalisedReport"),
                migrations.DeleteModel(name="FinalisedReport"),
            ],
            database_operations=[],
        ),
    ]
