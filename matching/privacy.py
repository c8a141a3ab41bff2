"""Matches in the export/erase registry.

A volunteer's matches are theirs: exported, and deleted with them (as the donor row goes).
Staff who proposed, moved or rejected keep no trace once erased: the pointers are cleared.
An organizer's feedback on a match (rating and comment) is exported to them and, like the
organization's fights, stays with the organization when they are erased, without the pointer.
"""

from django.db.models import Q

from accounts.privacy import register
from matching.models import CandidateRejection, Match

register(
    Match,
    rows=lambda u: Match.objects.filter(
        Q(donor__user=u) | Q(proposed_by=u) | Q(status_changed_by=u) | Q(organizer_feedback_by=u)
    ),
    # The person's own matches go with their donor row (CASCADE); on others' only pointers clear.
    erase=lambda rows: rows.update(
        proposed_by=None, status_changed_by=None, organizer_feedback_by=None
    ),
    internal=("scoring_version",),  # which version of the scoring code ranked it
    section="Matches",
)
register(
    CandidateRejection,
    rows=lambda u: CandidateRejection.objects.filter(Q(donor__user=u) | Q(rejected_by=u)),
    erase=lambda rows: rows.update(rejected_by=None),
    section="Candidates set aside for a request",
)
