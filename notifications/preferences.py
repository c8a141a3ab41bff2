"""Who receives which optional mail: preferences, and the signed one-click unsubscribe token.

Essential kinds (account and security mail) are always on. An unsubscribe token is signed and
scoped to (person, kind), never expires, and can only switch that one kind off.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from notifications import kinds
from notifications.models import NotificationPreference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def is_enabled(*, user, kind: str) -> bool:
    """Whether `user` receives `kind` now. Essential kinds always; unknown kinds never."""
    if not kinds.is_registered(kind):
        return False
    entry = kinds.get_kind(kind)
    if entry.essential:
        return True
    if user is None:
        return False
    choice = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return entry.default_on if choice is None else choice.enabled


def preferences_for(*, user) -> dict[str, bool]:
    """Every optional kind mapped to whether `user` receives it."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {k.name: chosen.get(k.name, k.default_on) for k in kinds.optional_kinds()}


def set_preference(*, user, kind: str, enabled: bool) -> None:
    if kinds.get_kind(kind).essential:
        raise ValueError(f"{kind!r} is essential and cannot be switched off.")
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled}
    )


def set_preferences(*, user, choices: dict[str, bool]) -> None:
    with transaction.atomic():
        for kind, enabled in choices.items():
            set_preference(user=user, kind=kind, enabled=enabled)


def unsubscribe_token(*, user, kind: str) -> str:
    """A signed, non-expiring token for (person, kind); it can only switch that kind off."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token, or signing.BadSignature if it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
        or not isinstance(data.get("k"), str)
    ):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], data["k"]


def resolve_unsubscribe(token: str):
    """(user, Kind) a token unsubscribes. signing.BadSignature for a forged or damaged token;
    LookupError when the account is gone or the kind can no longer be switched off."""
    from django.contrib.auth import get_user_model

    user_id, kind_name = read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not kinds.is_registered(kind_name):
        raise LookupError("Nothing to unsubscribe from.")
    kind = kinds.get_kind(kind_name)
    if kind.essential:
        raise LookupError("Essential mail cannot be switched off.")
    return user, kind


def unsubscribe_url(*, user, kind: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user=user, kind=kind)])
    return settings.SITE_URL + path


def preferences_url() -> str:
    return settings.SITE_URL + reverse("notifications:preferences")
