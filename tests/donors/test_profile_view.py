"""The volunteer's own profile page: what it shows, completeness, access per role, query counts."""

import datetime

import pytest

from donors.models import PAUSED_INDEFINITELY, Donor
from donors.queries import NOT_CONSENTED, REGION_FOR_IN_PERSON, profile_completeness
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    RegistrationFactory,
    SkillCategoryFactory,
    SkillFactory,
    TrainingFactory,
    TrainingSkillFactory,
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


SUGGESTIONS = [
    "You could add a short bio: what you do and would like to help with.",
    "You could add a link to your work.",
]


def test_profile_completeness_full_profile_is_100_percent():
    completeness = profile_completeness(full_donor())

    assert (completeness.percent, completeness.missing, completeness.suggestions) == (100, [], [])


def test_profile_completeness_minimal_profile_lists_what_matching_needs_and_suggests_the_rest():
    completeness = profile_completeness(minimal_donor())

    assert completeness.percent == 50  # 2 of 4: a current skill and a language
    assert completeness.missing == [
        REGION_FOR_IN_PERSON,
        "Consent to be contacted about matches: you are not matchable until you consent",
    ]
    assert completeness.suggestions == SUGGESTIONS


def test_profile_completeness_counts_only_what_matching_needs():
    """Bio, links, city and dates are optional: without them a profile is still complete."""
    donor = full_donor(bio="", links=[], city="", available_from=None)

    completeness = profile_completeness(donor)

    assert (completeness.percent, completeness.missing) == (100, [])
    assert completeness.suggestions == SUGGESTIONS


def test_profile_completeness_remote_volunteer_needs_no_region():
    completeness = profile_completeness(full_donor(region="", work_mode="remote"))

    assert (completeness.percent, completeness.missing) == (100, [])


def test_profile_completeness_country_without_regions_needs_no_region():
    completeness = profile_completeness(full_donor(country="VA", region="", city="Vatican City"))

    assert (completeness.percent, completeness.missing) == (100, [])


def test_profile_completeness_only_retired_skills_asks_for_a_current_one():
    donor = full_donor()
    donor.donor_skills.all().delete()
    DonorSkillFactory(donor=donor, skill=SkillFactory(retired=True))

    completeness = profile_completeness(donor)

    assert (completeness.percent, completeness.missing) == (75, ["A skill from the current list"])


def test_profile_completeness_without_consent_is_75_percent():
    completeness = profile_completeness(full_donor(contact_consent=False))

    assert (completeness.percent, completeness.missing) == (75, [NOT_CONSENTED])


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
    assert '<strong id="completeness-figure">50% complete</strong>' in text
    assert f"<li>{NOT_CONSENTED}</li>" in text
    assert (
        '<li>You could add a link to your work. <a href="/profile/edit/#more">Add it</a></li>'
        in text
    )
    assert "Still missing" not in text
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


def test_profile_shows_places_by_name_not_codes(client):
    donor = full_donor(user=UserFactory(time_zone="America/Los_Angeles"), region="US-CA")
    client.force_login(donor.user)

    text = client.get("/profile/").text

    assert "<dt>Time zone</dt><dd>Los Angeles (Pacific)</dd>" in text
    assert "<dt>Region</dt><dd>California</dd>" in text
    assert "America/Los_Angeles" not in text
    assert "US-CA" not in text


def test_profile_shows_the_training_that_verified_a_skill(client):
    donor = DonorFactory()
    DonorSkillFactory(
        donor=donor,
        skill=SkillFactory(name="Zz banners"),
        level=2,
        trained_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
        trained_in="Banner workshop, Oakland",
    )
    DonorSkillFactory(donor=donor, skill=SkillFactory(name="Zz zines"), level=1)
    client.force_login(donor.user)

    text = client.get("/profile/").text

    assert (
        '<li>Zz banners: Experienced (level 2) <span class="badge badge-ok">verified by Banner '
        "workshop, Oakland</span></li>"
    ) in text
    assert "<li>Zz zines: Can do it (level 1)</li>" in text


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

    # the session with its user, donor (its skills, languages and conflicts inside), picker
    # skills
    with django_assert_num_queries(3):
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
        training = TrainingFactory(title=f"Training {_}")
        TrainingSkillFactory(training=training, skill=SkillFactory(name=f"Taught {_}"))
        RegistrationFactory(training=training, user=donor.user, status="attended")
    client.force_login(donor.user)

    # the session with its user, donor (its skills, languages and conflicts inside, and the training
    # history with each training's taught skills: trainings.queries.history_rows)
    with django_assert_num_queries(2):
        response = client.get("/profile/")

    assert response.status_code == 200
    assert response.text.count("Attended · trained in Taught ") == skill_count
    assert response.text.count("Employer ") == skill_count


# --- The header link -------------------------------------------------------------------------

MY_PROFILE = '<li><a href="/profile/">My profile</a></li>'


def test_header_links_a_volunteer_to_their_profile(client, volunteer):
    client.force_login(volunteer)

    home, profile = client.get("/"), client.get("/profile/")

    assert MY_PROFILE in home.text
    assert '<li><a href="/profile/" aria-current="page">My profile</a></li>' in profile.text


@pytest.mark.parametrize("persona", ["user", "staff", None])
def test_header_has_no_profile_link_for_people_without_one(client, request, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get("/fights/")

    assert response.status_code == 200
    assert "My profile" not in response.text


def test_own_donor_loads_the_same_lists_as_with_profile_in_one_query(django_assert_num_queries):
    from donors.queries import own_donor

    donor = full_donor()
    trained = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    DonorSkillFactory(donor=donor, skill=SkillFactory(retired=True), trained_at=trained)
    ConflictFactory(donor=donor, name="Ünited Parcel", normalized_name="united parcel")
    expected = Donor.objects.with_profile().get(pk=donor.pk)

    def lists(loaded):
        return (
            [
                (
                    s.pk,
                    s.level,
                    s.trained_at,
                    s.trained_in,
                    s.skill.name,
                    s.skill.retired,
                    s.skill.category.name,
                    s.skill.category.position,
                )
                for s in loaded.donor_skills.all()
            ],
            [(language.pk, language.code) for language in loaded.languages.all()],
            [(c.pk, c.name, c.normalized_name) for c in loaded.conflicts.all()],
        )

    with django_assert_num_queries(1):
        loaded = own_donor(donor.user)
    with django_assert_num_queries(0):
        shown = lists(loaded)
        assert loaded.user is donor.user and donor.user.is_volunteer
    assert shown == lists(expected)
    assert trained in [row[2] for row in shown[0]]
    assert len(shown[0]) >= 2 and shown[2][-1][1] == "Ünited Parcel"


# --- The body kept while unchanged (config.fragments): every write shows at once -------------


def _profile_text(client, donor):
    client.force_login(donor.user)
    return client.get("/profile/").text


def test_profile_after_staff_rename_a_skill_shows_the_new_name(client):
    donor = full_donor()
    skill = donor.donor_skills.get().skill
    assert skill.name in _profile_text(client, donor)

    # As the admin's actions do: a queryset update, no save(), no signal, no updated_at.
    type(skill).objects.filter(pk=skill.pk).update(name="Renamed by staff")

    text = _profile_text(client, donor)
    assert "Renamed by staff" in text
    assert f"<li>{skill.name}:" not in text


def test_profile_after_update_bypassing_save_shows_the_new_city(client):
    donor = full_donor(city="Oakland")
    assert "Oakland" in _profile_text(client, donor)

    Donor.objects.filter(pk=donor.pk).update(city="Fresno")

    text = _profile_text(client, donor)
    assert "<dd>Fresno</dd>" in text
    assert "Oakland" not in text


def test_profile_after_attendance_marked_shows_it_in_history(client):
    donor = full_donor()
    registration = RegistrationFactory(user=donor.user, status="confirmed")
    assert ": Confirmed" in _profile_text(client, donor)

    type(registration).objects.filter(pk=registration.pk).update(status="attended")

    assert ": Attended" in _profile_text(client, donor)


def test_profile_of_two_volunteers_with_the_same_lists_shows_each_their_own(client):
    first, second = full_donor(city="Oakland"), full_donor(city="Fresno")
    first.user.display_name, second.user.display_name = "Ana", "Bo"
    first.user.save()
    second.user.save()

    assert "<dd>Ana</dd>" in _profile_text(client, first)
    text = _profile_text(client, second)
    assert "<dd>Bo</dd>" in text
    assert "Oakland" not in text


def test_profile_after_the_day_moves_past_the_pause_shows_active(client, monkeypatch):
    from django.utils import timezone

    today = timezone.localdate()
    donor = full_donor(paused_until=today)
    assert "<strong>Paused</strong> until" in _profile_text(client, donor)

    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert "<strong>Active</strong>: we can propose you" in _profile_text(client, donor)


def test_profile_after_erasure_of_the_profile_goes_to_the_form(client):
    donor = full_donor()
    user = donor.user
    assert _profile_text(client, donor)

    Donor.objects.filter(pk=donor.pk).delete()

    client.force_login(user)
    response = client.get("/profile/")
    assert (response.status_code, response.url) == (302, "/profile/edit/")
