"""The outbox and preferences in the export/erase registry."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts import privacy
from notifications.models import NotificationPreference, OutgoingMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = "http://localhost:8000/accounts/password/reset/key/1-SECRET/"


def message(to, key, user=None):
    return OutgoingMessage.objects.create(
        to=to, kind="account.password_reset_key", key=key, user=user, context={"url": LINK}
    )


def test_erase_user_deletes_rows_linked_or_addressed_to_a_verified_address():
    person = UserFactory(email="ada@example.org")
    EmailAddress.objects.create(user=person, email="ada.new@example.org", verified=True)
    EmailAddress.objects.create(user=person, email="claimed@example.org", verified=False)
    other = UserFactory(email="bob@example.org")
    message("ada@example.org", "linked", user=person)
    message("ada@example.org", "before-signup")  # e.g. an "unknown account" mail
    message("ada.new@example.org", "second-address")
    message("claimed@example.org", "not-proven-hers")
    message("bob@example.org", "other", user=other)
    NotificationPreference.objects.create(user=person, kind="test.digest", enabled=False)
    NotificationPreference.objects.create(user=other, kind="test.digest", enabled=True)

    privacy.erase_user(person)

    assert sorted(OutgoingMessage.objects.values_list("key", flat=True)) == [
        "not-proven-hers",
        "other",
    ]
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

    [row] = exported["records"]["Emails we sent you"]
    assert (row["to"], row["kind"], row["status"]) == (
        "ada@example.org",
        "Password reset link",
        "Queued",
    )
    assert "context" not in row
    assert "SECRET" not in json.dumps(exported)
    [choice] = exported["records"]["Your email preferences"]
    assert (choice["kind"], choice["enabled"]) == ("test.digest", False)


def test_export_leaves_out_delivery_bookkeeping():
    person = UserFactory(email="ada@example.org")
    message("ada@example.org", "dedup-key-1", user=person)
    OutgoingMessage.objects.update(
        attempts=2, last_error="SMTP 451", claimed_at=timezone.now(), next_attempt_at=timezone.now()
    )

    text = privacy.export_json(person)

    [row] = json.loads(text)["records"]["Emails we sent you"]
    assert sorted(row) == ["created_at", "kind", "sent_at", "status", "to"]
    assert "dedup-key-1" not in text and "SMTP 451" not in text


def claim_address(client, address):
    """Volunteer B adds volunteer A's address to their own account (it stays unverified)."""
    response = client.post("/accounts/email/", {"action_add": "", "email": address})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(email=address, verified=False).count() == 1


def test_unverified_address_does_not_bring_another_persons_mail_into_the_export(client):
    ada = UserFactory(email="ada@example.org")
    message("ada@example.org", "ada-linked", user=ada)
    message("ada@example.org", "ada-unlinked")
    bob = UserFactory(email="bob@example.org")
    client.force_login(bob)
    claim_address(client, "ada@example.org")

    client.post("/me/data/", {"password": PASSWORD})
    response = client.get("/me/data/file/")

    exported = json.loads(response.content)
    rows = exported["records"]["Emails we sent you"]
    assert {row["to"] for row in rows} == {"ada@example.org"}  # only Bob's own confirmation
    assert [row["kind"] for row in rows] == ["Confirm your email address"]
    assert OutgoingMessage.objects.filter(to="ada@example.org", user=bob).count() == 1
    assert "ada-linked" not in response.text and "ada-unlinked" not in response.text


def test_unverified_address_does_not_let_erasure_delete_another_persons_mail(client):
    ada = UserFactory(email="ada@example.org")
    message("ada@example.org", "ada-linked", user=ada)
    message("ada@example.org", "ada-unlinked")
    bob = UserFactory(email="bob@example.org")
    client.force_login(bob)
    claim_address(client, "ada@example.org")

    response = client.post("/me/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert not OutgoingMessage.objects.filter(user_id=bob.pk).exists()
    assert sorted(OutgoingMessage.objects.values_list("key", flat=True)) == [
        "ada-linked",
        "ada-unlinked",
    ]


def test_mail_sent_for_another_account_stays_theirs_even_at_a_verified_address():
    ada = UserFactory(email="ada@example.org")
    bob = UserFactory(email="bob@example.org")
    EmailAddress.objects.create(user=bob, email="shared@example.org", verified=True)
    message("shared@example.org", "for-ada", user=ada)
    unlinked = message("shared@example.org", "unlinked")

    assert list(OutgoingMessage.objects.for_user(bob)) == [unlinked]
