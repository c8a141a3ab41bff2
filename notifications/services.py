"""The outbox: queue mail inside the caller's transaction, deliver it after commit, exactly once.

Flow. `notify()` stores an `OutgoingMessage` row in the caller's transaction and, after commit,
enqueues `deliver_message(row id)`. The row is the promise; the broker message is only a wake-up,
so a broker that is down or frozen costs a delay, never a lost mail and never a failed request:
the enqueue is fire-and-forget and its failure is logged. `deliver()` claims the row with a
conditional UPDATE (queued and due → sending; a row count of 0 means another worker has it or it
is done), renders, sends through Django's mail backend and marks it sent. The beat `sweep()`
wakes rows whose broker message never came and reclaims rows whose worker died mid-send.

Render at SEND time. The row stores only the kind and a small JSON context; subject and bodies
are rendered by the worker just before sending. Why:
- Preferences are checked at send time anyway, and templates fixed or reworded after a mail was
  queued (a typo, a broken link) apply to everything still waiting, retries included.
- No body is ever stored, so there is nothing for staff to read in the admin and nothing to
  scrub but the context, which is cleared the moment the mail is sent.
- The request does less work: rendering happens in the worker, not while the user waits.
The cost: the context must be JSON-safe (validated here, in the caller's transaction), and a
template error surfaces in the worker — the row then fails with the error for staff to see.

Statuses: queued → sending → sent | failed | suppressed. `suppressed` means the recipient had
opted out of an optional kind by send time; it is not a failure and "Retry failed" skips it.
Optional kinds are also checked at queue time: an opted-out call returns None and stores nothing.

Temporary failures (SMTP 4xx, lost connections, timeouts, authentication trouble) put the row
back to queued with `next_attempt_at` from `backoff_delay()`; the sweep wakes it when due. After
NOTIFICATIONS_MAX_ATTEMPTS attempts, or at once on a permanent failure (SMTP 5xx, refused
recipient, malformed message), the row is failed with the error.

Duplicates: a mail is sent twice only if a worker dies after SMTP accepted it and before the row
was marked sent; the sweep then reclaims the row after NOTIFICATIONS_SENDING_TIMEOUT. The
Message-ID is derived from the row id, so receiving servers can drop the second copy.
"""

from __future__ import annotations

import json
import logging
import random
import smtplib
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, Engine
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications import kinds
from notifications.models import OutgoingMessage
from notifications.preferences import is_enabled, preferences_url, unsubscribe_url

logger = logging.getLogger(__name__)

Status = OutgoingMessage.Status
MAX_KEY_LENGTH = 200


# --- Queueing --------------------------------------------------------------------------------


def notify(*, to: str, kind: str, context: dict, key: str, user=None) -> OutgoingMessage | None:
    """Queue one email to `to` in the current transaction; deliver it after commit.

    `key` deduplicates per (recipient, kind) forever: a second call with the same key is a no-op.
    Returns the new row, or None when nothing new was queued (duplicate key, or the person
    opted out of this optional kind). Bad input raises ValueError/TypeError here, in the caller.
    """
    address = normalize_address(to)
    entry = kinds.get_kind(kind)
    _check_key(key)
    _check_json_safe(context)
    if not entry.essential:
        if user is None:
            raise ValueError(f"Optional kind {kind!r} needs the recipient's user (preferences).")
        if not is_enabled(user=user, kind=kind):
            return None
    message = _insert(to=address, kind=kind, key=key, context=context, user=user)
    if message is not None:
        transaction.on_commit(lambda: enqueue(message.pk))
    return message


def normalize_address(to: str) -> str:
    """The one canonical form of an email address, used wherever an address is stored or
    compared: trimmed and lower-cased, the domain in its IDNA form (``exampleſ.org`` is
    ``examples.org``, as mail servers read it). Raises ValueError for anything else.

    Lower-casing can leave the ASCII range: ``İ`` becomes ``i`` + U+0307 and ``ſ`` stays, which
    Django's validator accepts only through a case-folding quirk and PostgreSQL folds onto
    other people's addresses. The part before the @ must therefore be ASCII once lower-cased
    (the Kelvin sign ``K`` lower-cases to a plain ``k``), so equal addresses are equal strings.
    """
    address = (to or "").strip().lower() if isinstance(to, str) else ""
    local, _, domain = address.rpartition("@")
    try:
        if not local.isascii():
            raise ValidationError("not ASCII before the @")
        address = f"{local}@{domain.encode('idna').decode('idna').lower()}"
        validate_email(address)
    except (UnicodeError, ValidationError):
        raise ValueError(f"Not a valid email address: {to!r}") from None
    return address


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"key must be a non-empty string of at most {MAX_KEY_LENGTH} characters.")


def _check_json_safe(context: dict) -> None:
    if not isinstance(context, dict):
        raise TypeError("context must be a dict.")
    json.dumps(context, allow_nan=False)  # TypeError/ValueError for anything not plain JSON


def _insert(*, to, kind, key, context, user) -> OutgoingMessage | None:
    """Insert the row or, if the key was used before, nothing — without breaking the caller's
    transaction: the savepoint absorbs the unique violation (PostgreSQL aborts a transaction on
    any error otherwise). A concurrent insert of the same key waits for the other transaction and
    then hits the constraint too, so exactly one row ever exists.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return OutgoingMessage.objects.create(
                to=to, kind=kind, key=key, context=context, user=user, next_attempt_at=now
            )
    except IntegrityError:
        if OutgoingMessage.objects.filter(to=to, kind=kind, key=key).exists():
            return None
        raise


# Monotonic time until which this process treats the broker as unreachable. One failed publish
# costs up to the broker socket timeout; without this, a request that queues several messages
# while Redis is frozen would pay that timeout once per message.
_broker_down_until = 0.0


def enqueue(message_id: int) -> bool:
    """Wake a worker for one row. Never raises: if the broker is down the sweep delivers later.

    No publish retries: in a request this runs after commit, and the page must not wait on an
    unreachable or frozen broker (the broker timeouts in settings bound a single attempt).
    After a failure, this process skips publishing for NOTIFICATIONS_BROKER_RETRY_AFTER seconds.
    """
    global _broker_down_until
    from notifications.tasks import deliver_message

    if time.monotonic() < _broker_down_until:
        logger.info("Broker unreachable a moment ago; message %s waits for the sweep", message_id)
        return False
    try:
        deliver_message.apply_async(args=[message_id], retry=False)
    except Exception:
        _broker_down_until = time.monotonic() + settings.NOTIFICATIONS_BROKER_RETRY_AFTER
        logger.warning(
            "Could not enqueue outgoing message %s; the sweep will", message_id, exc_info=True
        )
        return False
    return True


def reset_broker_state() -> None:
    """Forget an earlier publish failure (tests, and a worker that knows the broker is back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def enqueue_on_commit(message_ids: Iterable[int]) -> None:
    for message_id in message_ids:
        transaction.on_commit(lambda pk=message_id: enqueue(pk))


# --- Delivery --------------------------------------------------------------------------------


class PermanentFailure(Exception):
    """Sending this message cannot succeed as it is; retrying would not help."""


def deliver(
    message_id: int,
    *,
    now: datetime | None = None,
    rand: Callable[[], float] = random.random,
    connection=None,
) -> str:
    """Claim, render and send one row. Returns what happened (for logs and tests).

    `now` and `rand` are injectable so tests can assert the stored retry schedule exactly.
    """
    claimed_at = now or timezone.now()
    claimed = (
        OutgoingMessage.objects.due(claimed_at)
        .filter(pk=message_id)
        .update(
            status=Status.SENDING,
            claimed_at=claimed_at,
            updated_at=claimed_at,
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return "not-claimed"  # someone else has it, it is done, or it is not due yet
    message = OutgoingMessage.objects.select_related("user").get(pk=message_id)
    # Every later write is conditional on still holding this claim: if the sweep reclaimed the
    # row meanwhile, the newer attempt owns it.
    mine = OutgoingMessage.objects.filter(
        pk=message_id, status=Status.SENDING, claimed_at=claimed_at
    )
    if not kinds.is_registered(message.kind):
        mine.update(status=Status.FAILED, last_error="Unknown kind", updated_at=_now(now))
        return Status.FAILED.value
    if not is_enabled(user=message.user, kind=message.kind):
        mine.update(
            status=Status.SUPPRESSED,
            last_error="Recipient opted out of this kind",
            context={},
            updated_at=_now(now),
        )
        return Status.SUPPRESSED.value
    try:
        build_email(message, connection=connection).send(fail_silently=False)
    except Exception as error:
        return _record_failure(mine, message, error, now=now, rand=rand)
    done_at = _now(now)
    sent = mine.update(
        status=Status.SENT, sent_at=done_at, updated_at=done_at, context={}, last_error=""
    )
    if not sent:
        logger.warning("Outgoing message %s was sent, but its claim had been taken", message_id)
    return Status.SENT.value


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _record_failure(rows, message, error, *, now, rand) -> str:
    description = _describe(error)
    moment = _now(now)
    if is_permanent(error) or message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        logger.warning(
            "Outgoing message %s failed after %s attempt(s): %s",
            message.pk,
            message.attempts,
            description,
        )
        rows.update(status=Status.FAILED, last_error=description, updated_at=moment)
        return Status.FAILED.value
    delay = backoff_delay(
        message.attempts,
        base=settings.NOTIFICATIONS_RETRY_BASE,
        cap=settings.NOTIFICATIONS_RETRY_CAP,
        rand=rand,
    )
    logger.info("Outgoing message %s will be retried in %s: %s", message.pk, delay, description)
    rows.update(
        status=Status.QUEUED,
        last_error=description,
        updated_at=moment,
        next_attempt_at=moment + delay,
    )
    return "retry"


def backoff_delay(
    attempts: int, *, base: float, cap: float, rand: Callable[[], float]
) -> timedelta:
    """Delay before the next try after `attempts` failed ones: exponential, capped, with jitter.

    The un-jittered delay is base·2^(attempts-1), at most `cap`; the result is drawn uniformly
    from its upper half ("equal jitter"), so retries spread out but never come back too soon.
    `rand` returns a float in [0, 1).
    """
    exponent = min(max(attempts, 1) - 1, 32)
    ceiling = min(cap, base * 2**exponent)
    return timedelta(seconds=ceiling / 2 + rand() * ceiling / 2)


def is_permanent(error: BaseException) -> bool:
    """SMTP 5xx, a refused recipient, or a malformed message: retrying cannot help.

    Authentication failures are 5xx too, but they are the server's configuration, not this
    message's fault, so they count as temporary and recover once the configuration is fixed.
    """
    if isinstance(error, PermanentFailure | ValueError):
        return True
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return any(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        details = "; ".join(f"{code} {_text(msg)}" for code, msg in error.recipients.values())
        return f"Recipient refused: {details}"[:1000]
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP {error.smtp_code}: {_text(error.smtp_error)}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --- Rendering -------------------------------------------------------------------------------


def build_email(message: OutgoingMessage, *, connection=None) -> EmailMultiAlternatives:
    """The message as it goes out now: current templates, current site settings."""
    entry = kinds.get_kind(message.kind)
    context = {**message.context, **site_context(message, entry)}
    try:
        subject, text, html = render_parts(message.kind, context)
    except Exception as error:
        raise PermanentFailure(f"Rendering failed: {type(error).__name__}: {error}") from error
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=headers_for(message, context),
        connection=connection or get_connection(fail_silently=False),
    )
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in build_attachments(entry, message.context):
        email.attach(filename, content, mimetype)
    return email


def build_attachments(entry: kinds.Kind, context: dict) -> list[tuple[str, str | bytes, str]]:
    """The kind's attachments, built now from the ids in the stored context (see kinds.py)."""
    if not entry.attachments:
        return []
    try:
        return list(import_string(entry.attachments)(context))
    except Exception as error:
        raise PermanentFailure(f"Attachments failed: {type(error).__name__}: {error}") from error


def site_context(message: OutgoingMessage, entry: kinds.Kind) -> dict:
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": message.to,
        "essential": entry.essential,
        "kind_label": entry.label,
    }
    if not entry.essential and message.user_id:
        context["preferences_url"] = preferences_url()
        context["unsubscribe_url"] = unsubscribe_url(user=message.user, kind=message.kind)
    return context


def render_parts(kind: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, html body) for a kind; `.txt` parts are rendered without escaping."""
    engine = Engine.get_default()
    folder = f"emails/{kind}"
    subject = engine.get_template(f"{folder}/subject.txt").render(
        Context(context, autoescape=False)
    )
    context = {**context, "subject": " ".join(subject.split())}
    text = engine.get_template(f"{folder}/body.txt").render(Context(context, autoescape=False))
    html = engine.get_template(f"{folder}/body.html").render(Context(context))
    return context["subject"], text.strip() + "\n", html


def headers_for(message: OutgoingMessage, context: dict) -> dict[str, str]:
    headers = {
        "Message-ID": f"<outbox-{message.pk}@{mail_domain()}>",
        "X-Outbox-Id": str(message.pk),
        "Auto-Submitted": "auto-generated",
    }
    if context.get("reply_to"):  # mail the recipient may answer, e.g. to staff
        headers["Reply-To"] = context["reply_to"]
    if "unsubscribe_url" in context:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def mail_domain() -> str:
    host = urlsplit(settings.SITE_URL).hostname
    if host:
        return host
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


# --- Sweep, purge, retry ---------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Reclaim rows stuck in sending, then wake due rows whose broker message never came."""
    now = now or timezone.now()
    return {"reclaimed": _reclaim_stuck(now), "requeued": _requeue_stale(now)}


def _reclaim_stuck(now: datetime) -> int:
    timeout = timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT)
    batch = settings.NOTIFICATIONS_SWEEP_BATCH
    stuck = OutgoingMessage.objects.stuck_sending(now, timeout=timeout)
    ids = list(stuck.order_by("claimed_at", "pk").values_list("pk", flat=True)[:batch])
    if not ids:
        return 0
    rows = stuck.filter(pk__in=ids).order_by("claimed_at", "pk")
    error = "The worker did not finish the attempt (it died or timed out)."
    rows.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error=error, updated_at=now
    )
    woken = list(rows.values_list("pk", flat=True))
    rows.filter(pk__in=woken).update(
        status=Status.QUEUED, last_error=error, next_attempt_at=now, updated_at=now
    )
    _enqueue_until_failure(woken)
    return len(woken)


def _requeue_stale(now: datetime) -> int:
    requeue_after = timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER)
    batch = settings.NOTIFICATIONS_SWEEP_BATCH
    total = 0
    while True:
        stale = OutgoingMessage.objects.needing_wake_up(now, requeue_after=requeue_after)
        oldest_first = stale.order_by("next_attempt_at", "pk")
        ids = list(oldest_first.values_list("pk", flat=True)[:batch])
        if not ids:
            return total
        # Touch before enqueueing, so the next sweep leaves these alone. Should two sweeps
        # overlap, a second wake-up is harmless: the conditional claim lets one delivery through.
        touched = list(oldest_first.filter(pk__in=ids).values_list("pk", flat=True))
        stale.filter(pk__in=touched).update(updated_at=now)
        total += len(touched)
        if not _enqueue_until_failure(touched) or len(ids) < batch:
            return total


def _enqueue_until_failure(ids: list[int]) -> bool:
    """Enqueue in order; stop at the first failure (the broker is down: the rest would only
    wait out their timeouts too). Rows not enqueued are woken by a later sweep."""
    return all(enqueue(pk) for pk in ids)


def purge(*, now: datetime | None = None) -> int:
    """Delete finished rows older than NOTIFICATIONS_RETENTION_DAYS, in batches."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    old = OutgoingMessage.objects.finished_before(cutoff).order_by()  # any order; no sort
    total = 0
    while ids := list(old.values_list("pk", flat=True)[: settings.NOTIFICATIONS_SWEEP_BATCH]):
        total += OutgoingMessage.objects.filter(pk__in=ids).delete()[0]
    return total


def retry_failed(queryset, *, now: datetime | None = None) -> int:
    """Put failed rows of `queryset` back in the queue with a fresh set of attempts."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(queryset.filter(status=Status.FAILED).values_list("pk", flat=True))
        OutgoingMessage.objects.filter(pk__in=ids, status=Status.FAILED).update(
            status=Status.QUEUED, attempts=0, next_attempt_at=now, updated_at=now, last_error=""
        )
        enqueue_on_commit(ids)
    return len(ids)
