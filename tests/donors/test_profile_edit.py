"""Creating and editing the volunteer profile: stored values, pre-filling, and every bad input."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model

from donors.models import Conflict, Donor, DonorLanguage, DonorSkill
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
)

URL = "/profile/edit/"


@pytest.fixture
def skills(db):
    """Three skills offered in the picker, in two categories (seeded skills may exist too)."""
    design, video = SkillCategoryFactory(name="Zz design"), SkillCategoryFactory(name="Zz video")
    return [
        SkillFactory(category=design, name="Zz flyer layout", synonyms="Posters, print"),
        SkillFactory(category=design, name="Zz logo drawing"),
        SkillFactory(category=video, name="Zz video cutting"),
    ]


def valid_post(skills, **overrides):
    data = {
        "version": "",
        "display_name": "  Rosa   Lopez ",
        "pronouns": "she/her",
        "bio": "I design flyers\r\nand edit videos.",
        "country": "US",
        "region": "california",
        "city": "  San   Francisco ",
        "time_zone": "America/Los_Angeles",
        "work_mode": "remote",
        "languages": ["en", "es"],
        "skills": [str(skills[0].pk), str(skills[2].pk)],
        f"skill-{skills[0].pk}": "3",
        f"skill-{skills[1].pk}": "",
        f"skill-{skills[2].pk}": "1",
        "weekly_hours": "10",
        "capacity": "2",
        "available_from": "2026-01-05",
        "available_until": "2026-03-31",
        "on_call": "on",
        "conflicts": "Acme Logistics\r\n  ACME   logistics \r\n\r\nCafé Nervosa",
        "link_1": "https://rosa.example.org/work",
        "link_2": "example.com/portfolio",
        "link_3": "",
        "link_4": "",
        "link_5": "",
        "contact_consent": "on",
    }
    return data | overrides


def stored(user) -> dict:
    """Everything the profile form can change, read fresh from the database."""
    user = get_user_model().objects.get(pk=user.pk)
    donor = Donor.objects.filter(user=user).values().first()
    if donor:
        donor.pop("updated_at")
    return {
        "user": (user.display_name, user.time_zone, user.is_staff, user.is_superuser),
        "donor": donor,
        "skills": sorted(
            DonorSkill.objects.filter(donor__user=user).values_list("skill_id", "level")
        ),
        "languages": sorted(
            DonorLanguage.objects.filter(donor__user=user).values_list("code", flat=True)
        ),
        "conflicts": sorted(
            Conflict.objects.filter(donor__user=user).values_list("name", "normalized_name")
        ),
        "donor_count": Donor.objects.count(),
    }


def field_errors(response, field: str) -> list[str]:
    """The messages in the field's own error list, as rendered next to it."""
    match = re.search(
        rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.text, re.S
    )
    assert match, f"no error list rendered for {field}"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match[1], re.S)]


def non_field_errors(response) -> list[str]:
    match = re.search(r'<div class="error-summary".*?<ul>(.*?)</ul>', response.text, re.S)
    assert match, "no error summary with messages"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match[1], re.S)]


def checked(skill, level) -> str:
    """The level radio of a ticked skill, checked."""
    return f'id="id_skill-{skill.pk}_{level}" value="{level}" checked'


def ticked(skill) -> str:
    return f'name="skills" value="{skill.pk}" id="id_skills_{skill.pk}" checked'


def offered(skill) -> str:
    """In the picker, not ticked."""
    return f'name="skills" value="{skill.pk}" id="id_skills_{skill.pk}">'


# --- Creating --------------------------------------------------------------------------------


def test_profile_edit_post_creates_profile_with_normalized_values(client, user, skills):
    client.force_login(user)

    response = client.post(URL, valid_post(skills))

    assert response.status_code == 302
    assert response.url == "/profile/"
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Rosa Lopez", "America/Los_Angeles")
    donor = Donor.objects.get(user=user)
    assert donor.pronouns == "she/her"
    assert donor.bio == "I design flyers\nand edit videos."
    assert (donor.country.code, donor.region, donor.city) == ("US", "US-CA", "San Francisco")
    assert donor.work_mode == "remote"
    assert (donor.weekly_hours, donor.capacity, donor.on_call) == (10, 2, True)
    assert donor.available_from == datetime.date(2026, 1, 5)
    assert donor.available_until == datetime.date(2026, 3, 31)
    assert donor.links == ["https://rosa.example.org/work", "https://example.com/portfolio"]
    assert donor.contact_consent is True
    assert donor.paused_until is None
    assert sorted(donor.donor_skills.values_list("skill_id", "level")) == [
        (skills[0].pk, 3),
        (skills[2].pk, 1),
    ]
    assert sorted(donor.languages.values_list("code", flat=True)) == ["en", "es"]
    assert list(donor.conflicts.values_list("name", "normalized_name")) == [
        ("Acme Logistics", "acme logistics"),
        ("Café Nervosa", "cafe nervosa"),
    ]


def test_profile_edit_post_says_profile_saved(client, user, skills):
    client.force_login(user)

    response = client.post(URL, valid_post(skills), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Profile saved."]
    assert "Rosa Lopez" in response.text


def test_profile_edit_post_accepts_region_code_and_blank_region(client, user, skills):
    client.force_login(user)

    client.post(URL, valid_post(skills, country="MX", region="cmx"))
    assert Donor.objects.get(user=user).region == "MX-CMX"

    version = Donor.objects.get(user=user).updated_at.isoformat()
    client.post(URL, valid_post(skills, version=version, country="AQ", region=""))
    donor = Donor.objects.get(user=user)
    assert (donor.country.code, donor.region) == ("AQ", "")


def test_profile_edit_post_without_consent_saves_but_is_not_matchable(client, user, skills):
    client.force_login(user)
    data = valid_post(skills)
    del data["contact_consent"]

    response = client.post(URL, data)

    assert response.status_code == 302
    donor = Donor.objects.get(user=user)
    assert donor.contact_consent is False
    assert not Donor.objects.matchable().filter(pk=donor.pk).exists()


# --- Editing ---------------------------------------------------------------------------------


def test_profile_edit_get_prefills_existing_values(client, skills):
    donor = DonorFactory(
        user=UserFactory(display_name="Ada Byte", time_zone="Europe/Paris"),
        pronouns="they/them",
        country="FR",
        region="FR-75C",
        city="Paris",
        work_mode="in_person",
        weekly_hours=12,
        capacity=3,
        available_from=datetime.date(2026, 2, 1),
        on_call=True,
        bio="Photographer.",
        links=["https://ada.example.org/"],
        contact_consent=True,
    )
    DonorSkillFactory(donor=donor, skill=skills[1], level=2)
    DonorLanguageFactory(donor=donor, code="fr")
    ConflictFactory(donor=donor, name="Big Box Inc", normalized_name="big box inc")
    client.force_login(donor.user)

    response = client.get(URL)

    assert response.status_code == 200
    text = response.text
    assert "Edit your volunteer profile" in text
    assert f'name="version" value="{donor.updated_at.isoformat()}"' in text
    assert 'name="display_name" value="Ada Byte"' in text
    assert 'name="pronouns" value="they/them"' in text
    assert '<option value="FR" selected>France</option>' in text
    assert 'name="region" value="Paris" maxlength="100" list="id_region_names"' in text  # by name
    assert 'name="city" value="Paris"' in text
    assert '<option value="Europe/Paris" selected>Paris</option>' in text
    assert 'value="in_person" class="choice-list" required id="id_work_mode_1" checked' in text
    assert 'name="weekly_hours" value="12"' in text
    assert 'name="capacity" value="3"' in text
    assert 'name="available_from" value="2026-02-01"' in text
    assert 'name="on_call" aria-describedby="id_on_call_helptext" id="id_on_call" checked' in text
    assert ">\nPhotographer.</textarea>" in text
    assert ">\nBig Box Inc</textarea>" in text
    assert 'name="link_1" value="https://ada.example.org/"' in text
    assert 'name="languages" value="fr" id="id_languages_fr" checked' in text
    assert "<strong>You chose:</strong> French</p>" in text
    assert ticked(skills[1]) in text
    assert checked(skills[1], 2) in text
    assert offered(skills[0]) in text
    assert 'name="contact_consent" aria-describedby="id_contact_consent_helptext" ' in text


def test_profile_edit_get_without_profile_offers_creation(client, user, skills):
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    assert "Create your volunteer profile" in response.text
    assert '<input type="hidden" name="version" id="id_version">' in response.text
    assert f'name="display_name" value="{user.display_name}"' in response.text
    assert offered(skills[0]) in response.text
    assert "You chose:" not in response.text


def test_profile_edit_replaces_skills_languages_and_conflicts(client, skills):
    donor = DonorFactory()
    DonorSkillFactory(donor=donor, skill=skills[1], level=1)
    DonorLanguageFactory(donor=donor, code="de")
    ConflictFactory(donor=donor, name="Old Employer", normalized_name="old employer")
    client.force_login(donor.user)

    client.post(URL, valid_post(skills, version=donor.updated_at.isoformat()))

    assert sorted(donor.donor_skills.values_list("skill_id", "level")) == [
        (skills[0].pk, 3),
        (skills[2].pk, 1),
    ]
    assert sorted(donor.languages.values_list("code", flat=True)) == ["en", "es"]
    assert sorted(donor.conflicts.values_list("normalized_name", flat=True)) == [
        "acme logistics",
        "cafe nervosa",
    ]
    assert Donor.objects.filter(user=donor.user).count() == 1


def test_profile_edit_keeps_retired_skill_and_shows_it_read_only(client, skills):
    retired = SkillFactory(name="Zz fax campaigns", retired=True)
    donor = DonorFactory()
    DonorSkillFactory(donor=donor, skill=retired, level=3)
    client.force_login(donor.user)

    page = client.get(URL)
    # A hostile client "changing" the retired skill changes nothing.
    data = valid_post(skills, version=donor.updated_at.isoformat(), **{f"skill-{retired.pk}": "1"})
    response = client.post(URL, data)

    assert "<li>Zz fax campaigns: Can lead or teach it</li>" in page.text
    assert f'name="skill-{retired.pk}"' not in page.text
    assert response.status_code == 302
    assert sorted(donor.donor_skills.values_list("skill_id", "level")) == [
        (skills[0].pk, 3),
        (skills[2].pk, 1),
        (retired.pk, 3),
    ]


def test_profile_edit_with_only_a_retired_skill_may_save_without_picking(client, skills):
    retired = SkillFactory(retired=True)
    donor = DonorFactory()
    DonorSkillFactory(donor=donor, skill=retired, level=2)
    client.force_login(donor.user)
    data = valid_post(skills, version=donor.updated_at.isoformat())
    data = {key: value for key, value in data.items() if not key.startswith("skill")}

    response = client.post(URL, data)

    assert response.status_code == 302
    assert list(donor.donor_skills.values_list("skill_id", "level")) == [(retired.pk, 2)]


def test_profile_edit_hides_retired_skills_from_the_picker(client, user, skills):
    retired = SkillFactory(name="Zz fax campaigns", retired=True)
    client.force_login(user)

    response = client.get(URL)

    assert f'name="skill-{skills[0].pk}"' in response.text
    assert f'name="skill-{retired.pk}"' not in response.text
    assert "Zz fax campaigns" not in response.text


def test_profile_edit_groups_skills_by_category_with_filter_text(client, user, skills):
    client.force_login(user)

    response = client.get(URL)

    text = response.text
    design = text.index('<summary>Zz design <span class="count">(2)</span></summary>')
    video = text.index('<summary>Zz video <span class="count">(1)</span></summary>')
    flyer = text.index(f'<label for="id_skills_{skills[0].pk}">Zz flyer layout</label>')
    assert design < flyer < video
    assert video < text.index(f'<label for="id_skills_{skills[2].pk}">Zz video cutting</label>')
    assert 'data-filter-text="zz flyer layout posters print"' in text
    assert (
        '<legend>Your level<span class="visually-hidden"> in Zz flyer layout</span></legend>'
        in text
    )
    assert 'src="/static/js/skill-filter.js" defer' in text


# --- Bad input -------------------------------------------------------------------------------


@pytest.fixture
def editing(client, skills):
    """A volunteer with a stored profile, signed in, about to edit it."""
    donor = DonorFactory(user=UserFactory(display_name="Before"), bio="Old bio", links=[])
    DonorSkillFactory(donor=donor, skill=skills[1], level=2)
    DonorLanguageFactory(donor=donor, code="en")
    ConflictFactory(donor=donor)
    client.force_login(donor.user)
    return donor


def post_bad(client, donor, skills, /, **overrides):
    data = valid_post(skills, version=donor.updated_at.isoformat(), display_name="Typed Name")
    before = stored(donor.user)
    response = client.post(URL, data | overrides)
    assert stored(donor.user) == before, "an invalid form changed stored data"
    assert response.status_code == 200
    if "display_name" not in overrides:
        assert 'name="display_name" value="Typed Name"' in response.text
    assert '<div class="error-summary" role="alert"' in response.text
    return response


ONLY_WEB = "Only web addresses starting with http:// or https:// can be linked."
NOT_A_US_REGION = (
    "“Narnia” is not a region of United States of America. Type its name or code, for example "
    "Alabama or US-AL."
)
TOO_MANY_CONFLICTS = "List at most 20 employers or organizations (you listed 21)."
CONFLICT_TOO_LONG = "Line 2 has 201 characters; keep each name to 200 or fewer."
BAD_INPUTS = [
    ("weekly_hours", "0", "Enter a number of hours from 1 to 40."),
    ("weekly_hours", "41", "Enter a number of hours from 1 to 40."),
    ("weekly_hours", "x", "Enter a number of hours from 1 to 40."),
    ("capacity", "0", "Enter a number of fights from 1 to 5."),
    ("capacity", "6", "Enter a number of fights from 1 to 5."),
    ("link_1", "not a web address", "Enter a web address like https://example.org/my-work."),
    ("link_2", "javascript:alert(1)", ONLY_WEB),
    ("link_3", "JavaScript:alert(1)", ONLY_WEB),
    ("link_4", "data:text/html,hi", ONLY_WEB),
    ("link_5", "ftp://files.example.org/x", ONLY_WEB),
    ("bio", "x" * 1001, "Keep your bio to 1000 characters or fewer (it has 1001)."),
    ("available_until", "2026-01-04", "The end of your availability cannot be before its start."),
    ("available_from", "5 January", "Enter a date like 2026-05-01."),
    ("country", "XX", "Choose a country from the list."),
    ("country", "", "Choose your country."),
    ("region", "Narnia", NOT_A_US_REGION),
    ("time_zone", "Mars/Olympus", "Choose a time zone from the list."),
    ("work_mode", "teleport", "Choose remote, in person or either."),
    ("languages", ["en", "xx"], "Choose languages from the list (“xx” is not one of them)."),
    ("languages", [], "Tick at least one language you can work in."),
    ("display_name", "   ", "Enter your name."),
    ("conflicts", "\n".join(f"Employer {n}" for n in range(21)), TOO_MANY_CONFLICTS),
    ("conflicts", "Fine Inc\n" + "y" * 201, CONFLICT_TOO_LONG),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_profile_edit_bad_input_is_refused_at_the_field(
    client, editing, skills, field, value, message
):
    response = post_bad(client, editing, skills, **{field: value})

    assert field_errors(response, field) == [message]
    # What was typed is still there (a choice the list does not have cannot be shown).
    if field in ("bio", "conflicts"):
        assert f">\n{html.escape(value)}</textarea>" in response.text
    elif field not in ("country", "time_zone", "work_mode", "languages", "display_name"):
        assert f'name="{field}" value="{html.escape(value)}"' in response.text
    assert checked(skills[0], 3) in response.text


def test_profile_edit_overlong_bio_is_kept_as_typed(client, editing, skills):
    response = post_bad(client, editing, skills, bio="x" * 1001)

    assert f">\n{'x' * 1001}</textarea>" in response.text


def test_profile_edit_counts_crlf_as_one_character_in_bio(client, editing, skills):
    bio = "x" * 499 + "\r\n" + "y" * 500

    response = client.post(URL, valid_post(skills, version=editing.updated_at.isoformat(), bio=bio))

    assert response.status_code == 302
    assert len(Donor.objects.get(pk=editing.pk).bio) == 1000


@pytest.mark.parametrize(
    ("country", "region", "message"),
    [
        ("AQ", "Ross", "We know no regions for Antarctica: leave this blank."),
        ("BD", "Dhaka", "Several regions of Bangladesh are called “Dhaka” (BD-13, BD-C): type "
         "the code you mean."),
        ("MX", "US-CA", "“US-CA” is not a region of Mexico. Type its name or code, for example "
         "Aguascalientes or MX-AGU."),
    ],
)  # fmt: skip
def test_profile_edit_region_must_belong_to_country(
    client, editing, skills, country, region, message
):
    response = post_bad(client, editing, skills, country=country, region=region)

    assert field_errors(response, "region") == [message]
    assert f'name="region" value="{region}"' in response.text


def test_profile_edit_without_any_skill_is_refused(client, editing, skills):
    response = post_bad(client, editing, skills, skills=[])

    assert field_errors(response, "skills") == ["Pick at least one skill and your level in it."]
    assert 'aria-describedby="id_skills_helptext id_skills_error"' in response.text


def test_profile_edit_unknown_skill_id_is_refused(client, editing, skills):
    chosen = [str(skills[0].pk), "999999", "abc"]
    response = post_bad(client, editing, skills, skills=chosen, **{"skill-999999": "2"})

    assert field_errors(response, "skills") == [
        "We have no skill with the id “999999” to offer. Reload the page and pick from the list."
    ]
    assert checked(skills[0], 3) in response.text


@pytest.mark.parametrize("level", ["0", "4", "x", "-1", "2.0"])
def test_profile_edit_level_outside_one_to_three_is_refused(client, editing, skills, level):
    response = post_bad(client, editing, skills, **{f"skill-{skills[2].pk}": level})

    assert field_errors(response, "skills") == [
        f"Choose a level from 1 to 3 for “{skills[2].name}”."
    ]
    assert checked(skills[0], 3) in response.text


def test_profile_edit_tampered_version_is_refused_and_page_can_be_saved_again(
    client, editing, skills
):
    response = post_bad(client, editing, skills, version="2001-01-01T00:00:00+00:00")

    assert non_field_errors(response) == [
        "Your profile changed after this page was opened (perhaps in another tab), so nothing "
        "was saved. Check the form below and save again."
    ]
    current = editing.updated_at.isoformat()
    assert f'name="version" value="{current}"' in response.text
    assert client.post(URL, valid_post(skills, version=current)).status_code == 302


def test_profile_edit_stale_page_from_another_tab_is_refused(client, editing, skills):
    stale_version = editing.updated_at.isoformat()
    client.post(URL, valid_post(skills, version=stale_version, bio="Saved in tab one"))

    response = client.post(URL, valid_post(skills, version=stale_version, bio="Tab two"))

    assert response.status_code == 200
    assert "Your profile changed after this page was opened" in response.text
    assert Donor.objects.get(pk=editing.pk).bio == "Saved in tab one"


def test_profile_edit_ignores_extra_keys_for_user_staff_and_donor(
    client, editing, skills, other_volunteer
):
    other_before = stored(other_volunteer)
    data = valid_post(
        skills,
        version=editing.updated_at.isoformat(),
        user=str(other_volunteer.pk),
        user_id=str(other_volunteer.pk),
        donor=str(other_volunteer.donor.pk),
        id=str(other_volunteer.donor.pk),
        is_staff="on",
        is_superuser="on",
        paused_until="9999-12-31",
        email="attacker@example.org",
    )

    response = client.post(URL, data)

    assert response.status_code == 302
    me = get_user_model().objects.get(pk=editing.user.pk)
    assert (me.is_staff, me.is_superuser, me.email) == (False, False, editing.user.email)
    assert Donor.objects.get(pk=editing.pk).user_id == me.pk
    assert Donor.objects.get(pk=editing.pk).paused_until is None
    assert me.display_name == "Rosa Lopez"
    assert stored(other_volunteer) == other_before


def test_profile_edit_empty_post_shows_required_messages(client, editing, skills):
    before = stored(editing.user)

    response = client.post(URL, {})

    assert response.status_code == 200
    assert stored(editing.user) == before
    assert field_errors(response, "weekly_hours") == ["Enter a number of hours from 1 to 40."]
    assert field_errors(response, "skills") == ["Pick at least one skill and your level in it."]


def test_profile_edit_drops_null_and_other_invisible_characters(client, editing, skills):
    data = valid_post(skills, version=editing.updated_at.isoformat())
    data |= {"city": "Oak\x00land", "pronouns": "she\u202e/her", "display_name": "Ro\u200bsa"}
    data |= {"conflicts": "Acme\u2066 Corp\u2069\nBeta\x07 Inc", "bio": "Line\u200f one\r\nTwo"}

    response = client.post(URL, data)

    assert response.status_code == 302
    editing.refresh_from_db()
    assert (editing.city, editing.pronouns, editing.user.display_name) == (
        "Oakland",
        "she/her",
        "Rosa",
    )
    assert editing.bio == "Line one\nTwo"  # line breaks stay in the bio
    assert sorted(editing.conflicts.values_list("name", flat=True)) == ["Acme Corp", "Beta Inc"]


def test_profile_edit_error_summary_links_to_fields_in_page_order(client, editing, skills):
    data = valid_post(skills, version=editing.updated_at.isoformat(), weekly_hours="")
    data |= {"skills": [], "languages": []}

    response = client.post(URL, data)

    links = re.findall(r'<li><a href="#(id_\w+)">', response.text)
    assert links == ["id_skills", "id_languages", "id_weekly_hours"]
    assert (
        '<a href="#id_skills">Your skills: Pick at least one skill and your level in it.</a>'
        in response.text
    )


# --- Places: time zone from the country, regions and languages by name -----------------------


def test_profile_edit_time_zone_defaults_from_a_country_with_one(client, user, skills):
    client.force_login(user)

    response = client.post(URL, valid_post(skills, country="FR", region="", time_zone=""))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"


def test_profile_edit_time_zone_of_a_country_keeping_one_time_in_two_zones(client, user, skills):
    """Germany lists Berlin and Büsingen; both keep the same time, so Berlin is chosen."""
    client.force_login(user)

    client.post(URL, valid_post(skills, country="DE", region="", time_zone=""))

    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_profile_edit_time_zone_of_a_country_with_several_is_asked_by_place(client, user, skills):
    client.force_login(user)

    response = client.post(URL, valid_post(skills, time_zone=""))

    assert response.status_code == 200
    assert field_errors(response, "time_zone") == [
        "United States of America has several time zones: choose the place nearest you."
    ]
    # The country's own zones come first, by place, with tzdata's description of each.
    text = response.text
    us = text.index('<optgroup label="United States of America">')
    assert us < text.index('<option value="America/Los_Angeles">Los Angeles (Pacific)</option>')
    assert us < text.index('<optgroup label="Afghanistan">')
    assert not Donor.objects.filter(user=user).exists()


def test_profile_edit_new_profile_time_zone_starts_on_the_country(client, user, skills):
    client.force_login(user)

    text = client.get(URL).text

    country_s = "My country&#x27;s time zone (where it has one)"
    assert f'<option value="" selected>{country_s}</option>' in text
    assert '<option value="Europe/Paris">Paris</option>' in text
    assert ">America/Los_Angeles<" not in text
    assert "data-browser-time-zone" in text
    zones = text[
        text.index('<select name="time_zone"') : text.index(
            "</select>", text.index('<select name="time_zone"')
        )
    ]
    assert zones.count("<option value=") == 420  # places tzdata lists, and UTC; no aliases


def test_profile_edit_keeps_an_old_alias_time_zone_valid(client, skills):
    donor = DonorFactory(user=UserFactory(time_zone="US/Pacific"))
    DonorLanguageFactory(donor=donor, code="en")
    client.force_login(donor.user)

    page = client.get(URL)
    response = client.post(
        URL, valid_post(skills, version=donor.updated_at.isoformat(), time_zone="US/Pacific")
    )

    assert '<option value="US/Pacific" selected>US/Pacific</option>' in page.text
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("country", "region", "shown"),
    [("US", "US-CA", "California"), ("BD", "BD-13", "BD-13"), ("AQ", "", "")],
    ids=["by-name", "ambiguous-name-shows-code", "none"],
)
def test_profile_edit_region_reads_back_as_typed_name(client, skills, country, region, shown):
    donor = DonorFactory(country=country, region=region)
    client.force_login(donor.user)

    text = client.get(URL).text
    response = client.post(
        URL, valid_post(skills, version=donor.updated_at.isoformat(), country=country, region=shown)
    )

    assert (f'name="region" value="{shown}"' if shown else 'name="region" maxlength') in text
    assert response.status_code == 302
    assert Donor.objects.get(pk=donor.pk).region == region


def test_profile_edit_offers_the_regions_of_the_country(client, editing, skills):
    text = client.get(URL).text

    assert '<datalist id="id_region_names">' in text
    assert '<option value="California"></option>' in text


def test_profile_edit_shows_chosen_then_common_then_the_countrys_own_languages(client, skills):
    donor = DonorFactory(country="HT", region="")
    DonorLanguageFactory(donor=donor, code="de")
    DonorLanguageFactory(donor=donor, code="en")
    client.force_login(donor.user)

    text = client.get(URL).text

    first = text[
        text.index('<div class="choice-list language-list">') : text.index("Other languages")
    ]
    codes = re.findall(r'name="languages" value="(\w+)"', first)
    assert codes == ["de", "en", "es", "fr", "pt", "ar", "zh", "ht"]
    assert "<strong>You chose:</strong> German, English</p>" in text
    assert 'value="de" id="id_languages_de" checked' in text
    assert 'value="es" id="id_languages_es">' in text
    others = text[text.index("Other languages") :]
    assert 'value="af" id="id_languages_af"' in others
    assert 'value="en"' not in others


def test_profile_edit_shows_chosen_skills_first_with_a_summary(client, editing, skills):
    text = client.get(URL).text

    chosen = text.index('<ul class="skill-choices chosen-skills">')
    assert "<strong>You chose:</strong> Zz logo drawing</p>" in text
    assert chosen < text.index(ticked(skills[1])) < text.index("<summary>Zz design")
    assert checked(skills[1], 2) in text
    # A chosen skill is not repeated in its kind of work, which counts only the others.
    assert text.count(f'id="id_skills_{skills[1].pk}"') == 1
    assert '<summary>Zz design <span class="count">(1)</span></summary>' in text


def test_profile_edit_ticked_skill_without_level_is_refused_at_the_skill(client, editing, skills):
    data = {"skills": [str(skills[0].pk), str(skills[2].pk)], f"skill-{skills[2].pk}": ""}

    response = post_bad(client, editing, skills, **data)

    message = f"Choose your level in “{skills[2].name}”, or untick it."
    assert field_errors(response, "skills") == [message]
    assert f'<p class="field-error" id="id_skills_{skills[2].pk}_error">{message}</p>' in (
        html.unescape(response.text)
    )
    assert 'aria-invalid="true"' in response.text
    assert ticked(skills[2]) in response.text  # what was ticked stays ticked


def test_profile_edit_level_of_an_unticked_skill_is_ignored(client, editing, skills):
    data = valid_post(skills, version=editing.updated_at.isoformat())
    data[f"skill-{skills[1].pk}"] = "2"  # its radios stay in the page, hidden, once unticked

    response = client.post(URL, data)

    assert response.status_code == 302
    assert sorted(editing.donor_skills.values_list("skill_id", "level")) == [
        (skills[0].pk, 3),
        (skills[2].pk, 1),
    ]


def test_profile_edit_optional_parts_fold_until_they_hold_something(client, user, editing, skills):
    new_page = client.get(URL).text  # editing: bio "Old bio", no links, no dates
    client.force_login(user)
    blank_page = client.get(URL).text

    assert '<details class="optional" id="more" open>' in new_page
    assert '<details class="optional">' in new_page  # availability: no dates yet
    assert '<details class="optional" id="more">' in blank_page
