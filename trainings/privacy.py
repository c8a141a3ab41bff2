"""Registrations in the export/erase registry.

A person's registrations are theirs: exported, and deleted with the user (CASCADE). On other
people's registrations (a group registration they made, a status or scholarship they decided)
only the pointers to them are cleared.
"""

from django.db.models import Q

from accounts.privacy import register
from trainings.models import Registration

register(
    Registration,
    rows=lambda u: Registration.objects.filter(
        Q(user=u) | Q(registered_by=u) | Q(status_changed_by=u) | Q(scholarship_decided_by=u)
    ),
    erase=lambda rows: rows.update(
        registered_by=None, status_changed_by=None, scholarship_decided_by=None
    ),
    section="Training registrations",
)
