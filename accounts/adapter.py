"""allauth's account mail goes through the notifications outbox like every other mail.

allauth hands `send_mail` live objects (the request, the user, the confirmation); the outbox
stores a JSON-safe context and renders at send time, so only the strings the templates need
are kept. Links are rebuilt on SITE_URL rather than on the request's Host header, so a forged
Host can never end up in a password-reset link.

Each call is a distinct mail (a re-sent confirmation or a second reset request must go out
again, and allauth's HMAC confirmation links are identical on every resend), so the dedup key
is a fresh random UUID: the key only prevents the *same* call from queueing twice.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
import zoneinfo
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from notifications.kinds import ACCOUNT_KINDS
from notifications.services import normalize_address, notify

logger = logging.getLogger(__name__)

LINK_KEYS = ("activate_url", "password_reset_url", "signup_url")
TEXT_KEYS = ("code", "from_email", "to_email", "deleted_email", "ip", "user_agent")


UNUSABLE_ADDRESS = (
    "We can't send mail to this address as it is written. Type it with plain Latin letters, "
    "digits and . _ - + before the @ (a dotted İ or a long ſ can look like i or s but are not)."
)


LOCKED_OUT = "too_many_login_attempts"


class AccountAdapter(DefaultAccountAdapter):
    # allauth's other sign-in limit (too many attempts from one place) in the site's words;
    # the per-address lock below also says how long it lasts.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        LOCKED_OUT: "Too many sign-in attempts. Wait a few minutes and try again, or reset your "
        "password.",
    }

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's lock after too many failed sign-ins, saying how long it lasts."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as locked:
            if locked.code != LOCKED_OUT:
                raise
            key = self._get_login_attempts_cache_key(request, **credentials)
            minutes = math.ceil(login_wait_seconds(request, key=key) / 60)
            message = ngettext(
                "Too many failed sign-ins. Wait %(minutes)d minute and try again, or reset your "
                "password.",
                "Too many failed sign-ins. Wait %(minutes)d minutes and try again, or reset your "
                "password.",
                minutes,
            )
            raise ValidationError(message, code=LOCKED_OUT, params={"minutes": minutes}) from None

    def clean_email(self, email: str) -> str:
        """Every address allauth's forms accept (sign-up, reset, adding an address) is stored
        and mailed in the one normalised form, or refused here, at the field."""
        try:
            return normalize_address(email)
        except ValueError:
            raise ValidationError(UNUSABLE_ADDRESS, code="invalid") from None

    def is_safe_url(self, url: str) -> bool:
        """allauth's host rules, and on an HTTPS page the redirect must stay on HTTPS."""
        request = allauth_context.request
        secure = request is not None and request.is_secure()
        return super().is_safe_url(url) and url_has_allowed_host_and_scheme(
            url, allowed_hosts={urlsplit(url).netloc or None}, require_https=secure
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        mapped = ACCOUNT_KINDS.get(template_prefix)
        if mapped is None:
            # A mail a newer allauth added: still send it (directly), and say so loudly.
            # tests/notifications/test_adapter.py fails when allauth sends an unmapped prefix.
            logger.error("allauth mail %s is not mapped to a notification kind", template_prefix)
            super().send_mail(template_prefix, email, context)
            return
        user = recipient_user(context.get("user"), email)
        notify(
            to=email,
            kind=mapped[0],
            context=mail_context(context, user=user),
            key=uuid.uuid4().hex,
            user=user,
        )


def login_wait_seconds(request, *, key: str) -> float:
    """Seconds until allauth's failed-sign-in limits let `key` (site and address) try again.

    allauth keeps, per limit, the times of the recent failures (newest first); the limit lifts
    when the oldest failure that still counts is older than the limit's window.
    """
    now = time.time()
    wait = 0.0
    for rate in allauth_ratelimit.get_rates(app="allauth.account", action="login_failed"):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key
        )
        history = cache.get(cache_key, [])
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(wait, 1.0)


def recipient_user(user, email: str):
    """The account the mail is about: allauth's user, or the owner of exactly this address once
    normalised (linking the row lets erasure find it); None for an address without an account.

    Never a case-insensitive lookup: PostgreSQL folds ``ſ`` to ``S`` and the Kelvin sign to
    ``K``, which would tie a look-alike address to someone else's account.
    """
    if user is not None and getattr(user, "pk", None):
        return user
    address = normalize_address(email)
    found = EmailAddress.objects.filter(email=address).select_related("user").first()
    if found is not None:
        return found.user
    return get_user_model().objects.filter(email=address).first()


def mail_context(context: dict, *, user) -> dict:
    """The JSON-safe strings the email templates use, from allauth's live context."""
    data = {key: on_site(str(context[key])) for key in LINK_KEYS if context.get(key)}
    data.update({key: str(context[key]) for key in TEXT_KEYS if context.get(key)})
    if context.get("timestamp"):
        data["timestamp"] = local_time(context["timestamp"], user=user)
        # Security notices offer the reset link in case the change was not the person's.
        data.setdefault("password_reset_url", on_site(reverse("account_reset_password")))
    if user is not None and getattr(user, "display_name", ""):
        data["user_display"] = user.display_name
    return data


def on_site(url: str) -> str:
    """The same path and query, on SITE_URL's scheme and host."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{settings.SITE_URL}{parts.path}{query}"


def local_time(moment, *, user) -> str:
    zone_name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return dateformat.format(timezone.localtime(moment, zone), "j F Y, H:i T")
