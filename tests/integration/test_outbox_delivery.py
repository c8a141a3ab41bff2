"""The outbox on the real stack: every mail arrives once, whatever Redis, SMTP or the worker do.

Deliveries are counted at the SMTP sink by the `X-Outbox-Id` header. Worker and beat run with
the timings in harness.FAST_TIMINGS (sweep every 1 s, re-enqueue after 2 s, reclaim after 6 s).
"""

import logging
import time

import pytest
from django.db import transaction

from notifications.models import OutgoingMessage
from notifications.services import notify
from tests.integration.harness import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

KIND = "account.password_changed"  # essential, registered in every process, no context needed
SIGNUP_URL = "/accounts/signup/"
PASSWORD = "a long and unusual passphrase 42"
CONCURRENCY = 2  # harness.worker's --concurrency
PROMPT = 2.0  # seconds a request may take while Redis is down or frozen
Status = OutgoingMessage.Status


def queue(addresses, *, key="k"):
    """Queue one mail per address in one committed transaction; the rows' ids."""
    with transaction.atomic():
        rows = [notify(to=address, kind=KIND, context={}, key=key) for address in addresses]
    return [row.pk for row in rows]


def addresses(count, *, prefix):
    return [f"{prefix}{number}@example.org" for number in range(count)]


def wait_settled(ids, *, timeout):
    """Until every row is sent or failed; nothing is sent after that (claims are conditional)."""
    wait_for(
        lambda: (
            not OutgoingMessage.objects.filter(
                pk__in=ids, status__in=[Status.QUEUED, Status.SENDING]
            ).exists()
        ),
        timeout=timeout,
        what=f"{len(ids)} rows to be sent or failed",
    )


def statuses(ids):
    return dict(OutgoingMessage.objects.filter(pk__in=ids).values_list("pk", "status"))


def sign_up(client, email):
    """The real sign-up request; allauth's verification mail goes through notify()."""
    started = time.monotonic()
    response = client.post(
        SIGNUP_URL, {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    return response, time.monotonic() - started


def deferred_enqueues(caplog):
    """Row ids whose wake-up did not reach the broker, in order, with the log level of each.

    A failed publish is a warning; for a few seconds after it the process does not try the
    broker again and logs at info level instead (so a frozen Redis costs one timeout, not one
    per mail). Either way the row waits for the sweep.
    """
    return [
        (record.args[0], record.levelno)
        for record in caplog.records
        if record.name == "notifications.services" and record.levelno >= logging.INFO
    ]


def test_outbox_queued_messages_each_arrive_exactly_once(stack):
    ids = queue(addresses(200, prefix="bulk"))

    wait_settled(ids, timeout=60)

    counts = stack.sink.counts()
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)
    assert sum(counts.values()) == 200
    assert set(statuses(ids).values()) == {Status.SENT}
    assert set(OutgoingMessage.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    assert {d.message_id for d in stack.sink.snapshot()} == {
        f"<outbox-{pk}@localhost>" for pk in ids
    }


def test_outbox_worker_killed_mid_send_loses_nothing_and_doubles_at_most_one_per_child(stack):
    """The worst moment: both children have handed a message to SMTP and await its answer.
    The sink keeps those two, the rows stay in sending, the sweep reclaims them and the new
    worker sends them again: at most one duplicate per child, and nothing lost."""
    ids = queue(addresses(200, prefix="crash"))
    wait_for(lambda: len(stack.sink.counts()) >= 100, timeout=60, what="100 deliveries")
    stack.sink.delay = 1.0  # a wide window: the kill must land while both wait
    wait_for(
        lambda: stack.sink.held == CONCURRENCY,
        timeout=10,
        interval=0.01,
        what="both children awaiting SMTP's answer",
    )

    stack.processes[0].kill_group()
    in_flight = OutgoingMessage.objects.filter(pk__in=ids, status=Status.SENDING).count()
    stack.sink.delay = 0
    stack.start_worker("w2")
    wait_settled(ids, timeout=90)

    counts = stack.sink.counts()
    duplicates = sum(counts[pk] - 1 for pk in ids)
    print(f"SIGKILL with {in_flight} row(s) in sending; {duplicates} duplicate(s)")
    assert set(counts) == set(ids)
    assert set(statuses(ids).values()) == {Status.SENT}
    assert in_flight == CONCURRENCY
    assert duplicates <= CONCURRENCY
    doubled = {pk for pk in ids if counts[pk] > 1}
    assert {d.message_id for d in stack.sink.snapshot() if d.outbox_id in doubled} == {
        f"<outbox-{pk}@localhost>" for pk in doubled
    }  # the same Message-ID both times, so a receiving server can drop the copy


def test_outbox_redis_down_requests_succeed_and_sweep_delivers_after_restart(stack, client, caplog):
    caplog.set_level(logging.INFO, logger="notifications.services")
    stack.redis.stop()
    emails = addresses(5, prefix="down")

    answers = [sign_up(client, email) for email in emails]

    print("sign-ups with Redis stopped took", [f"{elapsed:.3f} s" for _, elapsed in answers])
    assert [response.status_code for response, _ in answers] == [302] * 5
    assert max(elapsed for _, elapsed in answers) < PROMPT
    ids = list(
        OutgoingMessage.objects.filter(to__in=emails).order_by("pk").values_list("pk", flat=True)
    )
    assert len(ids) == 5
    deferred = deferred_enqueues(caplog)  # the failed publish is logged, not raised
    assert [pk for pk, _ in deferred] == ids
    assert deferred[0][1] == logging.WARNING
    stack.redis.start()
    wait_settled(ids, timeout=60)
    assert {pk: stack.sink.counts()[pk] for pk in ids} == dict.fromkeys(ids, 1)


def test_outbox_redis_frozen_requests_answer_promptly_and_all_arrive_after_thaw(
    stack, client, caplog
):
    caplog.set_level(logging.INFO, logger="notifications.services")
    stack.redis.freeze()
    frozen_at = time.monotonic()
    answers = []
    for slot in (0, 4, 8, 12, 16):  # requests spread over the 20 s freeze
        time.sleep(max(0.0, slot - (time.monotonic() - frozen_at)))
        answers.append(sign_up(client, f"frozen{len(answers)}@example.org"))
    time.sleep(max(0.0, 20 - (time.monotonic() - frozen_at)))
    stack.redis.thaw()

    print("sign-ups with Redis frozen took", [f"{elapsed:.3f} s" for _, elapsed in answers])
    assert {response.status_code for response, _ in answers} == {302}
    assert max(elapsed for _, elapsed in answers) < PROMPT
    emails = [f"frozen{number}@example.org" for number in range(len(answers))]
    ids = list(
        OutgoingMessage.objects.filter(to__in=emails).order_by("pk").values_list("pk", flat=True)
    )
    assert len(ids) == 5
    deferred = deferred_enqueues(caplog)
    assert [pk for pk, _ in deferred] == ids
    assert deferred[0][1] == logging.WARNING
    wait_settled(ids, timeout=60)
    assert {pk: stack.sink.counts()[pk] for pk in ids} == dict.fromkeys(ids, 1)


def test_outbox_smtp_temporary_refusals_are_retried_and_delivered_once(stack):
    stack.sink.refuse_next(2)

    [pk] = queue(["retry@example.org"])
    wait_settled([pk], timeout=30)

    row = OutgoingMessage.objects.get(pk=pk)
    assert (row.status, row.attempts) == (Status.SENT, 3)
    assert stack.sink.temporary_refusals == 2
    assert stack.sink.counts()[pk] == 1


def test_outbox_smtp_permanent_refusal_fails_that_row_only_after_one_attempt(stack):
    stack.sink.reject("bounce@example.org")

    good, bounce, other = queue(["good@example.org", "bounce@example.org", "other@example.org"])
    wait_settled([good, bounce, other], timeout=30)

    row = OutgoingMessage.objects.get(pk=bounce)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.last_error == "Recipient refused: 550 5.1.1 No such mailbox here"
    assert stack.sink.permanent_refusals == 1
    assert stack.sink.counts() == {good: 1, other: 1}


def test_outbox_rolled_back_transaction_sends_nothing(stack):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(to="rolled-back@example.org", kind=KIND, context={}, key="k")
        raise RuntimeError("the business rule failed after notify()")
    [marker] = queue(["marker@example.org"])  # committed later, so it arrives later

    wait_settled([marker], timeout=30)

    assert not OutgoingMessage.objects.filter(to="rolled-back@example.org").exists()
    assert [d.recipients for d in stack.sink.snapshot()] == [("marker@example.org",)]


def test_outbox_same_key_in_separate_transactions_makes_one_row_and_one_email(stack):
    [pk] = queue(["twice@example.org"], key="proposal-7")
    with transaction.atomic():
        again = notify(to="twice@example.org", kind=KIND, context={}, key="proposal-7")
    wait_settled([pk], timeout=30)
    with transaction.atomic():
        after_sending = notify(to="twice@example.org", kind=KIND, context={}, key="proposal-7")
    [marker] = queue(["marker@example.org"])
    wait_settled([marker], timeout=30)

    assert (again, after_sending) == (None, None)
    assert OutgoingMessage.objects.filter(to="twice@example.org").count() == 1
    assert stack.sink.counts() == {pk: 1, marker: 1}
