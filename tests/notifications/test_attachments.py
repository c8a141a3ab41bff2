"""A kind may declare attachments, built at send time from the ids in the stored context."""

import pytest
from django.core import mail

from notifications import kinds, services
from notifications.models import OutgoingMessage
from tests.notifications.conftest import DIGEST, NOW

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status
BUILT_FROM = []


def note_for(context):
    BUILT_FROM.append(dict(context))
    note_id = context["note_id"]
    return [(f"note-{note_id}.txt", f"note {note_id}\n", "text/plain")]


def broken(context):
    raise LookupError("no such note")


@pytest.fixture
def kind_with(test_templates):
    def register(path):
        return kinds.temporary_kind(DIGEST, essential=True, label="Digest", attachments=path)

    return register


def queued():
    return OutgoingMessage.objects.create(
        to="ada@example.org", kind=DIGEST, key="k-1", context={"note_id": 7}, next_attempt_at=NOW
    )


def test_deliver_attaches_what_the_kind_builds_from_the_context(kind_with):
    BUILT_FROM.clear()
    with kind_with("tests.notifications.test_attachments.note_for"):
        message = queued()
        outcome = services.deliver(message.pk, now=NOW)

    assert outcome == "sent"
    assert BUILT_FROM == [{"note_id": 7}]
    assert mail.outbox[0].attachments == [("note-7.txt", "note 7\n", "text/plain")]


def test_deliver_kind_without_attachments_attaches_nothing(kind_with):
    with kind_with(""):
        services.deliver(queued().pk, now=NOW)

    assert mail.outbox[0].attachments == []


def test_deliver_failing_attachment_fails_the_row_with_the_error(kind_with):
    with kind_with("tests.notifications.test_attachments.broken"):
        message = queued()
        outcome = services.deliver(message.pk, now=NOW)

    message.refresh_from_db()
    assert outcome == "failed"
    assert message.status == Status.FAILED
    assert message.last_error == "PermanentFailure: Attachments failed: LookupError: no such note"
    assert mail.outbox == []


def test_register_kind_again_with_other_attachments_is_refused():
    with (
        kinds.temporary_kind("test.attach", attachments="a.b"),
        pytest.raises(ValueError, match="already registered differently"),
    ):
        kinds.register_kind("test.attach", essential=False, default_on=True, label="test.attach")
