"""Preferences page and one-click unsubscribe (RFC 8058)."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications import kinds, preferences
from notifications.models import NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES_URL = "/notifications/preferences/"


@pytest.fixture(autouse=True)
def _only_test_kinds_are_optional(monkeypatch):
    """These tests count the optional kinds they register themselves; the apps' own optional
    kinds (trainings' reminders, …) are left out of the registry while they run."""
    monkeypatch.setattr(kinds, "_registry", {k.name: k for k in kinds.essential_kinds()})


def unsubscribe_path(user, kind):
    return reverse(
        "notifications:unsubscribe", args=[preferences.unsubscribe_token(user=user, kind=kind)]
    )


def cookieless_client():
    """What a mail client's one-click POST looks like: no session, no CSRF cookie."""
    return Client(enforce_csrf_checks=True)


# --- preferences page ----------------------------------------------------------------------


def test_preferences_requires_sign_in(client):
    response = client.get(PREFERENCES_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PREFERENCES_URL}"


def test_preferences_without_optional_kinds_says_so(client, user):
    client.force_login(user)

    response = client.get(PREFERENCES_URL)

    assert response.status_code == 200
    assert "There are no optional emails yet." in response.text
    assert "Save my preferences" not in response.text
    assert "Password reset link" in response.text  # essential kinds listed as always on
    assert response.text.count("checked disabled") == len(kinds.essential_kinds())


def test_preferences_lists_optional_kinds_with_current_choice(client, user, digest):
    client.force_login(user)

    response = client.get(PREFERENCES_URL)

    assert response.status_code == 200
    assert (
        '<label for="id_test.digest"><input type="checkbox" name="test.digest" id="id_test.digest"'
        " checked> Weekly digest</label>"
    ) in response.text


def test_preferences_post_saves_choices(client, user, digest):
    client.force_login(user)

    response = client.post(PREFERENCES_URL, {})  # the box left unticked

    assert response.status_code == 302
    assert response["Location"] == PREFERENCES_URL
    assert preferences.preferences_for(user=user) == {digest: False}

    client.post(PREFERENCES_URL, {digest: "on"})
    assert preferences.preferences_for(user=user) == {digest: True}


def test_preferences_default_off_kind_starts_unticked(client, user, test_templates):
    client.force_login(user)
    with kinds.temporary_kind("test.news", default_on=False, label="News"):
        response = client.get(PREFERENCES_URL)
        assert preferences.preferences_for(user=user) == {"test.news": False}

    assert 'id="id_test.news">' in response.text


def test_preferences_post_ignores_essential_kind_names(client, user, digest):
    client.force_login(user)

    client.post(PREFERENCES_URL, {digest: "on", "account.password_reset_key": ""})

    assert list(NotificationPreference.objects.values_list("kind", flat=True)) == [digest]


# --- unsubscribe ---------------------------------------------------------------------------


def test_unsubscribe_get_asks_and_changes_nothing(digest):
    user = UserFactory(email="ada@example.org")

    response = cookieless_client().get(unsubscribe_path(user, digest))

    assert response.status_code == 200
    assert "Stop “Weekly digest” emails?" in response.text
    assert '<form method="post"' in response.text
    assert "ada@example.org" in response.text
    assert NotificationPreference.objects.count() == 0
    assert preferences.is_enabled(user=user, kind=digest) is True


def test_unsubscribe_post_without_cookie_or_csrf_token_unsubscribes(digest):
    user = UserFactory()

    response = cookieless_client().post(
        unsubscribe_path(user, digest), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert preferences.is_enabled(user=user, kind=digest) is False


def test_unsubscribe_post_is_idempotent(digest):
    user = UserFactory()
    path = unsubscribe_path(user, digest)

    responses = [cookieless_client().post(path) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert list(NotificationPreference.objects.values_list("user", "kind", "enabled")) == [
        (user.pk, digest, False)
    ]


def test_unsubscribe_touches_only_that_person_and_kind(digest, test_templates):
    user, other = UserFactory(), UserFactory()
    with kinds.temporary_kind("test.news", label="News"):
        cookieless_client().post(unsubscribe_path(user, digest))

        assert preferences.preferences_for(user=user) == {digest: False, "test.news": True}
        assert preferences.preferences_for(user=other) == {digest: True, "test.news": True}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: "garbage",
        lambda token: token.split(":")[0],
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_tampered_token_is_400(digest, mangle, method):
    user = UserFactory()
    token = preferences.unsubscribe_token(user=user, kind=digest)

    response = getattr(cookieless_client(), method)(f"/notifications/unsubscribe/{mangle(token)}/")

    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.text
    assert NotificationPreference.objects.count() == 0


def test_unsubscribe_token_signed_for_another_purpose_is_400(digest):
    from django.core import signing

    user = UserFactory()
    token = signing.dumps({"u": user.pk, "k": digest}, salt="something.else")

    response = cookieless_client().post(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 400
    assert preferences.is_enabled(user=user, kind=digest) is True


def test_unsubscribe_from_essential_kind_is_404():
    user = UserFactory()

    response = cookieless_client().post(unsubscribe_path(user, "account.password_reset_key"))

    assert response.status_code == 404
    assert NotificationPreference.objects.count() == 0


def test_unsubscribe_for_deleted_account_is_404(digest):
    user = UserFactory()
    path = unsubscribe_path(user, digest)
    user.delete()

    assert cookieless_client().post(path).status_code == 404


def test_unsubscribe_other_methods_are_refused(digest):
    response = cookieless_client().put(unsubscribe_path(UserFactory(), digest))

    assert response.status_code == 405


def test_dashboard_links_to_email_preferences(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:dashboard"))

    assert '<a href="/notifications/preferences/">Email preferences</a>' in response.text
