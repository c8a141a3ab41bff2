"""Pausing the volunteer profile until a date or indefinitely, and resuming."""

import datetime

import pytest
from django.utils import timezone

from donors.models import PAUSED_INDEFINITELY, Donor
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db

URL = "/profile/pause/"


@pytest.fixture
def donor(client):
    donor = DonorFactory()
    client.force_login(donor.user)
    return donor


def paused_until(donor):
    return Donor.objects.get(pk=donor.pk).paused_until


def error_list(response, field):
    return response.context["form"].errors.get(field)


def test_pause_until_a_date_stores_it_and_says_so(client, donor):
    until = timezone.localdate() + datetime.timedelta(days=10)

    response = client.post(URL, {"action": "until", "until": until.isoformat()}, follow=True)

    assert paused_until(donor) == until
    assert Donor.objects.get(pk=donor.pk).is_paused is True
    assert response.redirect_chain == [("/profile/", 302)]
    day = f"{until.day} {until:%B %Y}"
    assert [str(m) for m in response.context["messages"]] == [
        f"Your profile is paused until {day}."
    ]
    assert f"<strong>Paused</strong> until {day}" in response.text


def test_pause_until_today_is_allowed(client, donor):
    today = timezone.localdate()

    client.post(URL, {"action": "until", "until": today.isoformat()})

    assert paused_until(donor) == today


def test_pause_indefinitely_stores_the_marker_date(client, donor):
    response = client.post(URL, {"action": "indefinitely", "until": ""}, follow=True)

    assert paused_until(donor) == PAUSED_INDEFINITELY
    assert [str(m) for m in response.context["messages"]] == [
        "Your profile is paused until you resume it."
    ]
    assert not Donor.objects.matchable().filter(pk=donor.pk).exists()


def test_pause_resume_clears_the_date(client, donor):
    donor.paused_until = PAUSED_INDEFINITELY
    donor.save()

    page = client.get(URL)
    response = client.post(URL, {"action": "resume"}, follow=True)

    assert "Resume now" in page.text
    assert "paused</strong> until you resume" in page.text
    assert paused_until(donor) is None
    assert [str(m) for m in response.context["messages"]] == [
        "Your profile is active again: we can propose you for fights."
    ]
    assert Donor.objects.matchable().filter(pk=donor.pk).exists()


def test_pause_does_not_offer_resume_when_active(client, donor):
    page = client.get(URL)
    response = client.post(URL, {"action": "resume"})

    assert "Resume now" not in page.text
    assert response.status_code == 200
    assert error_list(response, "action") == ["Choose one of the options shown."]
    assert paused_until(donor) is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "until", "until": ""}, "until", "Choose the date you want to pause until."),
        ({"action": "until", "until": "2000-01-01"}, "until", "Choose today or a later date."),
        ({"action": "until", "until": "next week"}, "until", "Enter a date like 2026-05-01."),
        ({"action": "forever"}, "action", "Choose one of the options shown."),
        ({}, "action", "Choose what you would like to do."),
    ],
)
def test_pause_bad_input_is_refused_at_the_field(client, donor, data, field, message):
    response = client.post(URL, data)

    assert response.status_code == 200
    assert error_list(response, field) == [message]
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in response.text
    if data.get("until"):
        assert f'name="until" value="{data["until"]}"' in response.text
    assert paused_until(donor) is None


def test_pause_yesterday_is_refused(client, donor):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(URL, {"action": "until", "until": yesterday.isoformat()})

    assert error_list(response, "until") == ["Choose today or a later date."]
    assert paused_until(donor) is None


def test_pause_changes_only_own_profile(client, donor, other_volunteer):
    client.post(URL, {"action": "indefinitely", "donor": other_volunteer.donor.pk})

    assert paused_until(donor) == PAUSED_INDEFINITELY
    assert paused_until(other_volunteer.donor) is None


def test_pause_does_not_make_an_open_edit_page_stale(client, donor):
    version_before = Donor.objects.get(pk=donor.pk).updated_at

    client.post(URL, {"action": "indefinitely"})

    assert Donor.objects.get(pk=donor.pk).updated_at == version_before
