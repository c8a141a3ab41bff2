from contextlib import suppress
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class OutgoingMessageQuerySet(models.QuerySet):
    def due(self, now):
        """Queued rows whose next attempt time has come."""
        return self.filter(status=OutgoingMessage.Status.QUEUED, next_attempt_at__lte=now)

    def needing_wake_up(self, now, *, requeue_after: timedelta):
        """Due rows nobody woke since they became due: their broker message was lost (the broker
        was down at commit) or, for a retry, nothing enqueues them but the sweep. A row enqueued
        less than `requeue_after` ago is left alone so the sweep does not double every message.
        """
        stale = Q(updated_at__lt=now - requeue_after)
        scheduled_retry = Q(updated_at__lt=F("next_attempt_at"))
        return self.due(now).filter(stale | scheduled_retry)

    def stuck_sending(self, now, *, timeout: timedelta):
        """Rows claimed longer ago than any attempt can last: the worker died mid-send."""
        return self.filter(status=OutgoingMessage.Status.SENDING, claimed_at__lt=now - timeout)

    def finished_before(self, moment):
        done = [
            OutgoingMessage.Status.SENT,
            OutgoingMessage.Status.FAILED,
            OutgoingMessage.Status.SUPPRESSED,
        ]
        return self.filter(status__in=done, updated_at__lt=moment)

    def for_user(self, user):
        """The person's mail — the one rule export and erasure both use: rows sent for their
        account, and rows linked to no account addressed to an address they have *verified*.

        An unverified address proves nothing (anyone can add someone else's), and a row sent
        for another account is that account's, whatever its address.
        """
        from allauth.account.models import EmailAddress

        from notifications.services import normalize_address

        addresses = set()
        verified = EmailAddress.objects.filter(user=user, verified=True)
        for email in verified.values_list("email", flat=True):
            with suppress(ValueError):  # stored before addresses were normalised: no mail to it
                addresses.add(normalize_address(email))
        return self.filter(Q(user=user) | Q(user=None, to__in=sorted(addresses)))


class OutgoingMessage(models.Model):
    """One email in the outbox: the stored row is the promise, a broker message only a wake-up.

    `context` holds what the templates need (links included) until the mail is sent, then it is
    cleared; bodies are never stored (rendering happens at send time, see services).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed (recipient opted out)"

    to = models.EmailField("recipient", max_length=254)
    # CASCADE: a deleted account takes its mail with it (erasure also catches rows without a user
    # link addressed to the person's verified addresses, e.g. mail sent before they signed up).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outgoing_messages",
    )
    kind = models.CharField(max_length=100)
    key = models.CharField(
        max_length=200, help_text="Deduplication key, unique per recipient and kind."
    )
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "outgoing message"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["to", "kind", "key"], name="outbox_unique_key"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_sweep_idx"),
            models.Index(fields=["status", "claimed_at"], name="outbox_stuck_idx"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to} ({self.status})"


class NotificationPreference(models.Model):
    """A person's explicit choice for one optional kind; without a row the kind's default holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=100)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
        ]

    def __str__(self):
        return f"{self.kind}: {'on' if self.enabled else 'off'}"
