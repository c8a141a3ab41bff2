"""The "Staff" group: what a non-superuser staff member may do in the admin.

Staff find and correct volunteer profiles and curate the skills taxonomy. They never delete:
skills are retired instead (a volunteer's profile may still list one), and volunteers delete
their own accounts through the erasure path, which also cleans logs and sessions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "Staff"

STAFF_PERMISSIONS = {
    "donors": [
        "view_donor",
        "change_donor",
        "view_donorskill",
        "change_donorskill",
        "view_donorlanguage",
        "change_donorlanguage",
        "view_conflict",
        "change_conflict",
        "view_skill",
        "add_skill",
        "change_skill",
        "view_skillcategory",
        "add_skillcategory",
        "change_skillcategory",
    ],
    "accounts": ["view_user"],
    "account": ["view_emailaddress"],
}


def ensure_permissions(apps, using):
    """Permissions are normally created by post_migrate, i.e. after *all* migrations; a fresh
    database would not have them yet. create_permissions skips apps without a models module,
    which historical app configs never have, so mark them for the duration of the call."""
    for label in STAFF_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = None


def create_staff_group(apps, schema_editor):
    using = schema_editor.connection.alias
    ensure_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for app_label, codenames in STAFF_PERMISSIONS.items():
        found = list(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Permissions missing for {app_label}: {sorted(missing)}")
        wanted.extend(found)
    group, _ = Group.objects.using(using).get_or_create(name=STAFF_GROUP)
    group.permissions.set(wanted)


def delete_staff_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=STAFF_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_cache_table"),
        ("donors", "0002_seed_skills"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(create_staff_group, delete_staff_group)]
