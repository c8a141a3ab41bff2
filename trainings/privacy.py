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

# --- Cohort programs, session ideas, the directory (trainings/programs.py) ----------------------
# An applicant's application is theirs: exported, deleted with them (its reviews and commitments
# go with it, CASCADE). Reviews are staff's opinions about the applicant, which are the
# applicant's personal data too: the applicant's export shows the scores and notes about them
# but not who wrote them (the reviewer's identity is the reviewer's data, and naming them would
# expose staff to pressure). A reviewer's own export lists the reviews they wrote; erasing a
# reviewer keeps the review (the program's record of the decision) without its author.
from trainings.models import (  # noqa: E402
    Application,
    ApplicationReview,
    Commitment,
    DirectoryEntry,
    SessionIdea,
)

register(
    Application,
    rows=lambda u: Application.objects.filter(
        Q(user=u) | Q(decision_drafted_by=u) | Q(decision_sent_by=u)
    ),
    erase=lambda rows: rows.update(decision_drafted_by=None, decision_sent_by=None),
    section="Cohort program applications",
)
register(
    ApplicationReview,
    rows=lambda u: ApplicationReview.objects.filter(Q(application__user=u) | Q(reviewer=u)),
    # Reviews about the person go with their application (CASCADE, as the user is deleted);
    # reviews they wrote stay, without their author.
    erase=lambda rows: rows.update(reviewer=None),
    exclude=("reviewer",),
    section="Reviews of cohort program applications",
)
register(
    Commitment,
    rows=lambda u: Commitment.objects.filter(Q(application__user=u) | Q(recorded_by=u)),
    erase=lambda rows: rows.update(recorded_by=None),
    section="Cohort program commitments",
)
register(
    SessionIdea, rows=lambda u: SessionIdea.objects.filter(user=u), section="Ideas for sessions"
)
register(
    DirectoryEntry,
    rows=lambda u: DirectoryEntry.objects.filter(user=u),
    section="Your listing in the directory of trained digital strategists",
)
