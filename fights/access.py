"""Who may act on what, written once: each helper returns the object or raises 404/403.

A person who is not a member of the organization gets 404 for its fights and requests, the same
answer as for an id that does not exist, so a confidential fight's address reveals nothing.
Members who are not admins get 403 for what only admins may do (inviting members).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from fights.models import Fight, Membership, Organization, SupportRequest


def membership_for(request, organization_slug: str) -> Membership:
    """The signed-in person's membership of the organization with this slug, or 404."""
    return get_object_or_404(
        Membership.objects.select_related("organization"),
        organization__slug=organization_slug,
        user=request.user,
    )


def organization_for_organizer(request, organization_slug: str) -> Organization:
    return membership_for(request, organization_slug).organization


def organization_for_admin(request, organization_slug: str) -> Organization:
    membership = membership_for(request, organization_slug)
    if not membership.is_admin:
        raise PermissionDenied("Only the organization's admins can do this.")
    return membership.organization


def fight_for_organizer(request, slug: str) -> Fight:
    return get_object_or_404(
        Fight.objects.of_member(request.user).select_related("organization"), slug=slug
    )


def request_for_organizer(request, pk: int) -> SupportRequest:
    return get_object_or_404(
        SupportRequest.objects.filter(fight__organization__memberships__user=request.user)
        .select_related("fight__organization")
        .prefetch_related("request_skills__skill__category", "languages"),
        pk=pk,
    )
