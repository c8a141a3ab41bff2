"""The volunteer's own profile page: what it shows, completeness, access per role, query counts."""

import datetime

import pytest

from donors.models import PAUSED_INDEFINITELY, Donor
from donors.queries import NOT_CONSENTED, profile_completeness
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URLS = ["/profile/", "/profile/edit/", "/profile/pause/"]


def full_donor(**kwargs):
    """A profile with every completeness item filled in."""
    donor = DonorFactory(
        **{
            "region": "US-CA",
            "city": "Oakland",
            "bio": "I shoot and edit video.",
            "links": ["https://reel.example.org/"],
            "available_from": datetime.date(2026, 1, 1),
            "contact_consent": True,
        }
        | kwargs
    )
    DonorSkillFactory(donor=donor, level=2)
    DonorLanguageFactory(donor=donor, code="en")
    return donor


def minimal_donor():
    """Only what the form requires: name, country, a skill, a language, hours."""
    donor = DonorFactory(region="", city="", bio="", links=[], contact_consent=False)
    DonorSkillFactory(donor=donor, level=1)
    DonorLanguageFactory(donor=donor, code="es")
    return donor


# --- Completeness ----------------------------------------------------------------------------


def test_profile_completeness_full_profile_is_100_percent():
    completeness = profile_completeness(full_donor())

    assert (completeness.percent, completeness.missing) == (100, [])


def test_profile_completeness_minimal_profile_lists_what_is_missing():
    completeness = profile_completeness(minimal_donor())

    assert completeness.percent == 37  # 3 of 8, rounded down
    assert completeness.missing == [
        "Your region and city",
        "When you are available",
        "A short bio",
        "A link to your work",
        "Consent to be contacted about matches: you are not matchable until you consent",
    ]


def test_profile_completeness_country_without_regions_needs_only_city():
    completeness = profile_completeness(full_donor(country="VA", region="", city="Vatican City"))

    assert (completeness.percent, completeness.missing) == (100, [])


def test_profile_completeness_only_retired_skills_asks_for_a_current_one():
    donor = full_donor()
    donor.donor_skills.all().delete()
    DonorSkillFactory(donor=donor, skill=SkillFactory(retired=True))

    completeness = profile_completeness(donor)

    assert (completeness.percent, completeness.missing) == (87, ["A skill from the current list"])


def test_profile_completeness_without_consent_is_87_percent():
    completeness = profile_completeness(full_donor(contact_consent=False))

    assert (completeness.percent, completeness.missing) == (87, [NOT_CONSENTED])


# --- The profile page ------------------------------------------------------------------------


def test_profile_shows_own_data_with_names_levels_and_safe_links(client, other_volunteer):
    category = SkillCategoryFactory(name="Zz moving pictures")
    donor = full_donor(
        user=UserFactory(display_name="Mara Video"),
        pronouns="she/her",
        links=["https://reel.example.org/", "http://old.example.org/x"],
        on_call=True,
    )
    DonorSkillFactory(donor=donor, skill=SkillFactory(category=category, name="Zz reels"), level=3)
    DonorLanguageFactory(donor=donor, code="ht")
    ConflictFactory(donor=donor, name="Acme Logistics")
    client.force_login(donor.user)

    response = client.get("/profile/")

    assert response.status_code == 200
    text = response.text
    assert "<dt>Name</dt><dd>Mara Video</dd>" in text
    assert "<dt>Pronouns</dt><dd>she/her</dd>" in text
    assert "<dt>Country</dt><dd>United States of America</dd>" in text
    assert "<dt>Region</dt><dd>California</dd>" in text
    assert "<dt>Languages</dt><dd>English, Haitian</dd>" in text
    assert "<h3>Zz moving pictures</h3>" in text
    assert "<li>Zz reels: Can lead or teach it (level 3)</li>" in text
    assert "<li>Acme Logistics</li>" in text
    assert "<dt>On call for rapid response</dt><dd>Yes</dd>" in text
    assert (
        '<a href="https://reel.example.org/" rel="noopener nofollow">https://reel.example.org/</a>'
        in text
    )
    assert '<a href="http://old.example.org/x" rel="noopener nofollow">' in text
    assert "<strong>Active</strong>: we can propose you for fights" in text
    assert '<strong id="completeness-figure">100% complete</strong>' in text
    assert other_volunteer.display_name not in text
    assert other_volunteer.email not in text


def test_profile_shows_completeness_and_not_matchable_without_consent(client):
    donor = minimal_donor()
    client.force_login(donor.user)

    response = client.get("/profile/")

    text = response.text
    assert '<strong id="completeness-figure">37% complete</strong>' in text
    assert f"<li>{NOT_CONSENTED}</li>" in text
    assert "<li>A short bio</li>" in text
    assert "not matchable until you consent to be contacted about matches" in text


@pytest.mark.parametrize(
    ("paused_until", "status"),
    [
        (PAUSED_INDEFINITELY, "<strong>Paused</strong> until you resume it"),
        (datetime.date(2099, 3, 5), "<strong>Paused</strong> until 5 March 2099"),
        (datetime.date(2000, 1, 1), "<strong>Active</strong>"),
    ],
)
def test_profile_shows_paused_status(client, paused_until, status):
    donor = full_donor(paused_until=paused_until)
    client.force_login(donor.user)

    response = client.get("/profile/")

    assert status in response.text


def test_profile_marks_retired_skill_as_kept(client):
    donor = full_donor()
    DonorSkillFactory(donor=donor, skill=SkillFactory(name="Zz fax trees", retired=True), level=1)
    client.force_login(donor.user)

    response = client.get("/profile/")

    assert 'Zz fax trees: Can do it (level 1) <span class="muted">(no longer in our list' in (
        response.text
    )


# --- Access per role -------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_profile_pages_send_anonymous_visitors_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_profile_edit_post_from_anonymous_stores_nothing(client):
    response = client.post("/profile/edit/", {"display_name": "Sneaky", "weekly_hours": "3"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not Donor.objects.filter(user__display_name="Sneaky").exists()


@pytest.mark.parametrize("persona", ["user", "staff"])
def test_profile_pages_without_profile_lead_to_edit(client, request, persona):
    person = request.getfixturevalue(persona)
    client.force_login(person)

    edit = client.get("/profile/edit/")
    profile = client.get("/profile/")
    pause = client.get("/profile/pause/")

    assert edit.status_code == 200
    assert "Create your volunteer profile" in edit.text
    assert (profile.status_code, profile.url) == (302, "/profile/edit/")
    assert (pause.status_code, pause.url) == (302, "/profile/edit/")


def test_profile_pages_for_volunteer_show_only_own_data(client, volunteer, other_volunteer):
    client.force_login(volunteer)

    responses = [client.get(url) for url in URLS]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert volunteer.display_name in responses[0].text
    assert f'name="display_name" value="{volunteer.display_name}"' in responses[1].text
    for response in responses:
        assert other_volunteer.display_name not in response.text


def test_profile_for_staff_with_a_profile_is_their_own(client, staff, volunteer):
    full_donor(user=staff)
    client.force_login(staff)

    response = client.get("/profile/")

    assert response.status_code == 200
    assert staff.display_name in response.text
    assert volunteer.display_name not in response.text


def test_profile_pages_refuse_other_methods(client, volunteer):
    client.force_login(volunteer)

    assert client.put("/profile/edit/").status_code == 405
    assert client.delete("/profile/pause/").status_code == 405


# --- Query counts ----------------------------------------------------------------------------


def _skills_in_categories(count):
    for _ in range(count):
        SkillFactory.create_batch(2, category=SkillCategoryFactory())


@pytest.mark.parametrize("categories", [1, 3])
def test_profile_edit_get_query_count_does_not_grow_with_skills(
    client, volunteer, django_assert_num_queries, categories
):
    _skills_in_categories(categories)
    retired = SkillFactory(retired=True)
    DonorSkillFactory(donor=volunteer.donor, skill=retired)
    client.force_login(volunteer)

    # session, user, donor, its skills, languages, conflicts, picker skills
    with django_assert_num_queries(7):
        response = client.get("/profile/edit/")

    assert response.status_code == 200


@pytest.mark.parametrize("skill_count", [1, 3])
def test_profile_get_query_count_does_not_grow_with_skills(
    client, django_assert_num_queries, skill_count
):
    donor = full_donor()
    for _ in range(skill_count):
        DonorSkillFactory(donor=donor, skill=SkillFactory(category=SkillCategoryFactory()))
        ConflictFactory(donor=donor, name=f"Employer {_}", normalized_name=f"employer {_}")
    client.force_login(donor.user)

    # session, user, donor, its skills, languages, conflicts, trainings (the history section)
    with django_assert_num_queries(7):
        response = client.get("/profile/")

    assert response.status_code == 200
