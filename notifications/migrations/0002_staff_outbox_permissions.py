"""Staff watch the outbox: the Staff group may view outgoing messages and retry failed ones.

"change" is what the admin's retry action checks; the admin itself never offers an edit form,
and has no add page. Deleting stays with superusers (old rows are purged on a schedule).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_outgoingmessage", "change_outgoingmessage"]


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are created by post_migrate, after all migrations; make ours exist now.
    app_config = apps.get_app_config("notifications")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name="Staff")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="notifications", codename__in=CODENAMES
    )
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="notifications", codename__in=CODENAMES
    )
    for group in Group.objects.using(using).filter(name="Staff"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("accounts", "0003_staff_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
