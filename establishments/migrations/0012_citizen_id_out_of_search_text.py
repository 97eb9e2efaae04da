"""A party member's citizen ID leaves the folded search text: it is searched only by users who may
see it whole (`search_restricted_fields`). The text of existing rows is rebuilt without it."""

from django.db import migrations

from sonla_party.search import fold


def rebuild(apps, schema_editor):
    model = apps.get_model("establishments", "PartyMember")
    batch = []
    for row in model.objects.using(schema_editor.connection.alias).only("pk", "full_name").iterator(chunk_size=2000):
        row.search_text = fold(row.full_name)
        batch.append(row)
        if len(batch) >= 2000:
            model.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_text"])
            batch = []
    model.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("establishments", "0011_recorded_dates_from_1930_to_today")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
