"""What the Staff group may do with organizers' data, and a group for confidential fights.

Staff verify or reject organizations (change_organization runs both actions) and correct what
organizers typed in fights, requests and their skills and languages; they fix memberships (an
organization whose only admin left). They never add organizations, fights or requests (the
organizers do, attesting who they are), never delete them (rejecting, closing and cancelling
are the organizers' and the services' job, and keep history), and never see confidential
fights: `view_confidential_fight` is in its own group, "Confidential fights", given by hand to
the few staff who must see them. Request templates are the guided path's, edited by staff and
retired by unticking "active" rather than deleted.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "Staff"
CONFIDENTIAL_GROUP = "Confidential fights"

STAFF_PERMISSIONS = [
    "view_organization",
    "change_organization",
    "view_membership",
    "add_membership",
    "change_membership",
    "delete_membership",
    "view_invitation",
    "view_fight",
    "change_fight",
    "view_supportrequest",
    "change_supportrequest",
    "view_requestskill",
    "add_requestskill",
    "change_requestskill",
    "delete_requestskill",
    "view_requestlanguage",
    "add_requestlanguage",
    "change_requestlanguage",
    "delete_requestlanguage",
    "view_requesttemplate",
    "add_requesttemplate",
    "change_requesttemplate",
    "view_requesttemplateskill",
    "add_requesttemplateskill",
    "change_requesttemplateskill",
    "delete_requesttemplateskill",
]
CONFIDENTIAL_PERMISSIONS = ["view_confidential_fight"]


def _permissions(apps, using, codenames):
    # Permissions are created by post_migrate, after *all* migrations (see accounts 0003).
    app_config = apps.get_app_config("fights")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.using(using).filter(
            content_type__app_label="fights", codename__in=codenames
        )
    )
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Permissions missing for fights: {sorted(missing)}")
    return found


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    staff, _ = Group.objects.using(using).get_or_create(name=STAFF_GROUP)
    staff.permissions.add(*_permissions(apps, using, STAFF_PERMISSIONS))
    confidential, _ = Group.objects.using(using).get_or_create(name=CONFIDENTIAL_GROUP)
    confidential.permissions.set(_permissions(apps, using, CONFIDENTIAL_PERMISSIONS))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    fights = Permission.objects.using(using).filter(content_type__app_label="fights")
    for staff in Group.objects.using(using).filter(name=STAFF_GROUP):
        staff.permissions.remove(*fights.filter(codename__in=STAFF_PERMISSIONS))
    Group.objects.using(using).filter(name=CONFIDENTIAL_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fights", "0002_seed_request_templates"),
        ("accounts", "0003_staff_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
