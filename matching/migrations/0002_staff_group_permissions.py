"""The Staff group may view matches and rejected candidates in the admin; moves go through the
matching services (staff review pages), never through admin edits."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "Staff"
STAFF_PERMISSIONS = ["view_match", "view_candidaterejection"]


def _permissions(apps, using):
    # Permissions are created by post_migrate, after *all* migrations (see accounts 0003).
    app_config = apps.get_app_config("matching")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return list(
        Permission.objects.using(using).filter(
            content_type__app_label="matching", codename__in=STAFF_PERMISSIONS
        )
    )


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    staff, _ = Group.objects.using(using).get_or_create(name=STAFF_GROUP)
    staff.permissions.add(*_permissions(apps, using))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for staff in Group.objects.using(using).filter(name=STAFF_GROUP):
        staff.permissions.remove(*_permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("accounts", "0003_staff_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
