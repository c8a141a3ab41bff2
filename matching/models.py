"""A donor for a support request, and its double opt-in lifecycle.

suggested → proposed (staff) → accepted | declined (volunteer) → active → completed;
withdrawn / expired from any open state. Rows move only through `matching.services`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from donors.models import Donor
from fights.models import SupportRequest


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


# States a match can still move on from; at most one such match per (request, donor).
OPEN_STATUSES = (
    MatchStatus.SUGGESTED,
    MatchStatus.PROPOSED,
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
)
# States in which the donor is committed: they count against capacity and helpers needed.
COMMITTED_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
# Matches that happened (the fairness term counts them).
MATCHED_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED)


class MatchQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def committed(self):
        return self.filter(status__in=COMMITTED_STATUSES)

    def proposed(self):
        return self.filter(status=MatchStatus.PROPOSED)


class Match(models.Model):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="matches")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(
        _("status"), max_length=10, choices=MatchStatus, default=MatchStatus.SUGGESTED
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, default=0)
    # The per-factor breakdown at the time of suggesting/proposing (see matching.scoring).
    explanation = models.JSONField(default=dict, blank=True)
    scoring_version = models.PositiveSmallIntegerField(default=0)
    initiated_by_donor = models.BooleanField(
        default=False, help_text=_("The volunteer said “I can help”.")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches_proposed",
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("The volunteer's answer is due by then.")
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), max_length=1000, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # After the work: the hours the volunteer logged, and each side's short feedback (1 to 5 and a
    # comment). Each is set once, through matching.services, by the side it belongs to.
    hours_logged = models.PositiveSmallIntegerField(_("hours given"), null=True, blank=True)
    hours_logged_at = models.DateTimeField(null=True, blank=True)
    donor_rating = models.PositiveSmallIntegerField(_("volunteer's rating"), null=True, blank=True)
    donor_comment = models.TextField(_("volunteer's comment"), max_length=1000, blank=True)
    donor_feedback_at = models.DateTimeField(null=True, blank=True)
    organizer_rating = models.PositiveSmallIntegerField(
        _("organizer's rating"), null=True, blank=True
    )
    organizer_comment = models.TextField(_("organizer's comment"), max_length=1000, blank=True)
    organizer_feedback_at = models.DateTimeField(null=True, blank=True)
    organizer_feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "donor"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="match_one_open_per_request_donor",
            ),
            models.CheckConstraint(
                condition=models.Q(donor_rating__gte=1, donor_rating__lte=5)
                | models.Q(donor_rating__isnull=True),
                name="match_donor_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(organizer_rating__gte=1, organizer_rating__lte=5)
                | models.Q(organizer_rating__isnull=True),
                name="match_organizer_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["donor", "status"], name="match_donor_status"),
            # What ranking reads of every donor's history, from the index alone (scoring.py):
            # the fairness term's counts, open proposals and recent declines (the ask budget).
            models.Index(
                fields=["donor", "status", "answered_at"],
                condition=models.Q(status__in=MATCHED_STATUSES),
                name="match_history_cover",
            ),
            models.Index(
                fields=["donor"],
                condition=models.Q(status=MatchStatus.PROPOSED),
                name="match_proposed_donor",
            ),
            models.Index(
                fields=["answered_at", "donor"],
                condition=models.Q(status=MatchStatus.DECLINED),
                name="match_declined_answered",
            ),
        ]

    def __str__(self):
        return f"{self.donor} → {self.request} ({self.get_status_display()})"


class CandidateRejection(models.Model):
    """Staff decided this donor is not right for this request: never ranked for it again."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="candidate_rejections"
    )
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="candidate_rejections")
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate_rejections_made",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "donor"], name="candidaterejection_unique")
        ]

    def __str__(self):
        return f"{self.donor} ✗ {self.request}"
