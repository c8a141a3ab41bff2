"""The organizer pages: bad or hostile input gets a message at the field or a 403/404, keeps
what was typed and changes nothing stored; the dashboard costs the same queries for 1 or 3."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import privacy
from donors.models import Skill
from fights.models import Fight, Membership, Organization, RequestTemplate, SupportRequest
from tests.factories import (
    FightFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestSkillFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def member(client):
    membership = MembershipFactory(role="organizer")
    client.force_login(membership.user)
    return membership


@pytest.fixture
def fight(member):
    return FightFactory(organization=member.organization)


def request_post(skill, **overrides):
    data = {
        "version": "",
        "title": "Flyers for the picket",
        "needed_by": in_days(10),
        "hours_estimate": "6",
        "helpers_needed": "1",
        "work_mode": "remote",
        f"skill-{skill.pk}": "2",
    }
    return {**data, **overrides}


@pytest.fixture
def skill():
    return Skill.objects.active().first()


BAD_REQUESTS = [
    ({"needed_by": in_days(-1)}, "needed_by", "This date has passed"),
    ({"starts_on": in_days(12)}, "starts_on", "cannot start after"),
    ({"hours_estimate": "0"}, "hours_estimate", "from 1 to 500"),
    ({"hours_estimate": "-3"}, "hours_estimate", "from 1 to 500"),
    ({"hours_estimate": "100000"}, "hours_estimate", "from 1 to 500"),
    ({"helpers_needed": "0"}, "helpers_needed", "from 1 to 50"),
    ({"needed_by": "2999-01-01"}, "needed_by", "within the next two years"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_REQUESTS)
def test_request_create_bad_input_shows_message_at_field_and_keeps_typing(
    client, fight, skill, overrides, field, message
):
    response = client.post(
        f"/organizers/fights/{fight.slug}/requests/new/", request_post(skill, **overrides)
    )

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert 'value="Flyers for the picket"' in response.text
    assert SupportRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("skill-999999", "1", "We have no skill"), (None, "7", "Choose a level from 1 to 3")],
)
def test_request_create_unknown_skill_or_bad_level_is_refused(
    client, fight, skill, key, value, message
):
    response = client.post(
        f"/organizers/fights/{fight.slug}/requests/new/",
        request_post(skill, **{key or f"skill-{skill.pk}": value}),
    )

    assert response.status_code == 400
    assert message in str(response.context["form"].errors["skills"])
    assert SupportRequest.objects.count() == 0


def test_request_create_retired_skill_is_refused(client, fight, skill):
    retired = Skill.objects.active().last()
    Skill.objects.filter(pk=retired.pk).update(retired=True)

    response = client.post(
        f"/organizers/fights/{fight.slug}/requests/new/",
        request_post(skill, **{f"skill-{retired.pk}": "1"}),
    )

    assert response.status_code == 400
    assert "We have no skill" in str(response.context["form"].errors["skills"])


def test_request_create_ignores_extra_keys_for_status_and_organization(client, fight, skill):
    other = FightFactory()
    response = client.post(
        f"/organizers/fights/{fight.slug}/requests/new/",
        request_post(skill, status="open", fight=other.pk, organization=other.organization_id,
                     verified_at="2020-01-01", opened_at="2020-01-01"),
    )  # fmt: skip

    assert response.status_code == 302
    created = SupportRequest.objects.get()
    assert (created.status, created.fight, created.opened_at) == ("draft", fight, None)
    assert list(created.request_skills.values_list("skill", "required", "min_level")) == [
        (skill.pk, True, 2)
    ]


def test_organization_create_ignores_verified_at_and_requires_attestation(client, member):
    data = {"name": "Sneaky Local", "kind": "union_local", "country": "US"}

    refused = client.post("/organizers/organizations/new/", {**data, "verified_at": "2020-1-1"})
    created = client.post(
        "/organizers/organizations/new/", {**data, "attest": "on", "verified_at": "2020-1-1"}
    )

    assert refused.status_code == 400
    assert (
        "Confirm that this is a workers' organization"
        in refused.context["form"].errors["attest"][0]
    )
    assert 'value="Sneaky Local"' in refused.text
    assert created.status_code == 302
    assert Organization.objects.get(name="Sneaky Local").verified_at is None


def test_non_member_posting_to_another_organizations_fight_gets_404(client, member, skill):
    foreign = FightFactory()

    response = client.post(f"/organizers/fights/{foreign.slug}/requests/new/", request_post(skill))

    assert response.status_code == 404
    assert SupportRequest.objects.count() == 0


def test_non_member_cannot_open_or_edit_another_organizations_request(client, member, skill):
    foreign = SupportRequestFactory(status="draft", title="Theirs")

    opened = client.post(f"/organizers/requests/{foreign.pk}/open/")
    edited = client.post(f"/organizers/requests/{foreign.pk}/edit/", request_post(skill))

    assert (opened.status_code, edited.status_code) == (404, 404)
    foreign.refresh_from_db()
    assert (foreign.status, foreign.title) == ("draft", "Theirs")


def test_member_of_unverified_organization_opening_a_request_is_refused(client):
    membership = MembershipFactory(organization=OrganizationFactory(verified_at=None))
    client.force_login(membership.user)
    support_request = SupportRequestFactory(
        fight=FightFactory(organization=membership.organization), status="draft", opened_at=None
    )
    RequestSkillFactory(request=support_request)

    response = client.post(f"/organizers/requests/{support_request.pk}/open/")

    assert response.status_code == 400
    assert "is not verified yet" in response.text
    support_request.refresh_from_db()
    assert (support_request.status, support_request.opened_at) == ("draft", None)


def test_open_without_required_skill_shows_why(client, fight):
    support_request = SupportRequestFactory(fight=fight, status="draft")

    response = client.post(f"/organizers/requests/{support_request.pk}/open/")

    assert response.status_code == 400
    assert "Mark at least one skill as required" in response.text
    assert SupportRequest.objects.get().status == "draft"


def test_stale_request_edit_saves_nothing_and_keeps_what_was_typed(client, fight, skill):
    support_request = SupportRequestFactory(fight=fight, status="draft", title="Before")
    old_version = support_request.updated_at.isoformat()
    SupportRequest.objects.filter(pk=support_request.pk).update(
        title="Changed elsewhere", updated_at=timezone.now()
    )

    response = client.post(
        f"/organizers/requests/{support_request.pk}/edit/",
        request_post(skill, version=old_version, title="My edit"),
    )

    assert response.status_code == 400
    assert "changed after you opened the page" in response.text
    assert 'value="My edit"' in response.text
    assert SupportRequest.objects.get().title == "Changed elsewhere"


def test_guided_path_drafts_requests_for_a_new_fight(client, member):
    templates = RequestTemplate.objects.filter(slug__in=["strike-social-media", "flyers-graphics"])

    response = client.post(
        f"/organizers/organizations/{member.organization.slug}/guided/",
        {"needs": [t.pk for t in templates], "fight": "new", "new_title": "Harbor strike",
         "new_kind": "strike", "new_visibility": "confidential", "needed_by": in_days(6),
         "work_mode": "remote", "languages": ["en", "es"]},
    )  # fmt: skip

    fight = Fight.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organizers/fights/{fight.slug}/"
    assert (fight.visibility, fight.organization) == ("confidential", member.organization)
    assert sorted(fight.requests.values_list("title", "status")) == [
        ("Flyers and graphics", "draft"),
        ("Social media for our strike", "draft"),
    ]


def test_guided_path_with_forged_template_or_fight_id_is_refused(client, member):
    foreign = FightFactory()

    response = client.post(
        f"/organizers/organizations/{member.organization.slug}/guided/",
        {"needs": ["999999"], "fight": str(foreign.pk), "needed_by": in_days(6),
         "work_mode": "remote"},
    )  # fmt: skip

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Choose from the list shown." in str(errors["needs"])
    assert "Choose one of your organization's fights" in errors["fight"][0]
    assert SupportRequest.objects.count() == 0


def test_plain_organizer_cannot_invite(client, member):
    response = client.post(
        f"/organizers/organizations/{member.organization.slug}/members/",
        {"email": "x@example.org", "role": "admin"},
    )

    assert response.status_code == 403
    assert member.organization.invitations.count() == 0


def test_invitation_accepted_by_the_invited_address(client):
    invitee = UserFactory(email="olly@example.org")
    invitation = InvitationFactory(email="olly@example.org")
    from fights.services import invitation_token

    client.force_login(invitee)
    response = client.post(f"/organizers/invitations/{invitation_token(invitation)}/")
    reused = client.post(f"/organizers/invitations/{invitation_token(invitation)}/")

    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, organization=invitation.organization).exists()
    assert reused.status_code == 400
    assert "already been used" in reused.text


def test_signup_from_organizers_page_lands_on_organization_form_not_donor_profile(
    client, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    page = client.get("/organizers/")
    link = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page.text).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"email": "org@example.org", "password1": "a long pass phrase 9",
                           "password2": "a long pass phrase 9"})  # fmt: skip
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body)

    response = client.post(confirm.group(1))

    assert response.status_code == 302
    assert response["Location"] == "/organizers/organizations/new/"


def _dashboard_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/organizers/dashboard/")
    assert response.status_code == 200
    return len(queries)


def _organization_with(count, user):
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, user=user)
    MembershipFactory(organization=organization)
    for _ in range(count):
        fight = FightFactory(organization=organization)
        SupportRequestFactory(fight=fight)
        SupportRequestFactory(fight=fight, status="draft")


def test_dashboard_query_count_is_the_same_for_one_and_three(client):
    one, three = UserFactory(), UserFactory()
    _organization_with(1, one)
    for _ in range(3):
        _organization_with(3, three)

    # 6 for the organizations, fights and requests, 1 for their accepted helpers (the
    # matching_helpers template tag, tests/matching/test_pages.py has it with helpers); the
    # header's "is this person a volunteer?" comes with the user (accounts.queries.user_by_pk).
    assert _dashboard_queries(client, one) == _dashboard_queries(client, three) == 6


def test_erasing_an_organizer_keeps_the_fights_and_removes_the_person():
    membership = MembershipFactory()
    user = membership.user
    fight = FightFactory(organization=membership.organization, created_by=user)
    support_request = SupportRequestFactory(fight=fight, created_by=user, status_changed_by=user)
    InvitationFactory(email=user.email)

    exported = privacy.export_user_data(user)["records"]
    privacy.erase_user(user)

    assert {
        "Your memberships",
        "Invitations to join an organization",
        "Fights you created or changed",
        "Support requests you created or changed",
    } <= set(exported)
    fight.refresh_from_db()
    support_request.refresh_from_db()
    assert (fight.created_by, support_request.created_by, support_request.status_changed_by) == (
        None,
        None,
        None,
    )
    assert Membership.objects.count() == 0
    assert Organization.objects.filter(pk=membership.organization_id).exists()
