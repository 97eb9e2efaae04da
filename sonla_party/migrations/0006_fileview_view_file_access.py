"""`view_file_access` belongs to FileView (the base's own model) instead of Candidate: the
existing permission row is re-attached, so every grant of it stays."""

from django.db import migrations


def move_permission(apps, schema_editor, source=("candidates", "candidate"), target=("sonla_party", "fileview")):
    using = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old_type = ContentType.objects.db_manager(using).filter(app_label=source[0], model=source[1]).first()
    new_type = ContentType.objects.db_manager(using).filter(app_label=target[0], model=target[1]).first()
    if old_type is None or new_type is None:
        return  # a new database: the permission is created after the migrations
    old = Permission.objects.db_manager(using).filter(content_type=old_type, codename="view_file_access")
    if not Permission.objects.db_manager(using).filter(content_type=new_type, codename="view_file_access").exists():
        old.update(content_type=new_type)


def move_back(apps, schema_editor):
    move_permission(apps, schema_editor, source=("sonla_party", "fileview"), target=("candidates", "candidate"))


class Migration(migrations.Migration):
    dependencies = [
        ("sonla_party", "0005_move_finalisedreport_to_reports"),
        ("candidates", "0006_alter_candidate_options"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="fileview",
            options={
                "ordering": ["-viewed_at", "-pk"],
                "permissions": [("view_file_access", "Can see who viewed a person's file")],
                "verbose_name": "file view",
                "verbose_name_plural": "file views",
            },
        ),
        migrations.RunPython(move_permission, move_back),
    ]
