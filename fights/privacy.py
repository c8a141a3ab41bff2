"""Organizers' data in the export/erase registry.

Erasing an organizer removes the person, not the organization's work: fights, requests and the
organization itself stay with the organization (they belong to its members, who still need
them), and every pointer to the person (created by, verified by, status changed by) is cleared.
Their memberships go, and so do invitations addressed to them or accepted by them.
"""

from django.db.models import Q

from accounts.privacy import register
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


register(
    Organization,
    rows=lambda u: Organization.objects.filter(
        Q(created_by=u) | Q(verified_by=u) | Q(rejected_by=u)
    ),
    erase=lambda rows: None,  # the person's pointers are SET_NULL when the user row goes
)
register(Membership, rows=lambda u: Membership.objects.filter(user=u))
register(
    Invitation,
    rows=lambda u: Invitation.objects.filter(Q(email=u.email) | Q(accepted_by=u)),
)
register(
    Fight,
    rows=lambda u: Fight.objects.filter(Q(created_by=u) | Q(status_changed_by=u)),
    erase=_clear("created_by", "status_changed_by"),
)
register(
    SupportRequest,
    rows=lambda u: SupportRequest.objects.filter(Q(created_by=u) | Q(status_changed_by=u)),
    erase=_clear("created_by", "status_changed_by"),
)
# Skills and languages of a request the person wrote: exported with it, kept with it.
register(
    RequestSkill,
    rows=lambda u: RequestSkill.objects.filter(request__created_by=u),
    erase=lambda rows: None,
)
register(
    RequestLanguage,
    rows=lambda u: RequestLanguage.objects.filter(request__created_by=u),
    erase=lambda rows: None,
)
