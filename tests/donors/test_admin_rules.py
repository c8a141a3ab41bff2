"""The donor admin stores only what the volunteer's own form accepts (issue 10, item 7), with
the same field rules (donors/fields.py); the volunteer's pages render whatever is stored."""

import pytest
from django.core.exceptions import ValidationError

from donors.fields import WebLinkField
from donors.forms import DonorAdminForm
from tests.conftest import make_volunteer
from tests.donors.test_admin import change_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def staff_client(client, profile_editor):
    """Staff who may correct profiles (the Profile editors group): these tests post the form."""
    client.force_login(profile_editor)
    return client


def change_url(donor):
    return f"/admin/donors/donor/{donor.pk}/change/"


@pytest.mark.parametrize(
    "links", ["5", '{"a": 1}', "[null]", DEEP, "javascript:alert(1)", "data:text/html,x"]
)
def test_admin_refuses_links_the_volunteer_form_refuses(staff_client, links):
    donor = make_volunteer(links=["https://example.org/work"])

    response = staff_client.post(change_url(donor), change_data(donor) | {"links": links})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["links"]
    donor.refresh_from_db()
    assert donor.links == ["https://example.org/work"]


def test_admin_refuses_more_links_than_the_volunteer_form_has(staff_client):
    donor = make_volunteer(links=[])
    links = "\n".join(f"https://example.org/{n}" for n in range(6))

    response = staff_client.post(change_url(donor), change_data(donor) | {"links": links})

    assert response.context["adminform"].form.errors["links"] == [
        "List at most 5 links (there are 6)."
    ]


def test_admin_saves_links_one_per_line_as_the_volunteer_form_would(staff_client):
    donor = make_volunteer(links=[])
    links = "https://a.example.org/\r\n\r\nexample.org:8080/x\nhttps://a.example.org/"

    response = staff_client.post(change_url(donor), change_data(donor) | {"links": links})

    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.links == ["https://a.example.org/", "https://example.org:8080/x"]


@pytest.mark.parametrize("region", ["ZZ-99", "Atlantis", "FR-75"])
def test_admin_refuses_a_region_that_is_not_of_the_country(staff_client, region):
    donor = make_volunteer(country="US", region="US-CA")

    response = staff_client.post(change_url(donor), change_data(donor) | {"region": region})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["region"]
    donor.refresh_from_db()
    assert donor.region == "US-CA"


def test_admin_stores_a_region_typed_by_name_as_its_code(staff_client):
    donor = make_volunteer(country="US", region="US-CA")

    response = staff_client.post(change_url(donor), change_data(donor) | {"region": "oregon"})

    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.region == "US-OR"


def test_admin_drops_invisible_characters_as_the_volunteer_form_does(staff_client):
    donor = make_volunteer()
    data = change_data(donor) | {"pronouns": "they\u202e/them", "city": "Oak\u200bland\x00"}
    data |= {"bio": "One\u2066\r\nTwo", "conflicts-0-name": "Ac\u200dme"}

    response = staff_client.post(change_url(donor), data)

    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.pronouns, donor.city, donor.bio) == ("they/them", "Oakland", "One\nTwo")


def test_admin_user_form_drops_invisible_characters_from_the_display_name(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(email="rosa@example.org")
    client.force_login(admin)

    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {"email": " Rosa@Example.org", "display_name": "Ro\u202esa\u200b L", "time_zone": "UTC"}
        | {"is_active": "on"},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.display_name) == ("rosa@example.org", "Rosa L")


@pytest.mark.parametrize("stored", [5, {"a": 1}, [None], [[["x"]]], ["javascript:alert(1)"]])
def test_volunteer_pages_render_whatever_links_are_stored(client, stored):
    donor = make_volunteer(links=stored)
    client.force_login(donor.user)

    profile = client.get("/profile/")
    edit = client.get("/profile/edit/")

    assert (profile.status_code, edit.status_code) == (200, 200)
    assert "javascript:" not in profile.text
    assert 'href="javascript' not in edit.text


def test_stored_web_links_show_only_http_addresses():
    donor = make_volunteer(links=["https://ok.example.org/", "javascript:alert(1)", 7, None])

    assert donor.web_links == ["https://ok.example.org/"]


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("example.org:8080/x", "https://example.org:8080/x"),
        ("localhost:8000", "https://localhost:8000"),
        ("http://example.org:8080/x", "http://example.org:8080/x"),
        ("example.org/work", "https://example.org/work"),
    ],
)
def test_web_link_field_allows_a_port(typed, cleaned):
    assert WebLinkField(required=False).clean(typed) == cleaned


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "ftp://example.org", "mailto:a@b.org"])
def test_web_link_field_still_refuses_other_schemes(typed):
    with pytest.raises(ValidationError):
        WebLinkField(required=False).clean(typed)


def test_admin_form_and_profile_form_share_the_field_rules():
    from donors.forms import ProfileForm

    for name in ("pronouns", "region", "city", "bio"):
        admin_field, own_field = DonorAdminForm.base_fields[name], ProfileForm.base_fields[name]
        assert type(admin_field) is type(own_field), name
        assert admin_field.max_length == own_field.max_length, name
