"""Reads for account pages."""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.core import signing

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
