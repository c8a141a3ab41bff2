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


@pytest.mark.parametrize("until", ["next week", "2000-01-01", "2099-01-01", "\x00"])
def test_pause_until_i_resume_ignores_whatever_the_date_box_holds(client, donor, until):
    """Without JavaScript the date box is always sent; only "until a date" reads it."""
    response = client.post(URL, {"action": "indefinitely", "until": until})

    assert response.status_code == 302
    assert paused_until(donor) == PAUSED_INDEFINITELY


def test_pause_page_asks_the_date_inside_its_own_part(client, donor):
    response = client.get(URL)

    assert '<form method="post" novalidate class="stack pause-form">' in response.text
    assert '<div class="pause-date"><label for="id_until">Pause until</label>' in response.text


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


def test_is_paused_on_the_last_day_of_a_pause_agrees_with_paused():
    today = timezone.localdate()
    last_day = DonorFactory(paused_until=today)
    over = DonorFactory(paused_until=today - datetime.timedelta(days=1))

    assert (last_day.is_paused, over.is_paused) == (True, False)
    assert list(Donor.objects.paused()) == [last_day]
    assert list(Donor.objects.active()) == [over]
    assert (last_day.is_paused_on(today), last_day.is_paused_on(today + datetime.timedelta(1))) == (
        True,
        False,
    )


def test_matchable_excludes_deactivated_accounts():
    active = DonorFactory()
    DonorFactory(user__is_active=False)

    assert list(Donor.objects.matchable()) == [active]


def test_matchable_on_a_later_day_includes_a_pause_that_ends_before_it():
    today = timezone.localdate()
    back_soon = DonorFactory(paused_until=today + datetime.timedelta(days=3))

    assert list(Donor.objects.matchable()) == []
    assert list(Donor.objects.matchable(today + datetime.timedelta(days=4))) == [back_soon]


def test_donor_reads_as_its_person_in_the_admin():
    donor = DonorFactory(user__display_name="Ada Lovelace")

    assert str(donor) == str(donor.user) == "Ada Lovelace"


def test_with_profile_loads_skills_languages_and_conflicts_up_front(
    django_assert_num_queries,
):
    from tests.factories import ConflictFactory, DonorLanguageFactory, DonorSkillFactory

    donor = DonorFactory()
    DonorSkillFactory(donor=donor)
    DonorLanguageFactory(donor=donor, code="en")
    ConflictFactory(donor=donor)

    with django_assert_num_queries(4):  # donor and user, then one query per related list
        [loaded] = Donor.objects.with_profile().filter(pk=donor.pk)
    with django_assert_num_queries(0):
        shown = (
            loaded.user.email,
            [s.skill.category.name for s in loaded.donor_skills.all()],
            [lang.code for lang in loaded.languages.all()],
            [c.name for c in loaded.conflicts.all()],
        )
    assert shown[2] == ["en"] and len(shown[3]) == 1
