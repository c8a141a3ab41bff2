"""notify(): one row per (recipient, kind, key), in the caller's transaction, sent on commit."""

import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

from notifications import services
from notifications.models import NotificationPreference, OutgoingMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "account.password_changed"


def queue(capture, **overrides):
    arguments = {"to": "ada@example.org", "kind": KIND, "context": {}, "key": "k-1"}
    with capture(execute=True):
        return services.notify(**{**arguments, **overrides})


def test_notify_same_key_twice_stores_one_row_and_sends_one_mail(
    django_capture_on_commit_callbacks,
):
    first = queue(django_capture_on_commit_callbacks)
    second = queue(django_capture_on_commit_callbacks)

    assert first is not None
    assert second is None
    assert OutgoingMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_notify_different_keys_send_two_mails(django_capture_on_commit_callbacks):
    queue(django_capture_on_commit_callbacks, key="k-1")
    queue(django_capture_on_commit_callbacks, key="k-2")

    assert OutgoingMessage.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["ada@example.org"], ["ada@example.org"]]


def test_notify_same_key_for_another_kind_or_recipient_is_a_new_mail(
    django_capture_on_commit_callbacks,
):
    queue(django_capture_on_commit_callbacks)
    queue(django_capture_on_commit_callbacks, kind="account.password_set")
    queue(django_capture_on_commit_callbacks, to="bob@example.org")

    assert OutgoingMessage.objects.count() == 3
    assert len(mail.outbox) == 3


def test_notify_address_case_does_not_dodge_the_key(django_capture_on_commit_callbacks):
    queue(django_capture_on_commit_callbacks, to="Ada@Example.org")
    duplicate = queue(django_capture_on_commit_callbacks, to=" ADA@example.ORG ")

    assert duplicate is None
    assert list(OutgoingMessage.objects.values_list("to", flat=True)) == ["ada@example.org"]


def test_notify_duplicate_key_keeps_callers_transaction_usable(
    django_capture_on_commit_callbacks,
):
    queue(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert services.notify(to="ada@example.org", kind=KIND, context={}, key="k-1") is None
        user = UserFactory()  # the caller's transaction goes on after the no-op

    assert user.pk is not None
    assert OutgoingMessage.objects.count() == 1


def test_notify_in_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify(to="ada@example.org", kind=KIND, context={}, key="k-1")
        raise RuntimeError("the business transaction fails after notify()")

    assert callbacks == []
    assert OutgoingMessage.objects.count() == 0
    assert mail.outbox == []


def test_notify_enqueues_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.notify(to="ada@example.org", kind=KIND, context={}, key="k-1")

    assert len(callbacks) == 1
    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.QUEUED


def test_notify_stores_row_with_context_and_user(django_capture_on_commit_callbacks):
    user = UserFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=False):
        message = services.notify(
            to="ada@example.org", kind=KIND, context={"ip": "192.0.2.1"}, key="k-1", user=user
        )

    message.refresh_from_db()
    assert (message.to, message.kind, message.key, message.user) == (
        "ada@example.org",
        KIND,
        "k-1",
        user,
    )
    assert message.context == {"ip": "192.0.2.1"}
    assert (message.status, message.attempts) == (OutgoingMessage.Status.QUEUED, 0)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"kind": "no.such.kind"}, ValueError, None),
        ({"to": "not an address"}, ValueError, "Not a valid email address: 'not an address'"),
        ({"to": ""}, ValueError, "Not a valid email address: ''"),
        ({"key": ""}, ValueError, "key must be a non-empty string of at most 200 characters."),
        (
            {"key": "k" * 201},
            ValueError,
            "key must be a non-empty string of at most 200 characters.",
        ),
        ({"context": {"when": Decimal("1.5")}}, TypeError, None),
        ({"context": {"ratio": float("nan")}}, ValueError, None),
        ({"context": ["not", "a", "dict"]}, TypeError, "context must be a dict."),
    ],
)
def test_notify_bad_arguments_raise_in_caller(arguments, error, message):
    """The message tells the developer who called notify() what to fix."""
    base = {"to": "ada@example.org", "kind": KIND, "context": {}, "key": "k-1"}

    with pytest.raises(error) as raised:
        services.notify(**{**base, **arguments})

    if message is not None:  # the others come from kinds.get_kind and json.dumps
        assert str(raised.value) == message
    assert OutgoingMessage.objects.count() == 0


def test_notify_key_of_the_maximum_length_is_accepted(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = services.notify(to="ada@example.org", kind=KIND, context={}, key="k" * 200)

    assert message.key == "k" * 200


def test_notify_optional_kind_without_user_raises(digest):
    with pytest.raises(ValueError, match="needs the recipient's user"):
        services.notify(to="ada@example.org", kind=digest, context={}, key="k-1")


def test_notify_optional_kind_opted_out_at_queue_time_stores_nothing(
    digest, django_capture_on_commit_callbacks
):
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind=digest, enabled=False)

    result = queue(
        django_capture_on_commit_callbacks,
        to=user.email,
        kind=digest,
        context={"title": "May"},
        user=user,
    )

    assert result is None
    assert OutgoingMessage.objects.count() == 0
    assert mail.outbox == []


def test_enqueue_failure_is_logged_and_row_stays_queued(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from notifications.tasks import deliver_message

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(deliver_message, "apply_async", broker_down)

    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        message = queue(django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.QUEUED
    assert mail.outbox == []
    assert [r.getMessage() for r in caplog.records] == [
        f"Could not enqueue outgoing message {message.pk}; the sweep will"
    ]


def test_enqueue_passes_only_the_row_id_without_publish_retries(
    monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.tasks import deliver_message

    calls = []
    monkeypatch.setattr(deliver_message, "apply_async", lambda *a, **kw: calls.append((a, kw)))

    message = queue(django_capture_on_commit_callbacks)

    assert calls == [((), {"args": [message.pk], "retry": False})]


def test_enqueue_after_a_failure_skips_the_broker_until_retry_after(monkeypatch, settings):
    from notifications.tasks import deliver_message

    settings.NOTIFICATIONS_BROKER_RETRY_AFTER = 10
    clock = [1000.0]
    attempts = []

    def broker_frozen(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("timed out")

    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(deliver_message, "apply_async", broker_frozen)

    first = services.enqueue(1)
    second = services.enqueue(2)  # same request, broker still frozen: no second timeout
    clock[0] += 10.5
    third = services.enqueue(3)

    assert (first, second, third) == (False, False, False)
    assert len(attempts) == 2
