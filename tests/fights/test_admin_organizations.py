"""Staff verify and reject organizations: the services, the admin actions and the mail."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError

from fights import services
from fights.models import Organization
from notifications.models import OutgoingMessage
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory, UserFactory

CHANGELIST = "/admin/fights/organization/"
CHECKLIST = {
    "affiliation_checked": True,
    "contact_confirmed": True,
    "web_presence_checked": True,
    "notes": "",
}


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def pending(db):
    organization = OrganizationFactory(name="Bakers United", verified_at=None)
    MembershipFactory(
        organization=organization, user=UserFactory(email="ada@example.org"), role="admin"
    )
    MembershipFactory(
        organization=organization, user=UserFactory(email="olly@example.org"), role="organizer"
    )
    return organization


def mails(kind):
    return sorted(OutgoingMessage.objects.filter(kind=kind).values_list("to", flat=True))


# --- services ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_organization_records_checklist_who_and_when(pending, staff):
    checklist = CHECKLIST | {"web_presence_checked": False, "notes": "No website; called them."}

    moved = services.verify_organization(pending, by=staff, **checklist)

    pending.refresh_from_db()
    assert moved is True
    assert pending.is_verified and pending.verified_by == staff
    assert (pending.affiliation_checked, pending.contact_confirmed) == (True, True)
    assert pending.web_presence_checked is False
    assert pending.verification_notes == "No website; called them."
    assert mails("fights.organization_verified") == ["ada@example.org"]  # admins only


@pytest.mark.django_db
def test_verify_organization_twice_changes_and_mails_nothing(pending, staff):
    other = UserFactory(is_staff=True)
    services.verify_organization(pending, by=staff, **CHECKLIST)
    stale = Organization.objects.get(pk=pending.pk)
    stale.verified_at = None  # what a second staff member's page still believes

    moved = services.verify_organization(stale, by=other, **CHECKLIST)

    pending.refresh_from_db()
    assert moved is False
    assert pending.verified_by == staff
    assert len(mails("fights.organization_verified")) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("checklist", "field"),
    [
        (CHECKLIST | {"contact_confirmed": False}, "contact_confirmed"),
        (CHECKLIST | {"affiliation_checked": False}, "verification_notes"),
        (CHECKLIST | {"web_presence_checked": False, "notes": "   "}, "verification_notes"),
    ],
)
def test_verify_organization_incomplete_checklist_refused(pending, staff, checklist, field):
    with pytest.raises(ValidationError) as refused:
        services.verify_organization(pending, by=staff, **checklist)

    assert field in refused.value.message_dict
    pending.refresh_from_db()
    assert pending.verified_at is None
    assert OutgoingMessage.objects.count() == 0


@pytest.mark.django_db
def test_verify_organization_without_attestation_refused(pending, staff):
    Organization.objects.filter(pk=pending.pk).update(attested_at=None)
    pending.refresh_from_db()

    with pytest.raises(ValidationError, match="attested"):
        services.verify_organization(pending, by=staff, **CHECKLIST)

    assert Organization.objects.get(pk=pending.pk).verified_at is None


@pytest.mark.django_db
def test_reject_organization_records_reason_and_mails_admins(pending, staff):
    moved = services.reject_organization(pending, by=staff, reason="  We could not reach you. ")

    pending.refresh_from_db()
    assert moved is True
    assert pending.is_rejected and not pending.is_verified
    assert (pending.rejected_by, pending.rejection_reason) == (staff, "We could not reach you.")
    message = OutgoingMessage.objects.get(kind="fights.organization_rejected")
    assert message.to == "ada@example.org"
    assert message.context["reason"] == "We could not reach you."


@pytest.mark.django_db
def test_reject_organization_blank_reason_refused(pending, staff):
    with pytest.raises(ValidationError) as refused:
        services.reject_organization(pending, by=staff, reason=" \n ")

    assert "reason" in refused.value.message_dict
    assert Organization.objects.get(pk=pending.pk).rejected_at is None


@pytest.mark.django_db
def test_reject_verified_organization_withdraws_verification(staff):
    organization = OrganizationFactory()

    assert services.reject_organization(organization, by=staff, reason="Acts for the employer.")
    assert services.reject_organization(organization, by=staff, reason="again") is False

    organization.refresh_from_db()
    assert (organization.verified_at, organization.rejection_reason) == (
        None,
        "Acts for the employer.",
    )
    assert Organization.objects.verified().filter(pk=organization.pk).exists() is False


@pytest.mark.django_db
def test_verify_rejected_organization_after_reply(pending, staff):
    services.reject_organization(pending, by=staff, reason="No contact reached.")

    assert services.verify_organization(pending, by=staff, **CHECKLIST) is True

    pending.refresh_from_db()
    assert pending.is_verified
    assert (pending.rejected_at, pending.rejection_reason) == (None, "")
    assert mails("fights.organization_verified") == ["ada@example.org"]


@pytest.mark.django_db
def test_rejection_mail_is_tactful_and_says_how_to_reply(
    pending, staff, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_CONTACT_EMAIL = "Staff <staff@kd.example.org>"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_organization(
            pending, by=staff, reason="We could not reach anyone at the number given."
        )

    sent = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    html = sent.alternatives[0][0]
    assert sent.subject == "We could not verify Bakers United yet"
    assert sent.extra_headers["Reply-To"] == "Staff <staff@kd.example.org>"
    assert "We could not reach anyone at the number given." in sent.body
    assert "reply to this email" in sent.body
    assert "staff@kd.example.org" in sent.body
    assert "Thank you for registering Bakers United" in sent.body
    assert "<strong>reply to this email</strong>" in html


@pytest.mark.django_db
def test_verification_mail_names_the_organization(
    pending, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.verify_organization(pending, by=staff, **CHECKLIST)

    [sent] = mail.outbox
    assert sent.subject == "Bakers United is verified"
    assert "You can now open your support requests." in sent.body
    assert "/organizers/" in sent.body


# --- the admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_organization_changelist_as_staff_shows_state_kind_place_and_members(staff_client, pending):
    OrganizationFactory(name="Harbor Local", region="US-WA")

    response = staff_client.get(CHANGELIST)

    rows = {o.name: (o.member_count, o.is_verified) for o in response.context["cl"].result_list}
    assert rows == {"Bakers United": (2, False), "Harbor Local": (0, True)}
    assert "Pending" in response.text
    assert "US-WA" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "expected"), [("pending", ["Bakers United"]), ("verified", ["Harbor Local"])]
)
def test_organization_verification_filter_as_staff(staff_client, pending, state, expected):
    OrganizationFactory(name="Harbor Local")

    response = staff_client.get(CHANGELIST, {"verification": state})

    assert [o.name for o in response.context["cl"].result_list] == expected


@pytest.mark.django_db
def test_organization_search_as_staff_by_member_email(staff_client, pending):
    OrganizationFactory(name="Harbor Local")

    response = staff_client.get(CHANGELIST, {"q": "olly@example"})

    assert [o.name for o in response.context["cl"].result_list] == ["Bakers United"]


def action(name, organization, **data):
    return {"action": name, "_selected_action": [organization.pk], **data}


@pytest.mark.django_db
def test_verify_action_as_staff_asks_for_checklist_and_shows_attestation(staff_client, pending):
    response = staff_client.post(CHANGELIST, action("verify_organizations", pending))

    assert response.status_code == 200
    assert "A contact confirmed outside the site" in response.text
    assert "no pecuniary interest on the other side" in response.text
    assert 'name="confirm"' in response.text
    assert Organization.objects.get(pk=pending.pk).verified_at is None


@pytest.mark.django_db
def test_verify_action_as_staff_verifies_records_and_logs(staff_client, staff, pending):
    data = {
        "confirm": "yes",
        "affiliation_checked": "on",
        "contact_confirmed": "on",
        "verification_notes": "No website yet; called the president.",
    }

    response = staff_client.post(CHANGELIST, action("verify_organizations", pending, **data))

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.is_verified and pending.verified_by == staff
    assert pending.web_presence_checked is False
    assert pending.verification_notes == "No website yet; called the president."
    assert mails("fights.organization_verified") == ["ada@example.org"]
    log = LogEntry.objects.get(object_id=str(pending.pk))
    assert log.get_change_message() == "Verified (checked: affiliation, contact outside the site)"


@pytest.mark.django_db
def test_verify_action_as_staff_incomplete_checklist_errors_at_field(staff_client, pending):
    data = {"confirm": "yes", "affiliation_checked": "on", "verification_notes": "Looks fine."}

    response = staff_client.post(CHANGELIST, action("verify_organizations", pending, **data))

    assert response.status_code == 200
    assert "Confirm a contact outside the site" in response.text
    assert 'id="id_contact_confirmed_errors"' in response.text
    assert "Looks fine." in response.text  # what was typed stays
    assert Organization.objects.get(pk=pending.pk).verified_at is None
    assert OutgoingMessage.objects.count() == 0


@pytest.mark.django_db
def test_reject_action_as_staff_requires_reason(staff_client, pending):
    empty = staff_client.post(
        CHANGELIST, action("reject_organizations", pending, confirm="yes", reason="  ")
    )
    done = staff_client.post(
        CHANGELIST,
        action("reject_organizations", pending, confirm="yes", reason="No contact reached."),
    )

    assert empty.status_code == 200
    assert "Say why: the organization&#x27;s admins read this reason" in empty.text
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.rejection_reason == "No contact reached."
    assert mails("fights.organization_rejected") == ["ada@example.org"]


@pytest.mark.django_db
def test_reject_action_as_staff_control_character_in_reason_is_dropped(staff_client, pending):
    data = {"confirm": "yes", "reason": "No contact\x1b reached.\u202e"}

    response = staff_client.post(CHANGELIST, action("reject_organizations", pending, **data))

    assert response.status_code == 302
    assert Organization.objects.get(pk=pending.pk).rejection_reason == "No contact reached."


@pytest.mark.django_db
def test_verify_action_on_verified_organization_warns_and_mails_nobody(staff_client):
    organization = OrganizationFactory(name="Harbor Local")
    data = {"confirm": "yes", "affiliation_checked": "on", "contact_confirmed": "on"}
    data["web_presence_checked"] = "on"

    response = staff_client.post(
        CHANGELIST, action("verify_organizations", organization, **data), follow=True
    )

    assert "Already verified, left as they were: Harbor Local." in response.text
    assert OutgoingMessage.objects.count() == 0


@pytest.mark.django_db
def test_organization_change_page_as_staff_offers_verify_and_reject(staff_client, pending):
    InvitationFactory(organization=pending, email="invitee@example.org")

    response = staff_client.get(f"{CHANGELIST}{pending.pk}/change/")

    assert response.status_code == 200
    assert 'value="verify_organizations"' in response.text
    assert 'value="reject_organizations"' in response.text
    assert "invitee@example.org" in response.text
    assert "olly@example.org" in response.text
    assert "/invitations/" not in response.text  # no invitation link, ever


@pytest.mark.django_db
def test_organization_admin_as_staff_cannot_add_or_delete(staff_client, pending):
    assert staff_client.get(f"{CHANGELIST}add/").status_code == 403
    assert staff_client.post(f"{CHANGELIST}{pending.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    assert Organization.objects.filter(pk=pending.pk).exists()


@pytest.mark.django_db
def test_organization_admin_as_non_staff_verifying_redirects_to_login(client, pending):
    client.force_login(pending.memberships.get(role="admin").user)
    data = {"confirm": "yes", "affiliation_checked": "on", "contact_confirmed": "on"}

    response = client.post(CHANGELIST, action("verify_organizations", pending, **data))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Organization.objects.get(pk=pending.pk).verified_at is None


# --- the Staff group ----------------------------------------------------------------------------

STAFF_FIGHTS_PERMISSIONS = {
    "view_organization",
    "change_organization",
    "view_membership",
    "add_membership",
    "change_membership",
    "delete_membership",
    "view_invitation",
    "view_fight",
    "change_fight",
    "view_supportrequest",
    "change_supportrequest",
    "view_requestskill",
    "add_requestskill",
    "change_requestskill",
    "delete_requestskill",
    "view_requestlanguage",
    "add_requestlanguage",
    "change_requestlanguage",
    "delete_requestlanguage",
    "view_requesttemplate",
    "add_requesttemplate",
    "change_requesttemplate",
    "view_requesttemplateskill",
    "add_requesttemplateskill",
    "change_requesttemplateskill",
    "delete_requesttemplateskill",
}


@pytest.mark.django_db
def test_staff_group_has_exactly_the_intended_fights_permissions():
    group = Group.objects.get(name="Staff")

    codenames = set(
        group.permissions.filter(content_type__app_label="fights").values_list(
            "codename", flat=True
        )
    )

    assert codenames == STAFF_FIGHTS_PERMISSIONS
    assert "view_confidential_fight" not in codenames


@pytest.mark.django_db
def test_confidential_fights_group_holds_only_that_permission():
    group = Group.objects.get(name="Confidential fights")

    assert list(group.permissions.values_list("codename", flat=True)) == ["view_confidential_fight"]
    assert Permission.objects.filter(codename="view_confidential_fight").count() == 1


@pytest.mark.django_db
def test_verify_button_on_change_page_opens_the_checklist(staff_client, pending):
    # What the change page's "Verify…" button posts.
    response = staff_client.post(
        CHANGELIST, {"action": "verify_organizations", "_selected_action": pending.pk}
    )

    assert response.status_code == 200
    assert response.context["organizations"].get() == pending
    assert "Web presence checked" in response.text


@pytest.mark.django_db
def test_verify_action_as_staff_on_several_verifies_attested_and_names_the_rest(staff_client):
    attested = OrganizationFactory(name="Attested Local", verified_at=None)
    unattested = OrganizationFactory(name="Silent Local", verified_at=None, attested_at=None)
    data = {
        "action": "verify_organizations",
        "_selected_action": [attested.pk, unattested.pk],
        "confirm": "yes",
        "affiliation_checked": "on",
        "contact_confirmed": "on",
        "web_presence_checked": "on",
    }

    response = staff_client.post(CHANGELIST, data, follow=True)

    assert Organization.objects.verified().filter(name="Attested Local").exists()
    assert not Organization.objects.verified().filter(name="Silent Local").exists()
    assert "Not verified: Silent Local (Nobody has attested" in response.text
