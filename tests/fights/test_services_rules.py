"""fights/services.py: the rules test_organizer_services.py leaves implicit — the values each
change stores, the edges of dates and links, and what the happy paths return."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from fights import services
from fights.models import (
    Fight,
    Invitation,
    Membership,
    Organization,
    RequestTemplate,
    SupportRequest,
)
from notifications.models import OutgoingMessage
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
    return timezone.localdate() + datetime.timedelta(days=days)


def request_data(**overrides):
    values = {
        "title": "Picket signs",
        "description": "Big letters.",
        "needed_by": in_days(9),
        "starts_on": in_days(2),
        "hours_estimate": 6,
        "helpers_needed": 2,
        "work_mode": "in_person",
        "country": "US",
        "region": "US-NY",
        "city": "Buffalo",
    }
    return services.RequestData(**{**values, **overrides})


# --- Organizations ---------------------------------------------------------------------------


def test_create_organization_stores_every_field_given():
    data = {
        "name": "Harbor Workers United",
        "kind": "worker_center",
        "affiliation": "Independent",
        "country": "US",
        "region": "US-WA",
        "city": "Tacoma",
        "website": "https://harbor.example.org",
        "description": "Dock workers.",
    }

    organization = services.create_organization(by=UserFactory(), data=data)

    stored = Organization.objects.values(*services.ORGANIZATION_FIELDS).get(pk=organization.pk)
    assert stored == data


def test_unique_slug_of_a_name_without_letters_is_untitled():
    assert services.unique_slug(Organization, "!!!") == "untitled"


def test_unique_slug_is_cut_to_fit_the_field():
    slug = services.unique_slug(Organization, "a" * 300)

    assert slug == "a" * 200


def test_unique_slug_suffix_is_six_hex_characters_after_the_name():
    OrganizationFactory(slug="local-7")

    slug = services.unique_slug(Organization, "Local 7")

    assert slug[: len("local-7-")] == "local-7-"
    assert len(slug) == len("local-7-") + 6
    int(slug.rpartition("-")[2], 16)


def test_unique_slug_draws_again_while_the_suffixed_slug_is_taken(monkeypatch):
    OrganizationFactory(slug="local-7")
    OrganizationFactory(slug="local-7-aaaaaa")
    draws = iter(["aaaaaa", "bbbbbb"])
    monkeypatch.setattr(services.secrets, "token_hex", lambda n: next(draws))

    assert services.unique_slug(Organization, "Local 7") == "local-7-bbbbbb"


# --- Invitations -----------------------------------------------------------------------------


def test_invitation_url_is_absolute_on_the_site(settings):
    settings.SITE_URL = "https://kd.example.org"
    invitation = InvitationFactory()

    url = services.invitation_url(invitation)

    assert url.startswith("https://kd.example.org/organizers/invitations/")
    token = url.rstrip("/").rpartition("/")[2]
    assert services.invitation_from_token(token) == invitation


def test_invitation_link_lasts_fourteen_days(monkeypatch):
    invitation = InvitationFactory()
    issued = timezone.now() - datetime.timedelta(days=14) + datetime.timedelta(minutes=5)
    monkeypatch.setattr(signing.time, "time", lambda: issued.timestamp())
    token = services.invitation_token(invitation)
    monkeypatch.undo()

    assert services.invitation_max_age() == datetime.timedelta(days=14)
    assert services.invitation_from_token(token) == invitation


def test_invite_member_queues_the_mail_with_role_days_and_inviter(settings):
    settings.SITE_URL = "https://kd.example.org"
    admin = UserFactory(display_name="", email="ada@example.org")
    organization = OrganizationFactory(name="Harbor Local")

    invitation = services.invite_member(
        organization=organization, email="new@example.org", role="admin", by=admin
    )

    message = OutgoingMessage.objects.get()
    assert (message.to, message.kind, message.key) == (
        "new@example.org",
        "fights.invitation",
        f"invitation-{invitation.pk}",
    )
    context = message.context
    assert context["organization"] == "Harbor Local"
    assert context["invited_by"] == "ada@example.org"
    assert context["role"] == invitation.get_role_display()
    assert context["days"] == 14
    assert context["accept_url"].startswith("https://kd.example.org/organizers/invitations/")
    assert invitation.role == "admin"


def test_invite_member_to_an_organization_with_members_invites_a_new_address():
    member = MembershipFactory(user__email="ada@example.org")

    invitation = services.invite_member(
        organization=member.organization, email="new@example.org", role="organizer", by=member.user
    )

    assert (invitation.organization, invitation.email) == (member.organization, "new@example.org")


def test_invite_member_of_another_organization_is_not_refused():
    membership = MembershipFactory()

    invitation = services.invite_member(
        organization=OrganizationFactory(),
        email=membership.user.email,
        role="organizer",
        by=UserFactory(),
    )

    assert invitation.email == membership.user.email


def test_accept_invitation_ignores_the_case_of_the_signed_in_address():
    invitee = UserFactory(email="Olly@Example.org")
    invitation = InvitationFactory(email="olly@example.org", role="admin")

    membership = services.accept_invitation(
        token=services.invitation_token(invitation), user=invitee
    )

    assert (membership.user, membership.role) == (invitee, "admin")


def test_accept_invitation_stored_with_capitals_matches_the_signed_in_address():
    invitee = UserFactory(email="olly@example.org")
    invitation = InvitationFactory(email="Olly@Example.org")

    membership = services.accept_invitation(
        token=services.invitation_token(invitation), user=invitee
    )

    assert membership.user == invitee


def test_accept_invitation_lost_to_a_second_tab_is_refused(monkeypatch):
    """Both tabs read the invitation unused; the one that writes second must lose."""
    invitee = UserFactory(email="olly@example.org")
    invitation = InvitationFactory(email="olly@example.org")
    token = services.invitation_token(invitation)
    stale = services.invitation_from_token(token)
    services.accept_invitation(token=token, user=invitee)
    first = Invitation.objects.get().accepted_at
    monkeypatch.setattr(services, "invitation_from_token", lambda token: stale)

    with pytest.raises(services.Refused, match="already been used"):
        services.accept_invitation(token=token, user=invitee)
    assert Invitation.objects.get().accepted_at == first


def test_accept_invitation_of_an_existing_member_keeps_their_role():
    existing = MembershipFactory(role="admin", user__email="olly@example.org")
    invitation = InvitationFactory(
        organization=existing.organization, email="olly@example.org", role="organizer"
    )

    membership = services.accept_invitation(
        token=services.invitation_token(invitation), user=existing.user
    )

    assert membership == existing
    assert Membership.objects.get().role == "admin"


def test_invitation_from_token_refuses_an_accepted_invitation():
    invitation = InvitationFactory(accepted_at=timezone.now())

    with pytest.raises(services.Refused, match="already been used"):
        services.invitation_from_token(services.invitation_token(invitation))


# --- Fights ----------------------------------------------------------------------------------


def test_create_fight_stores_the_fields_given_and_who():
    organization, user = OrganizationFactory(), UserFactory()

    fight = services.create_fight(
        organization=organization,
        by=user,
        data={"title": "Harbor strike", "kind": "strike", "country": "US",
              "summary": "Dockers out.", "visibility": "public", "city": "Tacoma"},
    )  # fmt: skip

    fight = Fight.objects.get(pk=fight.pk)
    assert (fight.organization, fight.created_by, fight.title) == (
        organization,
        user,
        "Harbor strike",
    )
    assert (fight.summary, fight.city, fight.visibility) == ("Dockers out.", "Tacoma", "public")


def test_create_public_fight_with_a_taken_title_gets_a_suffix():
    FightFactory(slug="walkout")

    fight = services.create_fight(
        organization=OrganizationFactory(),
        by=UserFactory(),
        data={"title": "Walkout", "kind": "strike", "country": "US", "visibility": "public"},
    )

    assert fight.slug.startswith("walkout-")


def test_update_fight_with_current_version_saves_and_normalizes_the_employer():
    fight = FightFactory(title="Old title")

    updated = services.update_fight(
        fight,
        data={"title": "New title", "target_employer": "  ACME  Corp "},
        version=services.version_of(fight),
    )

    stored = Fight.objects.get(pk=fight.pk)
    assert (stored.title, stored.target_employer_normalized) == ("New title", "acme corp")
    assert updated.title == "New title"
    assert services.version_of(updated) == services.version_of(stored)


def test_version_of_an_unsaved_row_is_empty():
    assert services.version_of(None) == ""
    assert services.version_of(Fight()) == ""


def test_change_fight_status_refuses_an_unknown_status():
    fight = FightFactory(status="active")

    with pytest.raises(services.Refused, match="Choose a status"):
        services.change_fight_status(fight, status="bogus", outcome="", by=UserFactory())
    assert Fight.objects.get().status == "active"


def test_change_fight_status_returns_the_fresh_row_and_touches_updated_at():
    fight, user = FightFactory(status="active"), UserFactory()
    before = fight.updated_at

    returned = services.change_fight_status(fight, status="lost", outcome="", by=user)

    assert returned.status == "lost"
    assert returned.updated_at > before
    assert returned.updated_at == returned.status_changed_at


def test_change_fight_status_refusal_names_the_status():
    fight = FightFactory(status="won")

    with pytest.raises(services.Refused, match="already marked “Won”"):
        services.change_fight_status(fight, status="won", outcome="", by=UserFactory())


def test_change_fight_status_changes_only_that_fight():
    fight, other = FightFactory(status="active"), FightFactory(status="active")

    services.change_fight_status(fight, status="won", outcome="", by=UserFactory())

    assert Fight.objects.get(pk=other.pk).status == "active"


# --- Support requests ------------------------------------------------------------------------


def test_create_request_stores_a_draft_with_every_field_skills_and_languages():
    fight, user = FightFactory(), UserFactory()
    skill = RequestSkillFactory().skill

    created = services.create_request(
        fight=fight,
        by=user,
        data=request_data(languages=["es", "en"], skills={skill.pk: (False, 3)}),
    )

    stored = SupportRequest.objects.get(pk=created.pk)
    assert (stored.fight, stored.created_by, stored.status) == (fight, user, "draft")
    assert (stored.title, stored.description, stored.needed_by, stored.starts_on) == (
        "Picket signs",
        "Big letters.",
        in_days(9),
        in_days(2),
    )
    assert (stored.hours_estimate, stored.helpers_needed, stored.work_mode) == (6, 2, "in_person")
    assert (stored.country, stored.region, stored.city) == ("US", "US-NY", "Buffalo")
    assert list(stored.request_skills.values_list("skill_id", "required", "min_level")) == [
        (skill.pk, False, 3)
    ]
    assert sorted(stored.language_codes) == ["en", "es"]


def test_update_request_saves_every_field_of_an_open_request():
    support_request = SupportRequestFactory(status="open")

    services.update_request(
        support_request, data=request_data(), version=services.version_of(support_request)
    )

    stored = SupportRequest.objects.get()
    assert (stored.title, stored.hours_estimate, stored.city, stored.status) == (
        "Picket signs",
        6,
        "Buffalo",
        "open",
    )


def test_update_request_with_stale_version_changes_nothing():
    support_request = SupportRequestFactory(status="draft", title="Old")
    version = services.version_of(support_request)
    SupportRequest.objects.filter(pk=support_request.pk).update(updated_at=timezone.now())

    with pytest.raises(services.StaleEdit):
        services.update_request(support_request, data=request_data(), version=version)
    assert SupportRequest.objects.get().title == "Old"


def test_update_request_refusal_names_the_status_in_lower_case():
    support_request = SupportRequestFactory(status="filled")

    with pytest.raises(services.Refused, match="This request is filled:"):
        services.update_request(
            support_request, data=request_data(), version=services.version_of(support_request)
        )


def test_open_refusal_allows_a_request_needed_today():
    support_request = SupportRequestFactory(status="draft", needed_by=in_days(0))
    RequestSkillFactory(request=support_request, required=True)

    assert services.open_refusal(support_request) == ""


def test_open_refusal_judges_the_date_against_the_day_given():
    support_request = SupportRequestFactory(status="draft", needed_by=in_days(3))
    RequestSkillFactory(request=support_request, required=True)

    assert "has passed" in services.open_refusal(support_request, today=in_days(4))


def test_open_request_of_an_ended_fight_is_refused():
    support_request = SupportRequestFactory(status="draft", fight=FightFactory(status="won"))
    RequestSkillFactory(request=support_request, required=True)

    with pytest.raises(services.Refused, match="no longer active"):
        services.open_request(support_request, by=UserFactory())
    assert SupportRequest.objects.get().status == "draft"


def test_open_refusal_names_the_organization():
    organization = OrganizationFactory(name="Harbor Local", verified_at=None)
    support_request = SupportRequestFactory(fight=FightFactory(organization=organization))

    assert services.open_refusal(support_request).startswith("Harbor Local is not verified yet")


def test_request_transition_stamps_the_same_moment_and_moves_only_that_request():
    support_request, other = SupportRequestFactory(status="open"), SupportRequestFactory()
    before = support_request.updated_at

    returned = services.mark_filled(support_request, by=UserFactory())

    assert returned.status == "filled"
    assert returned.updated_at == returned.status_changed_at
    assert returned.updated_at > before
    assert SupportRequest.objects.get(pk=other.pk).status == "open"


@pytest.mark.parametrize(
    ("service", "start", "words"),
    [
        (services.mark_filled, "closed", "is closed, so it cannot be marked filled"),
        (services.close_request, "draft", "is draft, so it cannot be closed"),
        (services.cancel_request, "filled", "is filled, so it cannot be cancelled"),
    ],
)
def test_request_transition_refusal_says_the_status_and_the_action(service, start, words):
    with pytest.raises(services.Refused, match=words):
        service(SupportRequestFactory(status=start), by=UserFactory())


def test_start_from_templates_with_a_new_fight_creates_it_with_the_drafts():
    organization, user = OrganizationFactory(), UserFactory()
    data = services.GuidedData(templates=[], needed_by=in_days(5), work_mode="remote")

    fight, drafts = services.start_from_templates(
        organization=organization,
        fight=None,
        new_fight={"title": "New strike", "kind": "strike", "country": "US",
                   "visibility": "public"},
        by=user,
        data=data,
    )  # fmt: skip

    assert (fight.organization, fight.title, fight.created_by) == (organization, "New strike", user)
    assert drafts == []


def test_start_from_templates_with_a_fight_uses_it():
    fight = FightFactory()
    data = services.GuidedData(templates=[], needed_by=in_days(5), work_mode="remote")

    chosen, drafts = services.start_from_templates(
        organization=fight.organization, fight=fight, new_fight=None, by=UserFactory(), data=data
    )

    assert (chosen, drafts) == (fight, [])
    assert Fight.objects.count() == 1


# --- Staff: verifying and rejecting ----------------------------------------------------------


def admins_of(organization):
    active = UserFactory(email="ada@example.org", display_name="Ada")
    gone = UserFactory(email="gone@example.org", is_active=False)
    for user in (active, gone):
        MembershipFactory(organization=organization, user=user, role="admin")
    MembershipFactory(organization=organization, role="organizer")
    return active


def test_verify_organization_mails_active_admins_with_the_full_context(settings):
    settings.SITE_URL = "https://kd.example.org"
    settings.STAFF_CONTACT_EMAIL = "staff@kd.example.org"
    organization = OrganizationFactory(name="Bakers United", verified_at=None)
    ada = admins_of(organization)

    assert services.verify_organization(
        organization, by=UserFactory(is_staff=True), contact_confirmed=True,
        notes="  Called them; no website.  ",
    )  # fmt: skip

    stored = Organization.objects.get(pk=organization.pk)
    assert stored.verification_notes == "Called them; no website."
    assert (stored.affiliation_checked, stored.web_presence_checked) == (False, False)
    message = OutgoingMessage.objects.get()
    assert (message.to, message.user, message.kind) == (
        "ada@example.org",
        ada,
        "fights.organization_verified",
    )
    assert message.key.startswith(f"organization-{organization.pk}-")
    assert message.context == {
        "organization_name": "Bakers United",
        "reason": "",
        "organizers_url": "https://kd.example.org/organizers/",
        "reply_to": "staff@kd.example.org",
        "user_display": "Ada",
    }


def test_verify_then_reject_then_verify_mails_each_time():
    organization = OrganizationFactory(verified_at=None)
    admins_of(organization)
    staff = UserFactory(is_staff=True)
    checklist = {"affiliation_checked": True, "contact_confirmed": True,
                 "web_presence_checked": True}  # fmt: skip

    services.verify_organization(organization, by=staff, **checklist)
    services.reject_organization(organization, by=staff, reason="Employer side.")
    services.verify_organization(organization, by=staff, **checklist)

    assert list(OutgoingMessage.objects.order_by("pk").values_list("kind", flat=True)) == [
        "fights.organization_verified",
        "fights.organization_rejected",
        "fights.organization_verified",
    ]
    assert OutgoingMessage.objects.values("key").distinct().count() == 3


def test_verify_organization_without_contact_says_why_at_the_field():
    organization = OrganizationFactory(verified_at=None)

    with pytest.raises(ValidationError) as refused:
        services.verify_organization(
            organization, by=UserFactory(), affiliation_checked=True, web_presence_checked=True
        )

    assert list(refused.value.message_dict) == ["contact_confirmed"]
    assert (
        "Confirm a contact outside the site" in refused.value.message_dict["contact_confirmed"][0]
    )


def test_checklist_errors_none_when_every_check_made():
    assert (
        services.checklist_errors(
            affiliation_checked=True, contact_confirmed=True, web_presence_checked=True, notes=""
        )
        == {}
    )


def test_checklist_errors_skipped_check_with_notes_is_allowed():
    for affiliation, web in [(False, True), (True, False), (False, False)]:
        assert services.checklist_errors(
            affiliation_checked=affiliation, contact_confirmed=True,
            web_presence_checked=web, notes="Independent union.",
        ) == {}  # fmt: skip
        errors = services.checklist_errors(
            affiliation_checked=affiliation, contact_confirmed=True,
            web_presence_checked=web, notes="",
        )  # fmt: skip
        assert errors == {"verification_notes": "Say in the notes why a check could not be made."}


def test_reject_organization_without_reason_refused_and_mails_nobody():
    organization = OrganizationFactory(verified_at=None)
    admins_of(organization)

    with pytest.raises(ValidationError) as refused:
        services.reject_organization(organization, by=UserFactory(), reason=None)

    assert refused.value.message_dict == {
        "reason": ["Say why: the organization's admins read this reason in the email."]
    }
    assert OutgoingMessage.objects.count() == 0


def test_reject_organization_records_who_and_clears_the_verifier():
    organization = OrganizationFactory(verified_by=UserFactory(is_staff=True))
    staff = UserFactory(is_staff=True)

    services.reject_organization(organization, by=staff, reason="Employer side.")

    stored = Organization.objects.get(pk=organization.pk)
    assert (stored.rejected_by, stored.verified_by, stored.verified_at) == (staff, None, None)
    assert stored.rejected_at is not None


# --- What organizers read: the refusals, word for word ----------------------------------------


def refusal(call):
    with pytest.raises(services.Refused) as refused:
        call()
    return str(refused.value)


def test_stale_edits_say_nothing_was_saved():
    fight = FightFactory()
    support_request = SupportRequestFactory(status="draft")
    expected = (
        "This changed after you opened the page (perhaps in another tab or by another member), "
        "so nothing was saved. Check the form below and save again."
    )

    assert refusal(lambda: services.update_fight(fight, data={}, version="old")) == expected
    assert (
        refusal(
            lambda: services.update_request(support_request, data=request_data(), version="old")
        )
        == expected
    )


def test_change_fight_status_refusals_word_for_word():
    fight = FightFactory(status="active")

    assert refusal(
        lambda: services.change_fight_status(fight, status="bogus", outcome="", by=None)
    ) == ("Choose a status from the list.")
    assert refusal(
        lambda: services.change_fight_status(fight, status="active", outcome="", by=None)
    ) == ("This fight is already marked “Active”.")


def test_open_refusals_word_for_word():
    organization = OrganizationFactory(name="Harbor Local", verified_at=None)
    unverified = SupportRequestFactory(
        status="draft", fight=FightFactory(organization=organization)
    )
    no_skill = SupportRequestFactory(status="draft")
    past = SupportRequestFactory(status="draft", needed_by=in_days(-1))
    RequestSkillFactory(request=past, required=True)
    ended = SupportRequestFactory(status="draft", fight=FightFactory(status="lost"))
    RequestSkillFactory(request=ended, required=True)

    assert services.open_refusal(unverified) == (
        "Harbor Local is not verified yet, so its requests cannot be opened. Staff check new "
        "organizations before volunteers see their requests; your draft is kept until then."
    )
    assert services.open_refusal(no_skill) == (
        "Mark at least one skill as required before opening the request, so we know whom "
        "to ask. Edit the request to choose one."
    )
    assert services.open_refusal(past) == (
        "The “needed by” date has passed. Edit the request to set a new date first."
    )
    assert services.open_refusal(ended) == (
        "This fight is no longer active, so its requests cannot be opened."
    )


def test_transition_and_edit_refusals_word_for_word():
    filled = SupportRequestFactory(status="filled")

    assert refusal(lambda: services.mark_filled(filled, by=None)) == (
        "This request is filled, so it cannot be marked filled."
    )
    assert refusal(
        lambda: services.update_request(
            filled, data=request_data(), version=services.version_of(filled)
        )
    ) == ("This request is filled: it can no longer be edited.")


def test_invitation_refusals_word_for_word(monkeypatch):
    member = MembershipFactory(user__email="olly@example.org")
    invitation = InvitationFactory(email="olly@example.org")
    token = services.invitation_token(invitation)

    assert (
        refusal(
            lambda: services.invite_member(
                organization=member.organization, email="olly@example.org", role="admin", by=None
            )
        )
        == f"olly@example.org is already a member of {member.organization.name}."
    )
    assert refusal(lambda: services.invitation_from_token("forged")) == (
        "This invitation link is not valid. Check that you copied all of it."
    )
    assert refusal(
        lambda: services.accept_invitation(token=token, user=UserFactory(email="eve@example.org"))
    ) == (
        "This invitation was sent to a different email address than the one you are signed in "
        "with. Sign out, then open the link again and sign in with the address the invitation "
        "was sent to."
    )
    issued = timezone.now() - datetime.timedelta(days=15)
    monkeypatch.setattr(signing.time, "time", lambda: issued.timestamp())
    old_token = services.invitation_token(invitation)
    monkeypatch.undo()
    assert refusal(lambda: services.invitation_from_token(old_token)) == (
        "This invitation has expired. Ask the person who invited you to send a new one."
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    assert refusal(lambda: services.invitation_from_token(token)) == (
        "This invitation has already been used. Each link works only once."
    )
    invitation.delete()
    assert refusal(lambda: services.invitation_from_token(token)) == (
        "This invitation was withdrawn. Ask for a new one if you still need it."
    )


def test_start_from_templates_drafts_are_by_the_organizer():
    fight, user = FightFactory(), UserFactory()
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    data = services.GuidedData(templates=[template], needed_by=in_days(5), work_mode="remote")

    _fight, (flyers,) = services.start_from_templates(
        organization=fight.organization, fight=fight, new_fight=None, by=user, data=data
    )

    assert SupportRequest.objects.get(pk=flyers.pk).created_by == user


def test_draft_requests_from_templates_carry_the_guided_answers_and_the_template_helpers():
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    RequestTemplate.objects.filter(pk=template.pk).update(helpers_needed=3)
    template.refresh_from_db()
    data = services.GuidedData(
        templates=[template], needed_by=in_days(9), starts_on=in_days(2), work_mode="in_person",
        country="CA", region="CA-ON", city="Toronto",
    )  # fmt: skip

    (flyers,) = services.draft_requests_from_templates(
        fight=FightFactory(), by=UserFactory(), data=data
    )

    stored = SupportRequest.objects.get(pk=flyers.pk)
    assert (stored.starts_on, stored.needed_by, stored.helpers_needed) == (
        in_days(2),
        in_days(9),
        3,
    )
    assert (stored.country, stored.region, stored.city) == ("CA", "CA-ON", "Toronto")


def test_verify_and_reject_change_only_that_organization():
    staff = UserFactory(is_staff=True)
    pending, other_pending = (OrganizationFactory(verified_at=None) for _ in range(2))
    verified = OrganizationFactory()

    services.reject_organization(pending, by=staff, reason="Employer side.")
    services.verify_organization(
        other_pending, by=staff, affiliation_checked=True, contact_confirmed=True,
        web_presence_checked=True,
    )  # fmt: skip

    assert Organization.objects.get(pk=verified.pk).is_verified
    assert not Organization.objects.get(pk=verified.pk).is_rejected
    assert not Organization.objects.get(pk=other_pending.pk).is_rejected
    assert not Organization.objects.get(pk=pending.pk).is_verified


def test_verify_organization_with_every_check_stores_no_notes():
    organization = OrganizationFactory(verified_at=None)

    services.verify_organization(
        organization, by=UserFactory(is_staff=True), affiliation_checked=True,
        contact_confirmed=True, web_presence_checked=True,
    )  # fmt: skip

    assert Organization.objects.get(pk=organization.pk).verification_notes == ""


def test_verify_organization_without_attestation_is_a_form_wide_error():
    organization = OrganizationFactory(verified_at=None, attested_at=None)

    with pytest.raises(ValidationError) as refused:
        services.verify_organization(
            organization, by=UserFactory(is_staff=True), affiliation_checked=True,
            contact_confirmed=True, web_presence_checked=True,
        )  # fmt: skip

    assert list(refused.value.message_dict) == ["__all__"]


def test_update_request_naming_a_kept_retired_skill_leaves_it_as_it_was():
    support_request = SupportRequestFactory(status="draft")
    retired = RequestSkillFactory(request=support_request, skill__retired=True, min_level=3)

    services.update_request(
        support_request,
        data=request_data(skills={retired.skill_id: (False, 1)}),
        version=services.version_of(support_request),
    )

    assert list(
        support_request.request_skills.values_list("skill_id", "required", "min_level")
    ) == [(retired.skill_id, retired.required, 3)]
