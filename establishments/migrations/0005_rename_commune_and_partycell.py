"""The communes become the table of administrative units (province, districts and communes, with
their validity), and the party cells the table of party organisations (all levels). Renaming keeps
every row, primary key and reference; the next migrations add the new columns and move the
districts into the same table."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("establishments", "0004_partymember_party_member_name_idx"),
        ("candidates", "0006_alter_candidate_options"),
        ("sonla_party", "0006_fileview_view_file_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("Commune", "AdministrativeUnit"),
        migrations.RenameModel("HistoricalCommune", "HistoricalAdministrativeUnit"),
        migrations.RenameModel("PartyCell", "PartyOrganisation"),
        migrations.RenameModel("HistoricalPartyCell", "HistoricalPartyOrganisation"),
        migrations.RenameModel("HistoricalPartyCell_establishments", "HistoricalPartyOrganisation_establishments"),
        migrations.RenameField("HistoricalPartyOrganisation_establishments", "partycell", "partyorganisation"),
    ]
