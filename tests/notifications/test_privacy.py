"""The outbox and preferences in the export/erase registry."""

import json

import pytest
from allauth.account.models import EmailAddress

from accounts import privacy
from notifications.models import NotificationPreference, OutgoingMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = "http://localhost:8000/accounts/password/reset/key/1-SECRET/"


def message(to, key, user=None):
    return OutgoingMessage.objects.create(
        to=to, kind="account.password_reset_key", key=key, user=user, context={"url": LINK}
    )


def test_erase_user_deletes_rows_linked_or_addressed_to_them():
    person = UserFactory(email="ada@example.org")
    EmailAddress.objects.create(user=person, email="ada.new@example.org")
    other = UserFactory(email="bob@example.org")
    message("ada@example.org", "linked", user=person)
    message("ada@example.org", "before-signup")  # e.g. an "unknown account" mail
    message("ada.new@example.org", "second-address")
    message("bob@example.org", "other", user=other)
    NotificationPreference.objects.create(user=person, kind="test.digest", enabled=False)
    NotificationPreference.objects.create(user=other, kind="test.digest", enabled=True)

    privacy.erase_user(person)

    assert list(OutgoingMessage.objects.values_list("key", flat=True)) == ["other"]
    assert list(NotificationPreference.objects.values_list("user", flat=True)) == [other.pk]


def test_outbox_rows_for_user_match_addresses_case_insensitively():
    person = UserFactory(email="Ada@Example.org")
    row = message("ada@example.org", "k")

    assert list(OutgoingMessage.objects.for_user(person)) == [row]


def test_export_lists_outbox_rows_and_preferences_without_context():
    person = UserFactory(email="ada@example.org")
    message("ada@example.org", "k", user=person)
    NotificationPreference.objects.create(user=person, kind="test.digest", enabled=False)

    exported = json.loads(privacy.export_json(person))

    [row] = exported["records"]["notifications.OutgoingMessage"]
    assert (row["to"], row["kind"], row["status"]) == (
        "ada@example.org",
        "account.password_reset_key",
        "queued",
    )
    assert "context" not in row
    assert "SECRET" not in json.dumps(exported)
    [choice] = exported["records"]["notifications.NotificationPreference"]
    assert (choice["kind"], choice["enabled"]) == ("test.digest", False)
