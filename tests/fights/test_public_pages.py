"""The public side: what the list, a fight's page and a request's page show, to whom, and how
they answer bad input. Feeds are in test_public_feeds.py; the URL-by-role table in
tests/test_access.py covers every role on every URL."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from fights.filters import RequestFilter
from tests.factories import (
    FightFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SkillCategoryFactory,
    SkillFactory,
    StaffFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("fights:list")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def listed_titles(response):
    return [support_request.title for support_request in response.context["page"].object_list]


def request_url(support_request):
    return reverse(
        "fights:request", kwargs={"slug": support_request.fight.slug, "pk": support_request.pk}
    )


def fight_url(fight):
    return reverse("fights:fight", kwargs={"slug": fight.slug})


@pytest.fixture
def hidden():
    """One request for each reason a request stays off the public list."""
    confidential = FightFactory(visibility="confidential", title="Hidden confidential fight")
    unverified = FightFactory(organization=OrganizationFactory(verified_at=None))
    rejected = FightFactory(
        organization=OrganizationFactory(verified_at=None, rejected_at=timezone.now())
    )
    won = FightFactory(status="won")
    return {
        "confidential": SupportRequestFactory(fight=confidential, title="Hidden confidential"),
        "unverified": SupportRequestFactory(fight=unverified, title="Hidden unverified org"),
        "rejected": SupportRequestFactory(fight=rejected, title="Hidden rejected org"),
        "won": SupportRequestFactory(fight=won, title="Hidden won fight"),
        "draft": SupportRequestFactory(status="draft", title="Hidden draft"),
        "filled": SupportRequestFactory(status="filled", title="Hidden filled"),
        "cancelled": SupportRequestFactory(status="cancelled", title="Hidden cancelled"),
    }


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_only_open_requests_of_active_public_fights_of_verified_orgs(client, hidden):
    shown = SupportRequestFactory(title="Shown request")

    response = client.get(LIST)

    assert response.status_code == 200
    assert listed_titles(response) == [shown.title]
    body = response.content.decode()
    assert "Hidden" not in body
    assert "1 open request" in body
    assert '<a href="#results-heading">Skip the filters: see the 1 request</a>' in body


def test_list_member_of_confidential_fight_sees_the_public_list_only(client, hidden):
    member = MembershipFactory(organization=hidden["confidential"].fight.organization).user
    client.force_login(member)

    response = client.get(LIST)

    assert listed_titles(response) == []
    assert "Hidden confidential" not in response.content.decode()


def test_list_sorted_by_urgency_then_needed_by(client):
    for title, days in [("normal", 30), ("critical", 1), ("soon", 9), ("overdue", -2), ("n", 15)]:
        SupportRequestFactory(title=title, needed_by=in_days(days))

    response = client.get(LIST)

    assert listed_titles(response) == ["overdue", "critical", "soon", "n", "normal"]


@pytest.fixture
def variety():
    """Three listed requests that differ on every filter."""
    design = SkillFactory(name="Poster design", slug="poster-design")
    video = SkillFactory(
        name="Drone video", slug="drone-video", category=SkillCategoryFactory(slug="qa-video")
    )
    strike = FightFactory(kind="strike", region="US-CA")
    boycott = FightFactory(kind="boycott", region="US-NY", city="New York")
    critical = SupportRequestFactory(
        fight=strike, title="Critical posters", needed_by=in_days(1), work_mode="in_person"
    )
    soon = SupportRequestFactory(
        fight=strike, title="Soon video", needed_by=in_days(10), region="US-TX", work_mode="either"
    )
    normal = SupportRequestFactory(
        fight=boycott, title="Normal posters", needed_by=in_days(40), work_mode="remote"
    )
    RequestSkillFactory(request=critical, skill=design)
    RequestSkillFactory(request=soon, skill=video)
    RequestSkillFactory(request=normal, skill=design, required=False)
    RequestLanguageFactory(request=critical, code="es")
    RequestLanguageFactory(request=normal, code="en")
    RequestLanguageFactory(request=normal, code="es")
    return {"design": design, "video": video}


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"skill": "poster-design"}, ["Critical posters", "Normal posters"]),
        ({"skill": "drone-video"}, ["Soon video"]),
        ({"category": "qa-video"}, ["Soon video"]),
        ({"region": "US-CA"}, ["Critical posters"]),  # the fight's region, the request has none
        ({"region": "US-TX"}, ["Soon video"]),  # the request's own region wins
        ({"region": "US-NY"}, ["Normal posters"]),
        ({"work_mode": "remote"}, ["Soon video", "Normal posters"]),  # "either" counts as both
        ({"work_mode": "in_person"}, ["Critical posters", "Soon video"]),
        ({"urgency": "critical"}, ["Critical posters"]),
        ({"urgency": "soon"}, ["Soon video"]),
        ({"urgency": "normal"}, ["Normal posters"]),
        ({"kind": "boycott"}, ["Normal posters"]),
        ({"language": "es"}, ["Critical posters", "Normal posters"]),
        ({"language": "en"}, ["Normal posters"]),
        ({"skill": "poster-design", "language": "es", "urgency": "normal"}, ["Normal posters"]),
        ({"kind": "strike", "region": "US-NY"}, []),
    ],
)
def test_list_filters(client, variety, params, titles):
    response = client.get(LIST, params)

    assert response.status_code == 200
    assert listed_titles(response) == titles


def test_list_counts_apply_the_other_filters_and_never_count_hidden_rows(client, variety, hidden):
    for support_request in hidden.values():
        RequestSkillFactory(request=support_request, skill=variety["design"])
        RequestLanguageFactory(request=support_request, code="es")

    response = client.get(LIST, {"urgency": "critical"})

    counts = response.context["counts"]
    assert counts["skill"] == {"poster-design": 1}
    assert counts["urgency"] == {"critical": 1, "soon": 1, "normal": 1}
    assert counts["language"] == {"es": 1}
    assert counts["kind"] == {"strike": 1}
    assert counts["work_mode"] == {"remote": 0, "in_person": 1}
    assert counts["region"] == {"US-CA": 1}
    body = response.content.decode()
    assert '<option value="poster-design">Poster design (1)</option>' in body
    assert '<option value="critical" selected>Critical: needed within 72 hours (1)</option>' in body
    assert "drone-video" not in body  # no result would have it: not offered


def test_list_counts_match_the_results_of_picking_that_choice(variety):
    counts = RequestFilter({"language": "es"}).counts()

    for value, number in counts["skill"].items():
        assert len(RequestFilter({"language": "es", "skill": value}).qs) == number


def test_list_paginates_twenty_a_page_keeping_filters(client):
    SupportRequestFactory.create_batch(23, work_mode="remote")

    first = client.get(LIST, {"work_mode": "remote"})
    second = client.get(LIST, {"work_mode": "remote", "page": "2"})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 3
    assert 'href="?work_mode=remote&amp;page=2" rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "1e9", "99999999999999999999999999", "2\x00", "", "1.5"]
)
def test_list_bad_page_number_shows_a_page(client, page):
    SupportRequestFactory.create_batch(2)

    response = client.get(LIST, {"page": page})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"skill": "999999"}, "skill"),
        ({"skill": "no-such-skill"}, "skill"),
        ({"skill": "poster\x00design"}, "skill"),
        ({"category": "'; drop table fights_fight; --"}, "category"),
        ({"region": "XX-YY"}, "region"),
        ({"region": "US-CA\x00"}, "region"),
        ({"region": "x" * 5000}, "region"),
        ({"work_mode": "teleport"}, "work_mode"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"kind": "lockout"}, "kind"),
        ({"language": "klingon"}, "language"),
        ({"language": "\x00"}, "language"),
    ],
)
def test_list_bad_filter_is_named_at_its_field_and_the_others_still_apply(
    client, variety, params, field
):
    response = client.get(LIST, {**params, "kind": "boycott"} if field != "kind" else params)

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    body = response.content.decode()
    assert "A filter could not be used" in body
    assert f'href="#id_{field}"' in body
    assert 'aria-invalid="true"' in body
    if field != "kind":
        assert listed_titles(response) == ["Normal posters"]


def test_list_retired_skill_is_not_offered(client):
    retired = SkillFactory(name="Fax campaigns", retired=True)
    RequestSkillFactory(skill=retired)

    response = client.get(LIST, {"skill": retired.slug})

    assert response.status_code == 400
    assert "Fax campaigns" in response.content.decode()  # on the card, not as a choice
    assert f'value="{retired.slug}"' not in response.content.decode()


def test_list_post_is_refused(client):
    assert client.post(LIST).status_code == 405


# --- the fight page -------------------------------------------------------------------------


def test_fight_page_shows_its_open_requests_most_urgent_first(client, hidden):
    fight = FightFactory(title="Harbor strike", key_date=in_days(5))
    SupportRequestFactory(fight=fight, title="Later", needed_by=in_days(20))
    SupportRequestFactory(fight=fight, title="Sooner", needed_by=in_days(2))
    SupportRequestFactory(fight=fight, title="A draft", status="draft")

    response = client.get(fight_url(fight))

    assert response.status_code == 200
    assert [r.title for r in response.context["requests"]] == ["Sooner", "Later"]
    body = response.content.decode()
    assert "<title>Harbor strike · Knowledge Donors</title>" in body
    assert "A draft" not in body
    assert "Confidential" not in body


def test_fight_page_of_a_won_fight_shows_the_outcome_and_no_requests(client):
    fight = FightFactory(status="won", outcome="A first contract, signed.")
    SupportRequestFactory(fight=fight, title="Still open")

    response = client.get(fight_url(fight))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Outcome: Won" in body
    assert "A first contract, signed." in body
    assert "Still open" not in body


@pytest.fixture
def secret():
    fight = FightFactory(
        title="Quiet walkout", target_employer="Hush Inc", visibility="confidential"
    )
    member = MembershipFactory(organization=fight.organization, role="organizer").user
    return {
        "fight": fight,
        "member": member,
        "request": SupportRequestFactory(fight=fight, title="Quiet flyers"),
    }


def unmasked(response) -> str:
    """The body without the CSRF token, which is masked afresh on every response."""
    return CSRF_TOKEN.sub("", response.content.decode())


def _outsiders():
    staff = StaffFactory()  # staff without fights.view_confidential_fight
    other_org_member = MembershipFactory().user
    return [None, UserFactory(), staff, other_org_member]


@pytest.mark.parametrize("page", ["fight", "request"])
def test_confidential_pages_answer_outsiders_exactly_like_a_missing_one(client, secret, page):
    url = fight_url(secret["fight"]) if page == "fight" else request_url(secret["request"])
    missing = (
        reverse("fights:fight", kwargs={"slug": "no-such-fight"})
        if page == "fight"
        else reverse("fights:request", kwargs={"slug": secret["fight"].slug, "pk": 987654})
    )
    for outsider in _outsiders():
        client.logout()
        if outsider:
            client.force_login(outsider)

        response, not_found = client.get(url), client.get(missing)

        assert (response.status_code, unmasked(response)) == (404, unmasked(not_found))
        assert b"Quiet" not in response.content and b"Hush" not in response.content


@pytest.mark.parametrize("page", ["fight", "request"])
def test_confidential_pages_member_sees_them_marked_confidential(client, secret, page):
    client.force_login(secret["member"])
    url = fight_url(secret["fight"]) if page == "fight" else request_url(secret["request"])

    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Confidential fight." in body
    assert f"Only members of {secret['fight'].organization.name}" in body
    assert "not in the public list or the feeds" in body
    assert "Quiet flyers" in body


def test_confidential_fight_staff_with_the_permission_see_it(client, secret):
    staff = StaffFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_confidential_fight"))
    client.force_login(staff)

    response = client.get(fight_url(secret["fight"]))

    assert response.status_code == 200
    assert "Confidential fight." in response.content.decode()


# --- the request page -----------------------------------------------------------------------


def test_request_page_shows_the_need_without_anyones_contact_details(client):
    author = UserFactory(email="author-private@example.org", display_name="Private Author")
    support_request = SupportRequestFactory(
        created_by=author, description="Two flyers, English and Spanish.", starts_on=in_days(2)
    )
    RequestSkillFactory(request=support_request, required=True, min_level=2)
    RequestSkillFactory(request=support_request, required=False)

    response = client.get(request_url(support_request))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Two flyers, English and Spanish." in body
    assert "required" in body and "nice to have" in body
    assert "at least “Experienced”" in body
    assert "author-private@example.org" not in body and "Private Author" not in body
    assert "Not in the public list" not in body


def test_request_page_under_another_fights_slug_is_404(client):
    support_request = SupportRequestFactory()
    other = FightFactory()

    url = reverse("fights:request", kwargs={"slug": other.slug, "pk": support_request.pk})

    assert client.get(url).status_code == 404


def test_request_page_draft_of_verified_org_is_not_public(client):
    draft = SupportRequestFactory(status="draft", title="Draft flyers")
    member = MembershipFactory(organization=draft.fight.organization).user
    outsiders = [None, UserFactory(), StaffFactory(), MembershipFactory().user]

    for outsider in outsiders:
        client.logout()
        if outsider:
            client.force_login(outsider)
        assert client.get(request_url(draft)).status_code == 404
        assert "Draft flyers" not in client.get(fight_url(draft.fight)).content.decode()
    client.force_login(member)
    response = client.get(request_url(draft))

    assert response.status_code == 200
    assert "Not in the public list." in response.content.decode()
    assert "This request is Draft" in response.content.decode()


def test_request_page_of_unverified_org_member_only_says_not_public_yet(client):
    support_request = SupportRequestFactory(
        fight=FightFactory(organization=OrganizationFactory(verified_at=None))
    )
    member = MembershipFactory(organization=support_request.fight.organization).user

    assert client.get(request_url(support_request)).status_code == 404
    client.force_login(member)
    response = client.get(request_url(support_request))

    assert response.status_code == 200
    assert "Not public yet." in response.content.decode()


# --- links to the list --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/organizers/", LIST])
def test_header_links_to_the_fights_that_need_help(client, url):
    response = client.get(url)

    assert f'<a href="{LIST}"' in response.content.decode()


def test_home_page_links_to_the_list(client):
    assert "See the fights that need help now" in client.get("/").content.decode()
