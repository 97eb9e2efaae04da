"""FinalisedReport moves here from `sonla_party` with its rows and its history: the state is
created here while the tables stay (then renamed to this app's names), and `sonla_party`
forgets the model in its migration 0005. Content types follow, so granted permissions stay."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    using = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("finalisedreport", "historicalfinalisedreport"):
        old = ContentType.objects.db_manager(using).filter(app_label="sonla_party", model=model)
        if old.exists() and not ContentType.objects.db_manager(using).filter(app_label="reports", model=model).exists():
            old.update(app_label="reports")


def restore_content_types(apps, schema_editor):
    using = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("finalisedreport", "historicalfinalisedreport"):
        ContentType.objects.db_manager(using).filter(app_label="reports", model=model).update(app_label="sonla_party")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("sonla_party", "0004_importbatch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalFinalisedReport",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("quarter", models.PositiveSmallIntegerField(verbose_name="quarter")),
                        ("figures", models.JSONField(help_text="Per district id, and 'province'.", verbose_name="figures")),
                        ("finalised_at", models.DateTimeField(blank=True, editable=False, verbose_name="finalised at")),
                        ("note", models.CharField(blank=True, max_length=250, verbose_name="note")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "finalised_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="finalised by",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical finalised quarterly report",
                        "verbose_name_plural": "historical finalised quarterly reports",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "db_table": "sonla_party_historicalfinalisedreport",
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="FinalisedReport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("quarter", models.PositiveSmallIntegerField(verbose_name="quarter")),
                        ("figures", models.JSONField(help_text="Per district id, and 'province'.", verbose_name="figures")),
                        ("finalised_at", models.DateTimeField(auto_now_add=True, verbose_name="finalised at")),
                        ("note", models.CharField(blank=True, max_length=250, verbose_name="note")),
                        (
                            "finalised_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="finalised by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "finalised quarterly report",
                        "verbose_name_plural": "finalised quarterly reports",
                        "ordering": ["-year", "-quarter"],
                        "permissions": [("finalise_report", "Can finalise a quarterly report")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("year", "quarter"),
                                name="finalised_report_once_per_quarter",
                                violation_error_message="This quarter has already been finalised.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("quarter__gte", 1), ("quarter__lte", 4)),
                                name="finalised_report_quarter_1_to_4",
                            ),
                        ],
                        "db_table": "sonla_party_finalisedreport",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="finalisedreport", table=None),
        migrations.AlterModelTable(name="historicalfinalisedreport", table=None),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
