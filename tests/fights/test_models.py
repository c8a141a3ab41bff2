"""The model facts and visibility querysets every fights page, feed and admin screen relies on."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from fights.models import (
    Fight,
    Organization,
    RequestTemplate,
    SupportRequest,
    Urgency,
)
from tests.factories import (
    FightFactory,
    MembershipFactory,
    OrganizationFactory,
    StaffFactory,
    SupportRequestFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 12, 1)


def needed_in(days):
    return SupportRequest(needed_by=TODAY + datetime.timedelta(days=days))


@pytest.mark.parametrize(
    ("days", "urgency"),
    [
        (-1, Urgency.CRITICAL),
        (0, Urgency.CRITICAL),
        (2, Urgency.CRITICAL),
        (3, Urgency.SOON),
        (13, Urgency.SOON),
        (14, Urgency.NORMAL),
        (60, Urgency.NORMAL),
    ],
)
def test_urgency_bands_by_days_until_needed(days, urgency):
    assert needed_in(days).urgency_on(TODAY) == urgency


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 2, 3, 13, 14, 30])
def test_with_urgency_agrees_with_the_model_fact(days):
    request = SupportRequestFactory(needed_by=TODAY + datetime.timedelta(days=days))
    expected = request.urgency_on(TODAY)

    found = {u for u in Urgency if SupportRequest.objects.with_urgency(u, TODAY).exists()}

    assert found == {expected}


@pytest.fixture
def fights(db):
    verified = OrganizationFactory()
    unverified = OrganizationFactory(verified_at=None)
    return {
        "public": FightFactory(organization=verified),
        "confidential": FightFactory(organization=verified, visibility="confidential"),
        "unverified": FightFactory(organization=unverified),
        "rejected": FightFactory(
            organization=OrganizationFactory(verified_at=None, rejected_at=TODAY_DT)
        ),
        "ended": FightFactory(organization=verified, status="won"),
    }


TODAY_DT = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)


def visible(user):
    return set(Fight.objects.visible_to(user).values_list("pk", flat=True))


def pks(fights, *names):
    return {fights[name].pk for name in names}


def test_public_fights_are_those_of_verified_organizations(fights):
    assert set(Fight.objects.public().values_list("pk", flat=True)) == pks(
        fights, "public", "ended"
    )


def test_anonymous_and_outsiders_see_only_public_fights(fights):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == pks(fights, "public", "ended")
    assert visible(UserFactory()) == pks(fights, "public", "ended")


def test_members_see_every_fight_of_their_organization_once(fights):
    member = UserFactory()
    MembershipFactory(user=member, organization=fights["confidential"].organization)
    MembershipFactory(user=member, organization=fights["unverified"].organization)

    found = list(Fight.objects.visible_to(member).values_list("pk", flat=True))

    assert sorted(found) == sorted(pks(fights, "public", "confidential", "unverified", "ended"))


def test_staff_need_the_confidential_permission(fights):
    staff = StaffFactory()
    assert visible(staff) == pks(fights, "public", "ended")

    staff.user_permissions.add(Permission.objects.get(codename="view_confidential_fight"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached per instance

    assert visible(staff) == set(Fight.objects.values_list("pk", flat=True))


def test_inactive_staff_with_the_permission_see_only_public(fights):
    staff = StaffFactory(is_active=False)
    staff.user_permissions.add(Permission.objects.get(codename="view_confidential_fight"))

    assert visible(type(staff).objects.get(pk=staff.pk)) == pks(fights, "public", "ended")


def test_listed_requests_are_open_in_active_public_fights_of_verified_orgs(fights):
    listed = SupportRequestFactory(fight=fights["public"])
    SupportRequestFactory(fight=fights["public"], status="draft")
    SupportRequestFactory(fight=fights["public"], status="filled")
    for name in ("confidential", "unverified", "rejected", "ended"):
        SupportRequestFactory(fight=fights[name])

    assert list(SupportRequest.objects.listed()) == [listed]


def test_members_see_their_drafts_and_confidential_requests(fights):
    member = UserFactory()
    MembershipFactory(user=member, organization=fights["confidential"].organization)
    listed = SupportRequestFactory(fight=fights["public"])
    draft = SupportRequestFactory(fight=fights["public"], status="draft")
    secret = SupportRequestFactory(fight=fights["confidential"])
    elsewhere = SupportRequestFactory(fight=fights["unverified"], status="draft")

    assert set(SupportRequest.objects.visible_to(member)) == {listed, draft, secret}
    assert set(SupportRequest.objects.visible_to(UserFactory())) == {listed}
    assert elsewhere not in SupportRequest.objects.visible_to(member)


def test_organization_states(db):
    verified = OrganizationFactory()
    pending = OrganizationFactory(verified_at=None)
    rejected = OrganizationFactory(verified_at=None, rejected_at=TODAY_DT)

    assert (verified.is_verified, pending.is_verified, rejected.is_verified) == (
        True,
        False,
        False,
    )
    assert rejected.is_rejected
    assert list(Organization.objects.verified()) == [verified]
    assert list(Organization.objects.unverified()) == [pending]


@pytest.mark.django_db
def test_the_guided_path_needs_are_seeded_with_required_skills():
    templates = RequestTemplate.objects.active().prefetch_related("template_skills")

    assert templates.count() == 9
    assert templates.first().need == "We're going on strike and need social media help"
    for template in templates:
        assert any(ts.required for ts in template.template_skills.all()), template.need
