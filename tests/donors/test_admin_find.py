"""Staff find the right donor without mistakes (issue 11): consent and "ready to match" in the
list, readable skills and languages, a read-only donor page first, editing only for the
Profile editors group, and one "Accounts" section in the admin index."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from donors.models import Donor, Skill
from tests.donors.test_admin import CHANGELIST, change_data, listed
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def editor_client(client, profile_editor):
    client.force_login(profile_editor)
    return client


def donor(email, **fields):
    return DonorFactory(user=UserFactory(email=email, display_name=email.split("@")[0]), **fields)


@pytest.fixture
def four_donors():
    """One donor for each reason `matchable()` has, and one it keeps."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return {
        "ready": donor("ready@example.org"),
        "no_consent": donor("no-consent@example.org", contact_consent=False),
        "paused": donor("paused@example.org", paused_until=tomorrow),
        "inactive": DonorFactory(user=UserFactory(email="inactive@example.org", is_active=False)),
    }


def emails(donors):
    return sorted(d.user.email for d in donors)


# --- the list: consent, ready to match, readable columns --------------------------------------


def test_consent_column_as_staff_says_who_may_be_contacted(staff_client, four_donors):
    response = staff_client.get(CHANGELIST)

    rows = dict(re.findall(r'"field-email">([^<]+)</td>(.*?)</tr>', response.text))
    no = '<td class="field-can_be_contacted"><img src="/static/admin/img/icon-no.svg" alt="No">'
    yes = '<td class="field-can_be_contacted"><img src="/static/admin/img/icon-yes.svg" alt="Yes">'
    assert "Can be contacted</a>" in response.text
    assert no in rows["no-consent@example.org"]
    assert yes in rows["ready@example.org"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", ["inactive@example.org", "paused@example.org", "ready@example.org"]),
        ("no", ["no-consent@example.org"]),
    ],
)
def test_consent_filter_as_staff(staff_client, four_donors, value, expected):
    response = staff_client.get(CHANGELIST, {"contact_consent": value})

    assert listed(response) == expected


def test_paused_column_as_staff_says_who_is_paused_today(staff_client, four_donors):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    donor("was-paused@example.org", paused_until=yesterday)

    response = staff_client.get(CHANGELIST)

    rows = dict(re.findall(r'"field-email">([^<]+)</td>(.*?)</tr>', response.text))
    cell = '<td class="field-paused"><img src="/static/admin/img/icon-{}.svg" alt="{}">'
    assert cell.format("yes", "Yes") in rows["paused@example.org"]
    assert cell.format("no", "No") in rows["ready@example.org"]
    assert cell.format("no", "No") in rows["was-paused@example.org"]


def test_ready_filter_as_staff_is_exactly_matchable(staff_client, four_donors):
    ready = staff_client.get(CHANGELIST, {"ready": "yes"})
    not_ready = staff_client.get(CHANGELIST, {"ready": "no"})

    assert listed(ready) == emails(Donor.objects.matchable()) == ["ready@example.org"]
    assert listed(not_ready) == emails(Donor.objects.exclude(pk__in=Donor.objects.matchable()))
    assert listed(not_ready) == [
        "inactive@example.org",
        "no-consent@example.org",
        "paused@example.org",
    ]


def test_ready_filter_as_staff_combines_with_other_filters(staff_client, four_donors):
    response = staff_client.get(CHANGELIST, {"ready": "yes", "contact_consent": "no"})

    assert listed(response) == []


def test_skills_column_as_staff_shows_strongest_three_and_more(staff_client):
    ana = donor("ana@example.org")
    levels = {"graphic-design": 1, "photography": 3, "video-editing": 2, "mass-texting": 3}
    for slug, level in levels.items():
        DonorSkillFactory(donor=ana, skill=Skill.objects.get(slug=slug), level=level)
    for code in ("pt", "en"):
        DonorLanguageFactory(donor=ana, code=code)

    response = staff_client.get(CHANGELIST)

    assert (
        '<td class="field-skills_summary">Mass texting (leads), Photography (leads), '
        "Video editing (experienced) +1 more</td>"
    ) in response.text
    assert '<td class="field-languages_summary">English, Portuguese</td>' in response.text
    assert '<td class="field-place">Oakland, California, US</td>' in response.text


# --- looking is not editing -------------------------------------------------------------------


@pytest.fixture
def ana():
    ana = DonorFactory(
        user=UserFactory(email="ana@example.org", display_name="Ana Lima"),
        country="US",
        region="US-CA",
        city="Oakland",
        links=["https://ana.example.org/work"],
        pronouns="she/her",
        weekly_hours=6,
        capacity=2,
        on_call=True,
    )
    DonorSkillFactory(donor=ana, skill=Skill.objects.get(slug="graphic-design"), level=3)
    DonorSkillFactory(donor=ana, skill=Skill.objects.get(slug="photography"), level=1)
    DonorLanguageFactory(donor=ana, code="pt")
    ConflictFactory(donor=ana, name="Café Logistics", normalized_name="cafe logistics")
    return ana


def page_of(donor):
    return f"/admin/donors/donor/{donor.pk}/change/"


def test_donor_page_as_staff_is_read_only_with_everything_by_name(staff_client, ana):
    response = staff_client.get(page_of(ana))

    text = response.text
    assert response.status_code == 200
    assert response.templates[0].name == "admin/donors/donor/donor_page.html"
    assert 'id="donor_form"' not in text and "<select" not in text
    assert "<h1>Ana Lima</h1>" in text
    assert '<a href="mailto:ana@example.org">ana@example.org</a>' in text
    assert "<dd>Oakland, California, United States of America</dd>" in text
    assert "<dd>Portuguese</dd>" in text
    assert '<a href="https://ana.example.org/work" rel="noopener noreferrer nofollow">' in text
    assert re.search(
        r"<h3>Design and print</h3>\s*<ul>\s*<li>Graphic design: Can lead or teach it</li>", text
    )
    assert "<li>Photography: Can do it</li>" in text
    assert "<dd>Café Logistics</dd>" in text
    assert "cafe logistics" not in text  # matching's normalized column stays internal
    assert "<dd>Yes, agreed to be contacted about matches</dd>" in text
    assert "<strong>Ready to match:</strong>" in text
    assert f"<dt>Signed up</dt><dd>{ana.user.date_joined:%-d %B %Y}</dd>" in text
    assert "<dt>Last signed in</dt><dd>Never</dd>" in text
    assert "<dt>Vetted for confidential fights</dt><dd>No</dd>" in text
    assert "Edit profile" not in text


def test_donor_page_as_staff_links_to_match_history(staff_client, ana):
    response = staff_client.get(page_of(ana))

    url = reverse("admin:matching_match_changelist") + f"?donor__id__exact={ana.pk}"
    assert f'<a href="{url}">Match history</a>' in response.text
    assert staff_client.get(url).status_code == 200


def test_donor_page_as_staff_says_why_not_ready(staff_client):
    paused = donor("paused@example.org", contact_consent=False, paused_until=datetime.date.max)

    response = staff_client.get(page_of(paused))

    assert (
        "<strong>Not ready to match:</strong> has not agreed to be contacted; "
        "paused until they resume."
    ) in response.text


def test_donor_edit_as_staff_without_change_permission_stays_read_only(staff_client, ana):
    response = staff_client.get(page_of(ana) + "?edit=1")

    assert response.templates[0].name == "admin/donors/donor/donor_page.html"
    assert 'id="donor_form"' not in response.text


def test_donor_post_as_staff_without_change_permission_forbidden(staff_client, ana):
    response = staff_client.post(page_of(ana), change_data(ana) | {"city": "Fresno"})

    assert response.status_code == 403
    ana.refresh_from_db()
    assert ana.city == "Oakland"


def test_donor_page_as_editor_offers_edit_as_second_step(editor_client, ana):
    page = editor_client.get(page_of(ana))
    form = editor_client.get(page_of(ana) + "?edit=1")

    assert '<a href="?edit=1" class="changelink">Edit profile</a>' in page.text
    assert 'id="donor_form"' not in page.text
    assert '<form method="post" id="donor_form" novalidate>' in form.text


def test_donor_edit_as_editor_labels_every_inline_control(editor_client, ana):
    response = editor_client.get(page_of(ana) + "?edit=1")

    for label in ("Skill, row 1", "Skill, row 2", "Level, row 2", "Delete, row 1"):
        assert f'aria-label="{label}"' in response.text
    for label in ("Code, row 1", "Name, row 1", "Skill, new row"):
        assert f'aria-label="{label}"' in response.text
    assert "normalized" not in response.text


def test_donor_edit_as_editor_saves_and_continues_in_the_form(editor_client, ana):
    data = change_data(ana) | {"city": "Fresno", "_continue": "Save and continue editing"}

    response = editor_client.post(page_of(ana) + "?edit=1", data)

    assert response.status_code == 302
    assert response["Location"] == page_of(ana) + "?edit=1"
    ana.refresh_from_db()
    assert ana.city == "Fresno"


def test_vet_action_as_staff_without_change_permission(staff_client, staff, ana):
    response = staff_client.post(
        CHANGELIST, {"action": "vet", "_selected_action": [ana.pk]}, follow=True
    )

    assert "1 volunteer(s) vetted; 0 already were." in response.text
    ana.refresh_from_db()
    assert ana.vetted_by == staff


# --- the admin index ------------------------------------------------------------------------


def test_admin_index_as_staff_has_one_accounts_section(staff_client):
    response = staff_client.get("/admin/")

    sections = re.findall(r'class="section"[^>]*>([^<]+)</a>', response.text)
    assert sections.count("Accounts") == 1
    assert "Sign-in addresses" in sections
