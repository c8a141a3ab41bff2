"""Changes to organizations, fights and support requests. Views call these; nothing else writes.

Every status change is one function that moves the row only from the states it expects: a
conditional `UPDATE … WHERE status IN (expected)` whose row count says whether this call won
(a double-clicked button or a second tab loses cleanly), recording who did it and when.
Refusals raise `Refused` with a message written for the organizer.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from donors.models import normalize_name
from fights.models import (
    Fight,
    FightStatus,
    Invitation,
    MemberRole,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    RequestStatus,
    RequestTemplate,
    SupportRequest,
    Visibility,
)
from notifications.services import notify

INVITATION_SALT = "fights.invitation"
INVITATION_KIND = "fights.invitation"


class Refused(Exception):
    """The change is not allowed now; `str(error)` says why, in words for the organizer."""


# --- Organizations ---------------------------------------------------------------------------

ORGANIZATION_FIELDS = (
    "name",
    "kind",
    "affiliation",
    "country",
    "region",
    "city",
    "website",
    "description",
)


def unique_slug(model, text: str, *, always_suffix=False) -> str:
    """A slug from `text`, with a random suffix when it is taken (or always, when asked: a
    confidential fight's address must not tell outsiders that a same-named fight exists)."""
    base = slugify(text)[:200] or "untitled"
    if not always_suffix and not model.objects.filter(slug=base).exists():
        return base
    while True:
        candidate = f"{base}-{secrets.token_hex(3)}"
        if not model.objects.filter(slug=candidate).exists():
            return candidate


def create_organization(*, by, data: dict) -> Organization:
    """A new, unverified organization with `by` as its first admin. The form has made `by`
    attest that it is a workers' organization with no interest on the employer side."""
    with transaction.atomic():
        organization = Organization.objects.create(
            **{name: data[name] for name in ORGANIZATION_FIELDS if name in data},
            slug=unique_slug(Organization, data["name"]),
            attested_at=timezone.now(),
            created_by=by,
        )
        Membership.objects.create(organization=organization, user=by, role=MemberRole.ADMIN)
        return organization


# --- Invitations -----------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("fights:invitation", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


# Long enough for a busy steward to get to their mail, short enough that a forwarded link dies.
INVITATION_DAYS = 14


def invitation_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=INVITATION_DAYS)


def invite_member(*, organization: Organization, email: str, role: str, by) -> Invitation:
    """Invite `email` to the organization and mail the link (signed, expiring, used once)."""
    with transaction.atomic():
        email = email.strip().lower()
        if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
            raise Refused(
                _("%(email)s is already a member of %(org)s.") % _names(email, organization)
            )
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role, invited_by=by
        )
        notify(
            to=email,
            kind=INVITATION_KIND,
            key=f"invitation-{invitation.pk}",
            context={
                "organization": organization.name,
                "invited_by": by.display_name or by.email,
                "role": invitation.get_role_display(),
                "accept_url": invitation_url(invitation),
                "days": INVITATION_DAYS,
            },
        )
        return invitation


def _names(email, organization):
    return {"email": email, "org": organization.name}


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, or Refused: forged, expired, revoked or already used."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=invitation_max_age())
    except signing.SignatureExpired:
        raise Refused(
            _("This invitation has expired. Ask the person who invited you to send a new one.")
        ) from None
    except signing.BadSignature:
        raise Refused(
            _("This invitation link is not valid. Check that you copied all of it.")
        ) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None:
        raise Refused(_("This invitation was withdrawn. Ask for a new one if you still need it."))
    if invitation.accepted_at is not None:
        raise Refused(_("This invitation has already been used. Each link works only once."))
    return invitation


def accept_invitation(*, token: str, user) -> Membership:
    """Make `user` a member as the invitation says, once, and only for the address it was
    sent to: a forwarded link opened by someone else signed in is refused."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        if invitation.email.lower() != user.email.lower():
            raise Refused(
                _(
                    "This invitation was sent to a different email address than the one you are "
                    "signed in with. Sign out, then open the link again and sign in with the "
                    "address the invitation was sent to."
                )
            )
        now = timezone.now()
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=now, accepted_by=user
        )
        if not claimed:
            raise Refused(_("This invitation has already been used. Each link works only once."))
        membership, _created = Membership.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        return membership


# --- Fights ----------------------------------------------------------------------------------

FIGHT_FIELDS = (
    "title",
    "kind",
    "target_employer",
    "sector",
    "country",
    "region",
    "city",
    "key_date",
    "summary",
    "visibility",
)


class StaleEdit(Refused):
    """The row changed after the form was opened: nothing is saved."""


STALE = (
    "This changed after you opened the page (perhaps in another tab or by another member), so "
    "nothing was saved. Check the form below and save again."
)


def version_of(row) -> str:
    return row.updated_at.isoformat() if row and row.pk else ""


def _fight_values(data: dict) -> dict:
    values = {name: data[name] for name in FIGHT_FIELDS if name in data}
    if "target_employer" in values:
        values["target_employer_normalized"] = normalize_name(values["target_employer"])
    return values


def create_fight(*, organization: Organization, by, data: dict) -> Fight:
    with transaction.atomic():
        values = _fight_values(data)
        confidential = values.get("visibility") == Visibility.CONFIDENTIAL
        return Fight.objects.create(
            organization=organization,
            slug=unique_slug(Fight, values["title"], always_suffix=confidential),
            created_by=by,
            **values,
        )


def update_fight(fight: Fight, *, data: dict, version: str) -> Fight:
    with transaction.atomic():
        locked = Fight.objects.select_for_update().get(pk=fight.pk)
        if version_of(locked) != version:
            raise StaleEdit(_(STALE))
        for name, value in _fight_values(data).items():
            setattr(locked, name, value)
        locked.save()
        return locked


def change_fight_status(fight: Fight, *, status: str, outcome: str, by) -> Fight:
    """Active → won | lost | settled | ended with its outcome note; or back to active (a
    settlement that fell through). Moving to the status it already has is refused."""
    if status not in FightStatus.values:
        raise Refused(_("Choose a status from the list."))
    now = timezone.now()
    moved = (
        Fight.objects.filter(pk=fight.pk)
        .exclude(status=status)
        .update(
            status=status,
            outcome=outcome,
            status_changed_at=now,
            status_changed_by=by,
            updated_at=now,
        )
    )
    if not moved:
        raise Refused(_("This fight is already marked “%(status)s”.") % _label(status))
    fight.refresh_from_db()
    return fight


def _label(status):
    return {"status": FightStatus(status).label}


# --- Support requests ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RequestData:
    """A validated request, as the request form produces it."""

    title: str
    description: str = ""
    needed_by: datetime.date
    starts_on: datetime.date | None = None
    hours_estimate: int
    helpers_needed: int = 1
    work_mode: str
    country: str = ""
    region: str = ""
    city: str = ""
    languages: list[str] = field(default_factory=list)
    # skill id -> (required, min level); retired skills already on the request are kept.
    skills: dict[int, tuple[bool, int]] = field(default_factory=dict)


REQUEST_FIELDS = (
    "title",
    "description",
    "needed_by",
    "starts_on",
    "hours_estimate",
    "helpers_needed",
    "work_mode",
    "country",
    "region",
    "city",
)
# Editable while it is still being written or is looking for helpers.
EDITABLE = (RequestStatus.DRAFT, RequestStatus.OPEN)


def create_request(*, fight: Fight, by, data: RequestData) -> SupportRequest:
    """A draft request in the fight; `open_request` publishes it."""
    with transaction.atomic():
        support_request = SupportRequest.objects.create(
            fight=fight,
            created_by=by,
            status=RequestStatus.DRAFT,
            **{name: getattr(data, name) for name in REQUEST_FIELDS},
        )
        _replace_skills(support_request, data.skills)
        _replace_languages(support_request, data.languages)
        return support_request


def update_request(support_request: SupportRequest, *, data: RequestData, version: str):
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        if version_of(locked) != version:
            raise StaleEdit(_(STALE))
        if locked.status not in EDITABLE:
            raise Refused(
                _("This request is %(status)s: it can no longer be edited.")
                % {"status": locked.get_status_display().lower()}
            )
        for name in REQUEST_FIELDS:
            setattr(locked, name, getattr(data, name))
        locked.save()
        _replace_skills(locked, data.skills)
        _replace_languages(locked, data.languages)
        return locked


def _replace_skills(support_request, skills: dict[int, tuple[bool, int]]) -> None:
    # A retired skill cannot be picked any more, so one already on the request stays as it is.
    support_request.request_skills.exclude(skill__retired=True).delete()
    kept = set(support_request.request_skills.values_list("skill_id", flat=True))
    RequestSkill.objects.bulk_create(
        RequestSkill(request=support_request, skill_id=pk, required=required, min_level=level)
        for pk, (required, level) in skills.items()
        if pk not in kept
    )


def _replace_languages(support_request, codes: list[str]) -> None:
    support_request.languages.all().delete()
    RequestLanguage.objects.bulk_create(
        RequestLanguage(request=support_request, code=code) for code in dict.fromkeys(codes)
    )


def open_refusal(support_request: SupportRequest, *, today=None) -> str:
    """Why the request cannot be opened now, or "" if it can."""
    organization = support_request.fight.organization
    if not organization.is_verified:
        return _(
            "%(org)s is not verified yet, so its requests cannot be opened. Staff check new "
            "organizations before volunteers see their requests; your draft is kept until then."
        ) % {"org": organization.name}
    if not support_request.request_skills.filter(required=True, skill__retired=False).exists():
        return _(
            "Mark at least one skill as required before opening the request, so we know whom "
            "to ask. Edit the request to choose one."
        )
    if support_request.needed_by < (today or timezone.localdate()):
        return _("The “needed by” date has passed. Edit the request to set a new date first.")
    if not support_request.fight.is_active:
        return _("This fight is no longer active, so its requests cannot be opened.")
    return ""


def _move(support_request, *, by, source, target, **extra) -> bool:
    """The one conditional UPDATE every request transition goes through."""
    now = timezone.now()
    moved = SupportRequest.objects.filter(pk=support_request.pk, status__in=source).update(
        status=target, status_changed_at=now, status_changed_by=by, updated_at=now, **extra
    )
    support_request.refresh_from_db()
    return bool(moved)


def _not_from(support_request, action: str) -> Refused:
    return Refused(
        _("This request is %(status)s, so it cannot be %(action)s.")
        % {"status": support_request.get_status_display().lower(), "action": action}
    )


def open_request(support_request: SupportRequest, *, by) -> SupportRequest:
    """Draft → open: only for a verified organization, with at least one required skill."""
    with transaction.atomic():
        reason = open_refusal(support_request)
        if reason:
            raise Refused(reason)
        source, now = (RequestStatus.DRAFT,), timezone.now()
        if not _move(
            support_request, by=by, source=source, target=RequestStatus.OPEN, opened_at=now
        ):
            raise _not_from(support_request, _("opened"))
        return support_request


def mark_filled(support_request: SupportRequest, *, by) -> SupportRequest:
    """Open → filled: enough helpers; it leaves the public list."""
    if not _move(support_request, by=by, source=(RequestStatus.OPEN,), target=RequestStatus.FILLED):
        raise _not_from(support_request, _("marked filled"))
    return support_request


def close_request(support_request: SupportRequest, *, by) -> SupportRequest:
    """Open or filled → closed: the work is done or no longer needed."""
    source = (RequestStatus.OPEN, RequestStatus.FILLED)
    if not _move(support_request, by=by, source=source, target=RequestStatus.CLOSED):
        raise _not_from(support_request, _("closed"))
    return support_request


def cancel_request(support_request: SupportRequest, *, by) -> SupportRequest:
    """Draft or open → cancelled: it will not happen."""
    source = (RequestStatus.DRAFT, RequestStatus.OPEN)
    if not _move(support_request, by=by, source=source, target=RequestStatus.CANCELLED):
        raise _not_from(support_request, _("cancelled"))
    return support_request


# --- The guided path -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GuidedData:
    """What the guided path asks: which needs, when, where, in which languages."""

    templates: list[RequestTemplate]
    needed_by: datetime.date
    starts_on: datetime.date | None = None
    work_mode: str
    country: str = ""
    region: str = ""
    city: str = ""
    languages: list[str] = field(default_factory=list)


def draft_requests_from_templates(*, fight: Fight, by, data: GuidedData) -> list[SupportRequest]:
    """One draft request per chosen template, pre-filled with its title, description skeleton,
    hours, helpers and skills (retired ones left out), for the organizer to edit and open."""
    with transaction.atomic():
        drafts = []
        for template in data.templates:
            skills = {
                ts.skill_id: (ts.required, ts.min_level)
                for ts in template.template_skills.all()
                if not ts.skill.retired
            }
            request_data = RequestData(
                title=template.request_title,
                description=template.description,
                needed_by=data.needed_by,
                starts_on=data.starts_on,
                hours_estimate=template.hours_estimate,
                helpers_needed=template.helpers_needed,
                work_mode=data.work_mode,
                country=data.country,
                region=data.region,
                city=data.city,
                languages=data.languages,
                skills=skills,
            )
            drafts.append(create_request(fight=fight, by=by, data=request_data))
        return drafts


def start_from_templates(
    *, organization: Organization, fight: Fight | None, new_fight: dict | None, by, data
) -> tuple[Fight, list[SupportRequest]]:
    """The guided path's one step: the fight it names (or a new one), and its drafts."""
    with transaction.atomic():
        if fight is None:
            fight = create_fight(organization=organization, by=by, data=new_fight)
        return fight, draft_requests_from_templates(fight=fight, by=by, data=data)


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
