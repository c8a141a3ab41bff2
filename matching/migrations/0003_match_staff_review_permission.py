"""Staff review (the candidate page's propose, reject, promote and withdraw) needs
`matching.change_match`; the Staff group gets it. The admin still never edits a match
(MatchAdmin refuses changes): the permission gates the review moves, which go through
matching.services."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "Staff"
PERMISSION = "change_match"


def _permission(apps, using):
    # Permissions are created by post_migrate, after *all* migrations (see accounts 0003).
    app_config = apps.get_app_config("matching")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).get(
        content_type__app_label="matching", codename=PERMISSION
    )


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    staff, _ = Group.objects.using(using).get_or_create(name=STAFF_GROUP)
    staff.permissions.add(_permission(apps, using))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for staff in Group.objects.using(using).filter(name=STAFF_GROUP):
        staff.permissions.remove(_permission(apps, using))


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_staff_group_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
