"""Sơn La through the July 2025 reform, from the reference files (see establishments/structure.py):
the 12 districts and 200 communes valid until 30/06/2025, the 75 commune-level units under the
province from 01/07/2025 with the unit each old one went into, and the party committees that lead
them (district committees until 30/06/2025, commune committees from 01/07/2025), with every
existing cell placed under its commune's committee on each date."""

from django.db import migrations

from establishments import structure


def forward(apps, schema_editor):
    using = schema_editor.connection.alias
    structure.load_units(apps, using)
    structure.load_party_structure(apps, using)


class Migration(migrations.Migration):
    dependencies = [("establishments", "0008_remove_districts_table")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
