"""What the Staff group may do with trainings.

Staff run trainings: they add and change trainings, venues, trainers, the skills taught, tracks
and sessions, and delete the parts of a programme (a session, a track, a skill taught) that are
edited inline. Registrations are people's own: staff view them and change what staff record
(payment, scholarship decision, attendance through the check-in page and admin actions), but
never add or delete them — people register and cancel themselves, walk-ins go through the
check-in page's service. A training is cancelled (everyone told), not deleted.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "Staff"

STAFF_PERMISSIONS = [
    "view_training",
    "add_training",
    "change_training",
    "view_venue",
    "add_venue",
    "change_venue",
    "view_trainer",
    "add_trainer",
    "change_trainer",
    "view_trainingskill",
    "add_trainingskill",
    "change_trainingskill",
    "delete_trainingskill",
    "view_track",
    "add_track",
    "change_track",
    "delete_track",
    "view_session",
    "add_session",
    "change_session",
    "delete_session",
    "view_registration",
    "change_registration",
]


def _permissions(apps, using):
    # Permissions are created by post_migrate, after *all* migrations (see accounts 0003).
    app_config = apps.get_app_config("trainings")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.using(using).filter(
            content_type__app_label="trainings", codename__in=STAFF_PERMISSIONS
        )
    )
    missing = set(STAFF_PERMISSIONS) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Permissions missing for trainings: {sorted(missing)}")
    return found


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    staff, _ = Group.objects.using(using).get_or_create(name=STAFF_GROUP)
    staff.permissions.add(*_permissions(apps, using))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.using(using).filter(
        content_type__app_label="trainings", codename__in=STAFF_PERMISSIONS
    )
    for staff in Group.objects.using(using).filter(name=STAFF_GROUP):
        staff.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0001_initial"),
        ("accounts", "0003_staff_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
