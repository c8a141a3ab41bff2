"""Organizers' data in the export/erase registry.

Erasing an organizer removes the person, not the organization's work: fights, requests and the
organization itself stay with the organization (they belong to its members, who still need
them), and every pointer to the person (created by, verified by, status changed by) is cleared.
Their memberships go, and so do invitations addressed to them or accepted by them.

The export names regions and languages rather than their ISO codes, and leaves out slugs (a
web address's last part) and the normalised employer name matching compares.
"""

from django.db.models import Q

from accounts.privacy import register
from fights import queries
from fights.models import (
    Fight,
    Invitation,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    SupportRequest,
)


def _clear(*fields):
    return lambda rows: rows.update(**dict.fromkeys(fields))


def _region(row) -> str:
    return queries.region_name(row.region) if row.region else ""


def _language(row) -> str:
    return queries.language_names().get(row.code, row.code)


register(
    Organization,
    rows=lambda u: Organization.objects.filter(
        Q(created_by=u) | Q(verified_by=u) | Q(rejected_by=u)
    ),
    erase=lambda rows: None,  # the person's pointers are SET_NULL when the user row goes
    internal=("slug",),
    section="Organizations you created or reviewed",
    values={"region": _region},
)
register(
    Membership,
    rows=lambda u: Membership.objects.filter(user=u),
    internal=("user",),
    section="Your memberships",
)
register(
    Invitation,
    rows=lambda u: Invitation.objects.filter(Q(email=u.email) | Q(accepted_by=u)),
    section="Invitations to join an organization",
)
register(
    Fight,
    rows=lambda u: Fight.objects.filter(Q(created_by=u) | Q(status_changed_by=u)),
    erase=_clear("created_by", "status_changed_by"),
    internal=("slug", "target_employer_normalized"),
    section="Fights you created or changed",
    values={"region": _region},
)
register(
    SupportRequest,
    rows=lambda u: SupportRequest.objects.filter(Q(created_by=u) | Q(status_changed_by=u)),
    erase=_clear("created_by", "status_changed_by"),
    internal=("skills",),  # the next section, with levels
    section="Support requests you created or changed",
    values={"region": _region},
)
# Skills and languages of a request the person wrote: exported with it, kept with it.
register(
    RequestSkill,
    rows=lambda u: RequestSkill.objects.filter(request__created_by=u),
    erase=lambda rows: None,
    section="Skills your requests ask for",
)
register(
    RequestLanguage,
    rows=lambda u: RequestLanguage.objects.filter(request__created_by=u),
    erase=lambda rows: None,
    internal=("code",),
    section="Languages your requests ask for",
    values={"language": _language},
)
