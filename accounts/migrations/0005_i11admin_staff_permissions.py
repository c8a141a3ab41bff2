"""Looking is not editing: the Staff group sees volunteer profiles and vets them, but no longer
changes them. Corrections are the exception, by the few staff a superuser puts in the
"Profile editors" group (with Staff): they change a profile and add or remove its skills,
languages and conflicts. Volunteers own their profiles.
"""

import importlib

from django.db import migrations

STAFF_GROUP = "Staff"
EDITORS_GROUP = "Profile editors"
# Taken from the Staff group, given to Profile editors instead.
STAFF_NO_LONGER = ["change_donor", "change_donorskill", "change_donorlanguage", "change_conflict"]
STAFF_NOW = ["vet_donor"]
EDITORS = [
    "view_donor",
    "change_donor",
    *(
        f"{action}_{model}"
        for model in ("donorskill", "donorlanguage", "conflict")
        for action in ("view", "add", "change", "delete")
    ),
]


def donor_permissions(apps, using, codenames):
    staff_group = importlib.import_module("accounts.migrations.0003_staff_group")
    staff_group.ensure_permissions(apps, using)  # vet_donor is new: post_migrate comes later
    Permission = apps.get_model("auth", "Permission")
    found = list(
        Permission.objects.using(using).filter(
            content_type__app_label="donors", codename__in=codenames
        )
    )
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Permissions missing for donors: {sorted(missing)}")
    return found


def split_staff_and_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    staff, _ = Group.objects.using(using).get_or_create(name=STAFF_GROUP)
    staff.permissions.remove(*donor_permissions(apps, using, STAFF_NO_LONGER))
    staff.permissions.add(*donor_permissions(apps, using, STAFF_NOW))
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    editors.permissions.set(donor_permissions(apps, using, EDITORS))


def join_them_again(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Group.objects.using(using).filter(name=EDITORS_GROUP).delete()
    staff = Group.objects.using(using).get(name=STAFF_GROUP)
    staff.permissions.remove(*donor_permissions(apps, using, STAFF_NOW))
    staff.permissions.add(*donor_permissions(apps, using, STAFF_NO_LONGER))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_remove_unreachable_signups"),
        ("donors", "0005_i11admin_donor_vet_permission"),
    ]

    operations = [migrations.RunPython(split_staff_and_editors, join_them_again)]
