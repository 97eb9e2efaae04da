"""Training classes are searched without accents, like the other lists: a folded copy of their
name, organiser and venue (`search_text`), filled here for the classes already recorded."""

from django.db import migrations, models

from sonla_party.collation import sort_key
from sonla_party.search import fold


def fill(apps, schema_editor):
    model = apps.get_model("candidates", "TrainingClass")
    rows = list(model.objects.using(schema_editor.connection.alias).only("pk", "name", "organiser", "venue"))
    for row in rows:
        row.search_text = fold(" ".join([row.name, row.organiser, row.venue]))
        row.sort_key = sort_key(row.name)
    model.objects.using(schema_editor.connection.alias).bulk_update(rows, ["search_text", "sort_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0013_candidate_legal_basis_and_anonymised_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingclass",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="trainingclass",
            name="sort_key",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
