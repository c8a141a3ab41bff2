"""State changes of organizations, fights and support requests: one function per change, each
moving a row only from the state it expects and recording who did it and when."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fights.models import MemberRole, Membership, Organization
from notifications.services import notify

# --- Staff: verifying and rejecting organizations ---------------------------------------------
#
# An organization is pending (neither verified nor rejected), verified, or rejected. Staff verify
# a pending organization, or a rejected one that wrote back with what was missing; they reject a
# pending one, or withdraw the verification of one found to act for the other side. Either way
# the organization's admins are told by email, in the same transaction.

ORGANIZATION_VERIFIED = "fights.organization_verified"
ORGANIZATION_REJECTED = "fights.organization_rejected"

NOT_ATTESTED = (
    "Nobody has attested that this is a workers' organization with no interest on the employer "
    "side, so it cannot be verified. Ask its creator to attest first."
)


def checklist_errors(
    *, affiliation_checked, contact_confirmed, web_presence_checked, notes
) -> dict[str, str]:
    """A contact confirmed outside the site is the one check that cannot be skipped; the others
    may be impossible (an independent union has no affiliation, a small worker center no website),
    which the notes must then explain."""
    errors = {}
    if not contact_confirmed:
        errors["contact_confirmed"] = (
            "Confirm a contact outside the site (a phone call, a known email address) before "
            "verifying."
        )
    skipped = not (affiliation_checked and web_presence_checked)
    if skipped and not notes.strip():
        errors["verification_notes"] = "Say in the notes why a check could not be made."
    return errors


def verify_organization(
    organization: Organization,
    *,
    by,
    affiliation_checked: bool = False,
    contact_confirmed: bool = False,
    web_presence_checked: bool = False,
    notes: str = "",
) -> bool:
    """Verify a pending or rejected organization, recording the checklist with who and when.

    False when it was already verified (by someone else, in another tab): nothing changes and
    nobody is mailed twice. ValidationError, by field, when the checklist does not allow it.
    """
    errors = checklist_errors(
        affiliation_checked=affiliation_checked,
        contact_confirmed=contact_confirmed,
        web_presence_checked=web_presence_checked,
        notes=notes,
    )
    if organization.attested_at is None:
        errors["__all__"] = NOT_ATTESTED
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        moved = Organization.objects.filter(pk=organization.pk, verified_at__isnull=True).update(
            verified_at=now,
            verified_by=by,
            rejected_at=None,
            rejected_by=None,
            rejection_reason="",
            affiliation_checked=affiliation_checked,
            contact_confirmed=contact_confirmed,
            web_presence_checked=web_presence_checked,
            verification_notes=notes.strip(),
        )
        if moved:
            organization.refresh_from_db()
            _tell_admins(organization, kind=ORGANIZATION_VERIFIED, at=now)
    return bool(moved)


def reject_organization(organization: Organization, *, by, reason: str) -> bool:
    """Reject a pending organization or withdraw a verification, with the reason its admins are
    told. False when it was already rejected: nothing changes and nobody is mailed twice."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why: the organization's admins read this reason in the email."}
        )
    now = timezone.now()
    with transaction.atomic():
        moved = Organization.objects.filter(pk=organization.pk, rejected_at__isnull=True).update(
            rejected_at=now,
            rejected_by=by,
            rejection_reason=reason,
            verified_at=None,
            verified_by=None,
        )
        if moved:
            organization.refresh_from_db()
            _tell_admins(organization, kind=ORGANIZATION_REJECTED, at=now)
    return bool(moved)


def _tell_admins(organization: Organization, *, kind: str, at) -> None:
    admins = Membership.objects.filter(
        organization=organization, role=MemberRole.ADMIN, user__is_active=True
    ).select_related("user")
    context = {
        "organization_name": organization.name,
        "reason": organization.rejection_reason,
        "organizers_url": settings.SITE_URL + reverse("accounts:organizers"),
        "reply_to": settings.STAFF_CONTACT_EMAIL,
    }
    for membership in admins:
        user = membership.user
        notify(
            to=user.email,
            kind=kind,
            user=user,
            context={**context, "user_display": user.display_name},
            key=f"organization-{organization.pk}-{at.timestamp():.6f}",
        )
