"""The Atom feed and the JSON Feed 1.1 of the open public requests."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import (
    FightFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SkillFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "http://kd.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def requests_world():
    skill = SkillFactory(name="Picket flyers", slug="picket-flyers")
    fight = FightFactory(title="Harbor strike", slug="harbor", region="US-WA", city="Seattle")
    fight.organization.website = "https://harbor.example.org"
    fight.organization.save()
    listed = SupportRequestFactory(fight=fight, title="Flyers <for> the line", hours_estimate=6)
    RequestSkillFactory(request=listed, skill=skill, min_level=2)
    RequestLanguageFactory(request=listed, code="es")
    other = SupportRequestFactory(title="Website for the boycott", region="US-CA")
    secret_fight = FightFactory(
        visibility="confidential", title="SECRET fight", target_employer="SECRET boss"
    )
    secret = SupportRequestFactory(fight=secret_fight, title="SECRET request")
    RequestSkillFactory(request=secret, skill=skill)
    SupportRequestFactory(status="draft", title="SECRET draft")
    SupportRequestFactory(
        fight=FightFactory(organization=OrganizationFactory(verified_at=None)),
        title="SECRET unverified",
    )
    return {"listed": listed, "other": other, "secret": secret}


def atom_entries(response):
    root = ET.fromstring(response.content)  # noqa: S314 (the feed this test just got)
    return root, root.findall(f"{ATOM}entry")


def test_atom_feed_lists_the_open_public_requests(client, requests_world):
    response = client.get(reverse("fights:feed_atom"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    root, entries = atom_entries(response)
    assert root.find(f"{ATOM}title").text == "Fights that need help · Knowledge Donors"
    listed = requests_world["listed"]
    url = f"{SITE}/fights/harbor/requests/{listed.pk}/"
    titles = {entry.find(f"{ATOM}title").text: entry for entry in entries}
    assert set(titles) == {
        "Flyers <for> the line · Harbor strike",
        f"Website for the boycott · {requests_world['other'].fight.title}",
    }
    entry = titles["Flyers <for> the line · Harbor strike"]
    assert entry.find(f"{ATOM}id").text == url
    assert entry.find(f"{ATOM}link").get("href") == url
    assert entry.find(f"{ATOM}category").get("term") == "Picket flyers"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == listed.fight.organization.name
    summary = entry.find(f"{ATOM}summary").text
    assert "Skills: Picket flyers" in summary
    assert "Seattle, Washington (US)" in summary
    assert "SECRET" not in response.content.decode()


def test_json_feed_is_version_1_1_with_the_facts_embedders_filter_on(client, requests_world):
    response = client.get(reverse("fights:feed_json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == f"{SITE}/fights/"
    assert feed["feed_url"] == f"{SITE}/fights/feed.json"
    listed = requests_world["listed"]
    items = {item["title"]: item for item in feed["items"]}
    assert len(items) == 2
    item = items["Flyers <for> the line · Harbor strike"]
    assert item["id"] == item["url"] == f"{SITE}/fights/harbor/requests/{listed.pk}/"
    assert item["content_text"] == listed.description
    assert item["authors"] == [
        {"name": listed.fight.organization.name, "url": "https://harbor.example.org"}
    ]
    assert item["tags"] == ["Picket flyers"]
    assert item["date_published"] == listed.opened_at.isoformat()
    assert item["_knowledge_donors"] == {
        "needed_by": listed.needed_by.isoformat(),
        "urgency": "normal",
        "work_mode": "remote",
        "hours_estimate": 6,
        "helpers_needed": 1,
        "languages": ["es"],
        "skills": [
            {"slug": "picket-flyers", "name": "Picket flyers", "required": True, "min_level": 2}
        ],
        "fight": {
            "title": "Harbor strike",
            "kind": "strike",
            "url": f"{SITE}/fights/harbor/",
            "organization": listed.fight.organization.name,
        },
    }
    assert "SECRET" not in response.content.decode()


@pytest.mark.parametrize("name", ["fights:feed_atom", "fights:feed_json"])
def test_feeds_take_the_lists_filters(client, requests_world, name):
    response = client.get(reverse(name), {"region": "US-CA"})

    body = response.content.decode()
    assert "Website for the boycott" in body
    assert "Flyers" not in body
    assert f"{SITE}/fights/?region=US-CA" in body


@pytest.mark.parametrize("name", ["fights:feed_atom", "fights:feed_json"])
def test_feeds_are_the_same_for_a_member_of_the_confidential_fight(client, requests_world, name):
    anonymous = client.get(reverse(name)).content
    member = MembershipFactory(organization=requests_world["secret"].fight.organization).user
    client.force_login(member)

    response = client.get(reverse(name))

    assert b"SECRET" not in response.content
    assert response.content == anonymous


@pytest.mark.parametrize("name", ["fights:feed_atom", "fights:feed_json"])
@pytest.mark.parametrize(
    "params", [{"skill": "999999"}, {"region": "\x00"}, {"urgency": "now!"}, {"language": "xx"}]
)
def test_feeds_bad_filter_is_400_saying_which(client, requests_world, name, params):
    response = client.get(reverse(name), params)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(f"Bad filter: {next(iter(params))}:")


def test_feeds_hold_at_most_fifty_items_most_urgent_first(client):
    SupportRequestFactory.create_batch(52)

    feed = json.loads(client.get(reverse("fights:feed_json")).content)

    assert len(feed["items"]) == 50
    needed_by = [item["_knowledge_donors"]["needed_by"] for item in feed["items"]]
    assert needed_by == sorted(needed_by)


def test_feeds_with_nothing_listed_are_valid_and_empty(client):
    _root, entries = atom_entries(client.get(reverse("fights:feed_atom")))
    feed = json.loads(client.get(reverse("fights:feed_json")).content)

    assert entries == []
    assert feed["items"] == []


def test_list_page_advertises_the_feeds(client):
    body = client.get(reverse("fights:list"), {"urgency": "soon"}).content.decode()

    assert 'rel="alternate" type="application/atom+xml"' in body
    assert 'href="/fights/feed.json?urgency=soon"' in body
