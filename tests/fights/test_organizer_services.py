"""fights/services.py: each change moves a row only from the state it expects, and says who/when."""

import datetime
import re

import pytest
from django.core import mail, signing
from django.utils import timezone

from donors.models import Skill, normalize_name
from fights import services
from fights.models import (
    Fight,
    Invitation,
    Membership,
    Organization,
    RequestStatus,
    RequestTemplate,
    SupportRequest,
)
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


def draft(**kwargs):
    support_request = SupportRequestFactory(status="draft", opened_at=None, **kwargs)
    RequestSkillFactory(request=support_request, required=True)
    return support_request


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# --- Organizations ---------------------------------------------------------------------------


def test_create_organization_is_unverified_attested_and_makes_creator_admin():
    user = UserFactory()

    organization = services.create_organization(
        by=user, data={"name": "Eastside Worker Center", "kind": "worker_center", "country": "US"}
    )

    assert organization.slug == "eastside-worker-center"
    assert organization.verified_at is None
    assert organization.attested_at is not None
    assert organization.created_by == user
    assert list(Membership.objects.values_list("user", "role")) == [(user.pk, "admin")]


def test_create_organization_with_taken_name_gets_another_slug():
    OrganizationFactory(slug="local-7")

    organization = services.create_organization(
        by=UserFactory(), data={"name": "Local 7", "kind": "union_local", "country": "US"}
    )

    assert organization.slug.startswith("local-7-")
    assert Organization.objects.count() == 2


# --- Invitations -----------------------------------------------------------------------------


def test_invite_member_stores_invitation_and_mails_the_signed_link(
    django_capture_on_commit_callbacks,
):
    admin = UserFactory(display_name="Ada Admin")
    organization = OrganizationFactory(name="Harbor Local")

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(
            organization=organization, email=" New@Example.org ", role="organizer", by=admin
        )

    assert (invitation.email, invitation.invited_by) == ("new@example.org", admin)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.org"]
    assert "Harbor Local" in message.subject
    # The token carries its signing time, so compare what it names rather than its text.
    token = re.search(r"/organizers/invitations/([^/\s]+)/", message.body).group(1)
    assert services.invitation_from_token(token) == invitation
    assert "Ada Admin invites you to join Harbor Local" in message.body


def test_invite_member_refuses_someone_already_a_member():
    membership = MembershipFactory()

    with pytest.raises(services.Refused, match="already a member"):
        services.invite_member(
            organization=membership.organization,
            email=membership.user.email.upper(),
            role="organizer",
            by=membership.user,
        )
    assert Invitation.objects.count() == 0


def test_accept_invitation_makes_the_invited_address_a_member_once():
    invitee = UserFactory(email="olly@example.org")
    invitation = InvitationFactory(email="olly@example.org", role="organizer")
    token = services.invitation_token(invitation)

    membership = services.accept_invitation(token=token, user=invitee)

    assert (membership.organization, membership.user, membership.role) == (
        invitation.organization,
        invitee,
        "organizer",
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    with pytest.raises(services.Refused, match="already been used"):
        services.accept_invitation(token=token, user=invitee)
    assert Membership.objects.count() == 1


def test_accept_invitation_refuses_a_different_signed_in_address():
    invitation = InvitationFactory(email="olly@example.org")

    with pytest.raises(services.Refused, match="different email address"):
        services.accept_invitation(
            token=services.invitation_token(invitation), user=UserFactory(email="eve@example.org")
        )
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert Membership.objects.count() == 0


def test_accept_invitation_refuses_an_expired_link(monkeypatch):
    invitee = UserFactory(email="olly@example.org")
    invitation = InvitationFactory(email="olly@example.org")
    issued = timezone.now() - services.invitation_max_age() - datetime.timedelta(minutes=1)
    monkeypatch.setattr(signing.time, "time", lambda: issued.timestamp())
    token = services.invitation_token(invitation)
    monkeypatch.undo()

    with pytest.raises(services.Refused, match="expired"):
        services.accept_invitation(token=token, user=invitee)
    assert Membership.objects.count() == 0


@pytest.mark.parametrize("token", ["forged", "MQ:1tQxyz:abcdef", ""])
def test_invitation_from_token_refuses_forged_links(token):
    InvitationFactory()

    with pytest.raises(services.Refused, match="not valid"):
        services.invitation_from_token(token)


def test_invitation_from_token_refuses_a_withdrawn_invitation():
    invitation = InvitationFactory()
    token = services.invitation_token(invitation)
    invitation.delete()

    with pytest.raises(services.Refused, match="withdrawn"):
        services.invitation_from_token(token)


# --- Fights ----------------------------------------------------------------------------------


def test_create_fight_normalizes_the_employer_like_donor_conflicts():
    organization = OrganizationFactory()

    fight = services.create_fight(
        organization=organization,
        by=UserFactory(),
        data={"title": "Harbor strike", "kind": "strike", "country": "US",
              "target_employer": "  ACME  Logistics, Inc. ", "visibility": "public"},
    )  # fmt: skip

    assert fight.slug == "harbor-strike"
    assert fight.target_employer_normalized == normalize_name("ACME Logistics, Inc.")
    assert fight.target_employer_normalized == "acme logistics, inc."


def test_create_confidential_fight_slug_never_reveals_a_same_named_fight():
    fight = services.create_fight(
        organization=OrganizationFactory(),
        by=UserFactory(),
        data={"title": "Walkout", "kind": "strike", "country": "US", "visibility": "confidential"},
    )

    assert fight.slug.startswith("walkout-") and fight.slug != "walkout"


def test_update_fight_with_stale_version_changes_nothing():
    fight = FightFactory(title="Old title")
    version = services.version_of(fight)
    Fight.objects.filter(pk=fight.pk).update(updated_at=timezone.now())

    with pytest.raises(services.StaleEdit):
        services.update_fight(fight, data={"title": "New title"}, version=version)
    fight.refresh_from_db()
    assert fight.title == "Old title"


def test_change_fight_status_records_outcome_who_and_when():
    fight, user = FightFactory(), UserFactory()

    services.change_fight_status(fight, status="won", outcome="A first contract.", by=user)

    fight.refresh_from_db()
    assert (fight.status, fight.outcome, fight.status_changed_by) == (
        "won",
        "A first contract.",
        user,
    )
    assert fight.status_changed_at is not None


def test_change_fight_status_to_the_same_status_is_refused():
    fight = FightFactory(status="active")

    with pytest.raises(services.Refused, match="already"):
        services.change_fight_status(fight, status="active", outcome="x", by=UserFactory())
    fight.refresh_from_db()
    assert (fight.outcome, fight.status_changed_at) == ("", None)


# --- Request transitions ---------------------------------------------------------------------


def test_open_request_moves_draft_to_open_and_records_who_and_when():
    support_request, user = draft(), UserFactory()

    services.open_request(support_request, by=user)

    support_request.refresh_from_db()
    assert support_request.status == "open"
    assert support_request.status_changed_by == user
    assert support_request.opened_at is not None
    assert support_request.status_changed_at == support_request.updated_at


def test_open_request_of_unverified_organization_is_refused():
    support_request = draft(fight=FightFactory(organization=OrganizationFactory(verified_at=None)))

    with pytest.raises(services.Refused, match="not verified yet"):
        services.open_request(support_request, by=UserFactory())
    support_request.refresh_from_db()
    assert (support_request.status, support_request.opened_at) == ("draft", None)


def test_open_request_of_rejected_organization_is_refused():
    organization = OrganizationFactory(
        verified_at=None, rejected_at=timezone.now(), rejection_reason="An employer."
    )
    support_request = draft(fight=FightFactory(organization=organization))

    with pytest.raises(services.Refused, match="not verified"):
        services.open_request(support_request, by=UserFactory())
    assert SupportRequest.objects.get().status == "draft"


def test_open_request_without_a_required_skill_is_refused():
    support_request = SupportRequestFactory(status="draft")
    RequestSkillFactory(request=support_request, required=False)

    with pytest.raises(services.Refused, match="at least one skill as required"):
        services.open_request(support_request, by=UserFactory())
    assert SupportRequest.objects.get().status == "draft"


def test_open_request_whose_only_required_skill_was_retired_is_refused():
    support_request = draft()
    Skill.objects.filter(request_skills__request=support_request).update(retired=True)

    with pytest.raises(services.Refused, match="required"):
        services.open_request(support_request, by=UserFactory())


def test_open_request_needed_in_the_past_is_refused():
    support_request = draft(needed_by=in_days(-1))

    with pytest.raises(services.Refused, match="has passed"):
        services.open_request(support_request, by=UserFactory())
    assert SupportRequest.objects.get().status == "draft"


def test_open_request_twice_is_refused_the_second_time():
    support_request = draft()
    services.open_request(support_request, by=UserFactory())
    stale_copy = SupportRequest.objects.get(pk=support_request.pk)
    stale_copy.status = "draft"  # what a second tab still believes

    with pytest.raises(services.Refused, match="is open, so it cannot be opened"):
        services.open_request(stale_copy, by=UserFactory())


TRANSITIONS = {
    # service: (states it moves from, state it moves to)
    services.mark_filled: ({"open"}, "filled"),
    services.close_request: ({"open", "filled"}, "closed"),
    services.cancel_request: ({"draft", "open"}, "cancelled"),
}


@pytest.mark.parametrize("service", TRANSITIONS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("start", RequestStatus.values)
def test_request_transition_moves_only_from_expected_states(service, start):
    sources, target = TRANSITIONS[service]
    support_request, user = SupportRequestFactory(status=start), UserFactory()

    if start in sources:
        service(support_request, by=user)
        support_request.refresh_from_db()
        assert (support_request.status, support_request.status_changed_by) == (target, user)
    else:
        with pytest.raises(services.Refused, match="cannot be"):
            service(support_request, by=user)
        support_request.refresh_from_db()
        assert (support_request.status, support_request.status_changed_by) == (start, None)


@pytest.mark.parametrize("start", ["filled", "closed", "cancelled"])
def test_update_request_refuses_a_finished_request(start):
    support_request = SupportRequestFactory(status=start, title="Old")
    data = services.RequestData(title="New", needed_by=in_days(9), hours_estimate=3,
                                work_mode="remote")  # fmt: skip

    with pytest.raises(services.Refused, match="can no longer be edited"):
        services.update_request(
            support_request, data=data, version=services.version_of(support_request)
        )
    assert SupportRequest.objects.get().title == "Old"


def test_update_request_keeps_retired_skills_and_replaces_the_rest():
    support_request = draft()
    retired = RequestSkillFactory(request=support_request, skill__retired=True, min_level=3)
    new_skill = Skill.objects.active().first()
    data = services.RequestData(
        title="Flyers", needed_by=in_days(9), hours_estimate=3, work_mode="remote",
        languages=["es", "en", "es"], skills={new_skill.pk: (True, 2)},
    )  # fmt: skip

    services.update_request(
        support_request, data=data, version=services.version_of(support_request)
    )

    assert sorted(
        support_request.request_skills.values_list("skill_id", "required", "min_level")
    ) == sorted([(retired.skill_id, True, 3), (new_skill.pk, True, 2)])
    assert support_request.language_codes == ["en", "es"]


# --- The guided path -------------------------------------------------------------------------


def test_draft_requests_from_templates_prefills_one_draft_per_template():
    fight, user = FightFactory(), UserFactory()
    templates = list(RequestTemplate.objects.filter(slug__in=["flyers-graphics", "online-ads"]))
    data = services.GuidedData(
        templates=templates, needed_by=in_days(5), work_mode="either", country="US",
        region="US-CA", city="Oakland", languages=["en", "es"],
    )  # fmt: skip

    drafts = services.draft_requests_from_templates(fight=fight, by=user, data=data)

    assert [d.title for d in drafts] == [t.request_title for t in templates]
    flyers = drafts[0]
    template = templates[0]
    assert (flyers.status, flyers.created_by, flyers.fight) == ("draft", user, fight)
    assert flyers.description == template.description
    assert (flyers.hours_estimate, flyers.helpers_needed) == (
        template.hours_estimate,
        template.helpers_needed,
    )
    assert (flyers.needed_by, flyers.work_mode, flyers.region) == (in_days(5), "either", "US-CA")
    assert flyers.language_codes == ["en", "es"]
    assert sorted(flyers.request_skills.values_list("skill__slug", "required", "min_level")) == (
        sorted(template.template_skills.values_list("skill__slug", "required", "min_level"))
    )


def test_draft_requests_from_templates_leaves_retired_skills_out():
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    Skill.objects.filter(slug="signs-banners").update(retired=True)
    data = services.GuidedData(templates=[template], needed_by=in_days(5), work_mode="remote")

    (flyers,) = services.draft_requests_from_templates(
        fight=FightFactory(), by=UserFactory(), data=data
    )

    slugs = set(flyers.request_skills.values_list("skill__slug", flat=True))
    assert "signs-banners" not in slugs
    assert "graphic-design" in slugs
