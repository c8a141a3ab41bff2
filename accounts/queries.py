"""Reads for account pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import signing
from django.db.models import Exists, OuterRef, Value

from config import onequery

if TYPE_CHECKING:
    from accounts.models import User

CONFIRMED = "confirmed"
EXPIRED = "expired"
INVALID = "invalid"


def confirmation_link_state(key: str) -> tuple[str, EmailAddress | None]:
    """What a confirmation link allauth no longer accepts is: (state, address).

    allauth's links are the address's id signed with a timestamp (EmailConfirmationHMAC); it
    refuses one that is too old *or* whose address is already confirmed. Read without the age
    limit, the signature still tells the two apart: an address confirmed since ("confirmed"),
    or one still waiting whose link is too old ("expired"). Anything else is "invalid".
    """
    try:
        pk = signing.loads(key, salt=allauth_settings.SALT)
    except signing.BadSignature:
        return INVALID, None
    address = EmailAddress.objects.filter(pk=pk).select_related("user").first()
    if address is None:
        return INVALID, None
    return (CONFIRMED if address.verified else EXPIRED), address


def _permissions_of(user_id):
    """A user's own permissions and their groups' (ModelBackend's two queries) as one."""
    fields = ("content_type__app_label", "codename")
    own = Permission.objects.filter(user=user_id).values_list(Value("user"), *fields)
    groups = Permission.objects.filter(group__user=user_id).values_list(Value("group"), *fields)
    return own.order_by().union(groups.order_by(), all=True)


_PERMISSIONS = onequery.Compiled(_permissions_of)


def load_permissions(user) -> None:
    """Fill the two caches Django's ModelBackend keeps a user's permissions in for a request
    (`_user_perm_cache`, `_group_perm_cache`: "app_label.codename" sets) with one query instead
    of its two. Every admin page reads permissions; the answers are the backend's own."""
    if not user.is_active or user.is_superuser or hasattr(user, "_perm_cache"):
        return  # nothing to check, all of them (ModelBackend's own query), or already read
    found = {"user": set(), "group": set()}
    for kind, app_label, codename in _PERMISSIONS.rows(user.pk):
        found[kind].add(f"{app_label}.{codename}")
    user._user_perm_cache, user._group_perm_cache = found["user"], found["group"]


def _users_by_pk(pk):
    """The user, and whether they have a volunteer profile (User.is_volunteer: the header asks
    on every page, and it was a query of its own)."""
    from accounts.models import User

    donors = User._meta.get_field("donor").related_model.objects  # accounts imports no app's
    return User.objects.filter(pk=pk).annotate(
        _has_donor=Exists(donors.filter(user=OuterRef("pk")))
    )


_BY_PK = onequery.Compiled(_users_by_pk)


def user_by_pk(pk, *, using) -> User | None:
    """The user with this primary key, or None (User.objects.get(pk=...), compiled once),
    knowing whether they are a volunteer."""
    return next(iter(_BY_PK.instances(_BY_PK.rows(pk, using=using), using=using)), None)
