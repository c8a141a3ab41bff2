"""Remove sign-ups stranded by the address bug of issue 10.

Before addresses had one normalisation, a sign-up with a dotted capital İ (or a long ſ) stored
an address that lower-casing had made invalid; its confirmation mail could never be queued, so
the account was never verified, never signed in, and every later sign-in for it failed. Such an
account holds nothing its owner ever used, and keeps its address from signing up properly.
Only accounts that never signed in and have no verified address are removed.
"""

from django.db import migrations


def is_usable(address: str) -> bool:
    from notifications.services import normalize_address

    try:
        normalize_address(address)
    except ValueError:
        return False
    return True


def remove_unreachable(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    never_used = User.objects.filter(last_login__isnull=True).exclude(
        pk__in=EmailAddress.objects.filter(verified=True).values("user_id")
    )
    stranded = [user.pk for user in never_used.only("pk", "email") if not is_usable(user.email)]
    EmailAddress.objects.filter(user_id__in=stranded).delete()
    User.objects.filter(pk__in=stranded).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_group"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("donors", "0002_seed_skills"),
        ("notifications", "0002_staff_outbox_permissions"),
    ]

    operations = [migrations.RunPython(remove_unreachable, migrations.RunPython.noop)]
