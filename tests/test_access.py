"""Every named URL by every role: the expected status and a marker that must show or must not.

`test_every_named_url_has_a_row` walks the URLconf and fails when a named URL is missing from
the table, so a new page cannot ship without deciding who may see it. Admin URLs are listed
per registered model from STAFF_ADMIN_RIGHTS, written by hand (what the Staff group may do).
"""

from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress, get_emailconfirmation_model
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from donors.models import Donor
from fights.models import RequestTemplate
from fights.services import invitation_token
from matching.models import CandidateRejection, Match
from notifications import kinds
from notifications.models import OutgoingMessage
from notifications.preferences import unsubscribe_token
from tests.conftest import make_volunteer
from tests.factories import (
    PASSWORD,
    FightFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    RequestSkillFactory,
    SkillFactory,
    SupportRequestFactory,
    TrainingFactory,
    UserFactory,
)

# Organizer roles, relative to the world's confidential fight: an admin and a plain organizer of
# its organization, the admin of another (verified) organization, a member of an unverified one.
ORGANIZERS = ("org_admin", "org_organizer", "other_org_organizer", "unverified_org_member")
# Staff stays last: admin rows treat ROLES[:-1] as "not staff".
ROLES = (
    "anonymous",
    "unverified",
    "verified",
    "volunteer",
    "other_volunteer",
    *ORGANIZERS,
    "staff",
)
SIGNED_IN = ("verified", "volunteer", "other_volunteer", *ORGANIZERS, "staff")
NOT_SIGNED_IN = ("anonymous", "unverified")
NOT_STAFF_SIGNED_IN = tuple(role for role in SIGNED_IN if role != "staff")
# Who may see the confidential fight: its organization's members and staff (with the permission).
CONFIDENTIAL_READERS = ("org_admin", "org_organizer", "staff")
CONFIDENTIAL_MARKERS = ("secret_title", "secret_employer", "secret_org")


@dataclass(frozen=True)
class Expect:
    status: int
    present: str = ""  # text that must be in the body (after {placeholder} substitution)
    absent: str = ""  # text that must not be in the body
    location: str = ""  # for redirects: the Location must start with this


@dataclass
class Row:
    name: str
    expect: dict[str, Expect]
    kwargs: object = None  # callable(world) -> dict of URL kwargs
    query: str = ""
    notes: str = field(default="")


def to_login(next_part=""):
    return Expect(302, location="/accounts/login/" + next_part)


def each(roles, expect):
    return dict.fromkeys(roles, expect)


LOGIN_REQUIRED = each(NOT_SIGNED_IN, to_login("?next="))


def signed_in_page(marker_for_role):
    """Login required; each signed-in role sees its own marker and never the volunteer's."""
    return {**LOGIN_REQUIRED, **marker_for_role}


OWN_EMAIL = {
    **{
        role: Expect(200, present=f"{{{role}_email}}", absent="{volunteer_email}")
        for role in ORGANIZERS
    },
    "verified": Expect(200, present="{verified_email}", absent="{volunteer_email}"),
    "volunteer": Expect(200, present="{volunteer_email}", absent="{other_email}"),
    "other_volunteer": Expect(200, present="{other_email}", absent="{volunteer_email}"),
    "staff": Expect(200, present="{staff_email}", absent="{volunteer_email}"),
}
PUBLIC = each(ROLES, Expect(200))
ANONYMOUS_ONLY = {  # sign-in and sign-up pages send signed-in people to their account
    **each(NOT_SIGNED_IN, Expect(200, absent="{volunteer_email}")),
    **each(SIGNED_IN, Expect(302, location="/me/")),
}

# Whose fight is whose in the world below; staff lack fights.view_confidential_fight (the Staff
# group is not given it), so they get the outsiders' 404 too.
FIGHT_MEMBERS = {"secret": ("org_admin", "org_organizer"), "pending": ("unverified_org_member",)}


def members_only(fight, notice):
    members = FIGHT_MEMBERS[fight]
    return {
        **each(ROLES, Expect(404)),
        **each(members, Expect(200, present=notice)),
    }


def _request_kwargs(world, key):
    request = world["requests"][key]
    return {"slug": request.fight.slug, "pk": request.pk}


MEMBERS_OF_SECRET = ("org_admin", "org_organizer")


def org_members_only(marker="{secret_title}", *, admin_marker=None):
    """Pages of the confidential fight's organization: its members see them, everyone else
    signed in gets the 404 a missing id gets (staff too: they work in the admin)."""
    expect = {
        **LOGIN_REQUIRED,
        **each(SIGNED_IN, Expect(404)),
        **each(MEMBERS_OF_SECRET, Expect(200, present=marker)),
    }
    if admin_marker:
        expect["org_admin"] = Expect(200, present=admin_marker)
        expect["org_organizer"] = Expect(200, present=marker, absent=admin_marker)
    return expect


def organizer_rows():
    secret_org = lambda w: {"slug": w["orgs"]["secret"].slug}  # noqa: E731
    secret_fight = lambda w: {"slug": w["fights"]["secret"].slug}  # noqa: E731
    secret_request = lambda w: {"pk": w["requests"]["secret"].pk}  # noqa: E731
    post_only = {**LOGIN_REQUIRED, **each(SIGNED_IN, Expect(405))}
    no_organization = Expect(200, present="not part of an organization yet")
    return [
        Row(
            "fights:dashboard",
            signed_in_page(
                {
                    **each(SIGNED_IN, no_organization),
                    **each(MEMBERS_OF_SECRET, Expect(200, present="{secret_org}")),
                    "other_org_organizer": Expect(200, present="Harbor strike 2026"),
                    "unverified_org_member": Expect(200, present="Waiting for verification"),
                }
            ),
        ),
        Row(
            "fights:organization_create",
            signed_in_page(each(SIGNED_IN, Expect(200, present="Add your organization"))),
        ),
        Row(
            "fights:members",
            org_members_only("{secret_org}", admin_marker="Send invitation"),
            kwargs=secret_org,
        ),
        Row("fights:fight_create", org_members_only("{secret_org}"), kwargs=secret_org),
        Row("fights:guided", org_members_only("What do you need?"), kwargs=secret_org),
        Row(
            "fights:invitation",
            # The link is the credential: whoever holds it sees which organization invites;
            # only the invited address (verified) is offered the button.
            {
                **each(NOT_SIGNED_IN, Expect(200, present="Create an account")),
                **each(SIGNED_IN, Expect(200, present="different email address")),
                "verified": Expect(200, present="Accept the invitation"),
            },
            kwargs=lambda w: {"token": w["invitation_token"]},
        ),
        Row("fights:organizer_fight", org_members_only(), kwargs=secret_fight),
        Row("fights:fight_edit", org_members_only(), kwargs=secret_fight),
        Row("fights:fight_status", org_members_only(), kwargs=secret_fight),
        Row("fights:request_create", org_members_only(), kwargs=secret_fight),
        Row("fights:request_edit", org_members_only("SECRETREQUEST"), kwargs=secret_request),
        Row("fights:request_open", post_only, kwargs=secret_request),
        Row("fights:request_fill", post_only, kwargs=secret_request),
        Row("fights:request_close", post_only, kwargs=secret_request),
        Row("fights:request_cancel", post_only, kwargs=secret_request),
    ]


def matching_rows():
    """The volunteer's match pages are the donor's own (anyone else signed in: 403); the
    organizers' page is their organization's (anyone else: 404). The world's proposal on the
    confidential fight goes to other_volunteer, who must see only its redacted summary, and its
    organizers see Otto by first name only, never his address."""
    vera_match = lambda w: {"pk": w["match"].pk}  # noqa: E731
    otto_match = lambda w: {"pk": w["secret_match"].pk}  # noqa: E731
    own = {**LOGIN_REQUIRED, **each(SIGNED_IN, Expect(403))}
    post_only = {**LOGIN_REQUIRED, **each(SIGNED_IN, Expect(405))}
    return [
        Row(
            "matching:my_matches",
            signed_in_page(
                {
                    **each(SIGNED_IN, Expect(200, present="No matches yet")),
                    "volunteer": Expect(200, present="{public_request}", absent="{other_email}"),
                    "other_volunteer": Expect(
                        200, present="A confidential Strike", absent="{public_request}"
                    ),
                }
            ),
        ),
        Row(
            "matching:detail",
            {**own, "volunteer": Expect(200, present="{public_request}")},
            kwargs=vera_match,
        ),
        Row(
            "matching:detail",
            {**own, "other_volunteer": Expect(200, present="This fight is confidential")},
            kwargs=otto_match,
            notes="a proposal on the confidential fight: its donor sees the redacted summary",
        ),
        Row(
            "matching:accept",
            {**own, "volunteer": Expect(200, present="If you accept")},
            kwargs=vera_match,
        ),
        Row(
            "matching:accept",
            {**own, "other_volunteer": Expect(200, present="This fight is confidential")},
            kwargs=otto_match,
            notes="the confidential proposal's accept page: redacted, no names",
        ),
        Row(
            "matching:decline",
            {**own, "volunteer": Expect(200, present="Why not?")},
            kwargs=vera_match,
        ),
        Row("matching:hours", post_only, kwargs=vera_match),
        Row("matching:donor_feedback", post_only, kwargs=vera_match),
        Row(
            "matching:offer_help",
            each(ROLES, Expect(405)),
            kwargs=lambda w: {"pk": w["requests"]["public"].pk},
        ),
        Row(
            "matching:request_matches",
            {
                **LOGIN_REQUIRED,
                **each(SIGNED_IN, Expect(404)),
                "other_org_organizer": Expect(200, present="Vera", absent="{volunteer_email}"),
            },
            kwargs=lambda w: {"pk": w["requests"]["public"].pk},
        ),
        Row(
            "matching:request_matches",
            {
                **LOGIN_REQUIRED,
                **each(SIGNED_IN, Expect(404)),
                **each(MEMBERS_OF_SECRET, Expect(200, present="Otto", absent="{other_email}")),
            },
            kwargs=lambda w: {"pk": w["requests"]["secret"].pk},
            notes="the confidential fight's request: its members see the proposal by first name",
        ),
        Row("matching:start", post_only, kwargs=otto_match),
        Row("matching:complete", post_only, kwargs=otto_match),
        Row("matching:organizer_feedback", post_only, kwargs=otto_match),
    ]


def trainings_rows():
    """The volunteer holds a confirmed seat on the training: only they see its meeting link."""
    training = lambda w: {"slug": w["training"].slug}  # noqa: E731
    own = lambda w: {"pk": w["registration"].pk}  # noqa: E731
    no_link = Expect(200, present="{training_title}", absent="{meeting_url}")
    with_link = Expect(200, present="{meeting_url}")
    staff_only = {
        **LOGIN_REQUIRED,
        **each(NOT_STAFF_SIGNED_IN, Expect(403)),
        "staff": Expect(200, present="{volunteer_email}"),
    }
    own_only = {
        **LOGIN_REQUIRED,
        **each(SIGNED_IN, Expect(404)),
        "volunteer": Expect(200, present="{training_title}"),
    }
    return [
        Row("trainings:list", each(ROLES, no_link)),
        Row("trainings:feed", each(ROLES, no_link)),
        Row("trainings:detail", {**each(ROLES, no_link), "volunteer": with_link}, kwargs=training),
        Row("trainings:calendar", each(ROLES, no_link), kwargs=training),
        Row(
            "trainings:register",
            {**LOGIN_REQUIRED, **each(SIGNED_IN, no_link), "volunteer": with_link},
            kwargs=training,
        ),
        Row(
            "trainings:group",
            signed_in_page(
                {
                    **each(SIGNED_IN, Expect(200, present="not part of an organization")),
                    **each(ORGANIZERS, Expect(200, present="Members to register")),
                }
            ),
            kwargs=training,
        ),
        Row("trainings:check_in", staff_only, kwargs=training),
        Row("trainings:export", staff_only, kwargs=training),
        Row("trainings:emails", staff_only, kwargs=training),
        Row("trainings:cancel", own_only, kwargs=own),
        Row("trainings:claim", own_only, kwargs=own),
        Row("trainings:decline", own_only, kwargs=own),
    ]


ROWS = [
    *matching_rows(),
    Row("home", each(ROLES, Expect(200, present="Offer your skills", absent="{volunteer_bio}"))),
    Row("accounts:organizers", each(ROLES, Expect(200, present="What happens next"))),
    Row("accounts:dashboard", signed_in_page(OWN_EMAIL)),
    Row("accounts:download_data", signed_in_page(each(SIGNED_IN, Expect(200, present="password")))),
    Row(
        "accounts:delete_account", signed_in_page(each(SIGNED_IN, Expect(200, present="password")))
    ),
    # The file is only given for a few minutes after the password: without it, back to the form.
    Row(
        "accounts:download_data_file",
        signed_in_page(each(SIGNED_IN, Expect(302, location="/me/data/"))),
    ),
    Row("accounts:contact", each(ROLES, Expect(200, present="Safety concerns"))),
    Row(
        "donors:profile",
        signed_in_page(
            {
                **each(("verified", *ORGANIZERS), Expect(302, location="/profile/edit/")),
                "volunteer": Expect(200, present="{volunteer_bio}", absent="{other_bio}"),
                "other_volunteer": Expect(200, present="{other_bio}", absent="{volunteer_bio}"),
                "staff": Expect(302, location="/profile/edit/"),
            }
        ),
    ),
    Row(
        "donors:profile_edit",
        signed_in_page(
            {
                **each(("verified", *ORGANIZERS), Expect(200, absent="{volunteer_bio}")),
                "volunteer": Expect(200, present="{volunteer_bio}", absent="{other_bio}"),
                "other_volunteer": Expect(200, present="{other_bio}", absent="{volunteer_bio}"),
                "staff": Expect(200, absent="{volunteer_bio}"),
            }
        ),
    ),
    Row(
        "donors:profile_pause",
        signed_in_page(
            {
                **each(("verified", *ORGANIZERS), Expect(302, location="/profile/edit/")),
                "volunteer": Expect(200, present="Pause", absent="{other_bio}"),
                "other_volunteer": Expect(200, present="Pause", absent="{volunteer_bio}"),
                "staff": Expect(302, location="/profile/edit/"),
            }
        ),
    ),
    *organizer_rows(),
    # allauth
    Row("account_login", ANONYMOUS_ONLY),
    Row("account_signup", ANONYMOUS_ONLY),
    Row(
        "account_logout",
        {**each(NOT_SIGNED_IN, Expect(302, location="/")), **each(SIGNED_IN, Expect(200))},
    ),
    Row("account_inactive", PUBLIC),
    Row("account_reauthenticate", signed_in_page(each(SIGNED_IN, Expect(200)))),
    Row("account_email", signed_in_page(OWN_EMAIL)),
    Row("account_email_verification_sent", PUBLIC),
    Row("account_change_password", signed_in_page(each(SIGNED_IN, Expect(200)))),
    Row(
        "account_set_password",
        signed_in_page(each(SIGNED_IN, Expect(302, location="/accounts/password/change/"))),
    ),
    Row("account_reset_password", PUBLIC),
    Row("account_reset_password_done", PUBLIC),
    Row("account_reset_password_from_key_done", PUBLIC),
    Row(
        "account_reset_password_from_key",
        # A forged key never reveals whose account it would be.
        each(ROLES, Expect(200, absent="{volunteer_email}")),
        kwargs=lambda w: {"uidb36": "1", "key": "forged-key"},
    ),
    Row(
        "account_confirm_email",
        # The link itself is the credential: anyone holding it sees which address it confirms.
        each(ROLES, Expect(200, present="{unverified_email}", absent="{volunteer_email}")),
        kwargs=lambda w: {"key": w["confirm_key"]},
    ),
    Row(
        "notifications:preferences",
        signed_in_page(each(SIGNED_IN, Expect(200, present="Email preferences"))),
    ),
    Row(
        "notifications:unsubscribe",
        # The signed link is the credential (RFC 8058: no login, no cookie); GET only asks.
        each(ROLES, Expect(200, present="{volunteer_email}", absent="{other_email}")),
        kwargs=lambda w: {"token": w["unsubscribe_token"]},
    ),
    # Fights that need help: the list and the feeds show only listed requests, to everyone.
    *(
        Row(name, each(ROLES, Expect(200, present="{public_request}", absent="{pending_request}")))
        for name in ("fights:list", "fights:feed_atom", "fights:feed_json")
    ),
    Row(
        "fights:fight",
        each(ROLES, Expect(200, present="{public_request}", absent="{pending_request}")),
        kwargs=lambda w: {"slug": w["fights"]["public"].slug},
        notes="a public fight of a verified organization",
    ),
    Row(
        "fights:fight",
        members_only("secret", "Confidential fight."),
        kwargs=lambda w: {"slug": w["fights"]["secret"].slug},
        notes="the confidential fight: its members only (404 like a missing one)",
    ),
    Row(
        "fights:fight",
        members_only("pending", "Not public yet."),
        kwargs=lambda w: {"slug": w["fights"]["pending"].slug},
        notes="a fight of an unverified organization",
    ),
    Row(
        "fights:request",
        each(ROLES, Expect(200, present="{public_request}", absent="{pending_request}")),
        kwargs=lambda w: _request_kwargs(w, "public"),
        notes="an open request of a public fight",
    ),
    Row(
        "fights:request",
        members_only("secret", "Confidential fight."),
        kwargs=lambda w: _request_kwargs(w, "secret"),
        notes="an open request of the confidential fight",
    ),
    Row(
        "fights:request",
        members_only("pending", "Not public yet."),
        kwargs=lambda w: _request_kwargs(w, "pending"),
        notes="a draft of an unverified organization",
    ),
    *trainings_rows(),
    Row(
        "account_confirm_login_code",
        # Login by code is off: there is never a pending code, so everyone is sent away.
        {
            **each(NOT_SIGNED_IN, Expect(302, location="/accounts/login/")),
            **each(SIGNED_IN, Expect(302, location="/me/")),
        },
    ),
    # Staff review pages (matching/staff_views.py): the admin's login; the world's staff lack
    # fights.view_confidential_fight, so the confidential request is their 404.
    Row(
        "matching_staff:queue",
        {
            **each(ROLES[:-1], Expect(302, location="/admin/login/")),
            "staff": Expect(200, present="{public_request}", absent="SECRET"),
        },
    ),
    Row(
        "matching_staff:candidates",
        {
            **each(ROLES[:-1], Expect(302, location="/admin/login/")),
            "staff": Expect(200, present="Vera Volunteer", absent="SECRET"),
        },
        kwargs=lambda w: {"pk": w["requests"]["public"].pk},
        notes="an open public request: its proposed volunteer and its candidates",
    ),
    Row(
        "matching_staff:candidates",
        {**each(ROLES[:-1], Expect(302, location="/admin/login/")), "staff": Expect(404)},
        kwargs=lambda w: {"pk": w["requests"]["secret"].pk},
        notes="the confidential fight's request",
    ),
]


# What the Staff group may do per admin model, by hand: (view, add, change, delete).
STAFF_ADMIN_RIGHTS: dict[str, set[str]] = {
    "accounts.user": {"view"},
    "account.emailaddress": {"view"},
    "auth.group": set(),
    # Looking is not editing: correcting a profile needs the Profile editors group.
    "donors.donor": {"view"},
    "donors.skill": {"view", "add", "change"},
    "donors.skillcategory": {"view", "add", "change"},
    "notifications.outgoingmessage": {"view"},  # change perm only runs the retry action
    # Organizers create organizations, fights and requests; staff verify and correct them.
    "fights.organization": {"view", "change"},
    "fights.fight": {"view", "change"},
    "fights.supportrequest": {"view", "change"},
    "fights.requesttemplate": {"view", "add", "change"},  # retired by unticking "active"
    # Matches move only through the matching services; the admin shows the record.
    "matching.match": {"view"},
    "matching.candidaterejection": {"view"},
    # Staff run trainings; registrations are people's own (see trainings 0002).
    "trainings.training": {"view", "add", "change"},
    "trainings.registration": {"view", "change"},
    "trainings.venue": {"view", "add", "change"},
    "trainings.trainer": {"view", "add", "change"},
}


def _admin_rows() -> list[Row]:
    rows = [
        Row(
            "admin:index",
            {
                **each(NOT_SIGNED_IN, Expect(302, location="/admin/login/")),
                **each(
                    NOT_STAFF_SIGNED_IN,
                    Expect(302, location="/admin/login/"),
                ),
                "staff": Expect(200, present="Knowledge donors"),
            },
        ),
        Row(
            "admin:login",
            {
                **each(NOT_SIGNED_IN, to_login("?next=")),
                **each(NOT_STAFF_SIGNED_IN, Expect(403)),
                "staff": Expect(302, location="/admin/"),
            },
        ),
    ]

    def admin_page(staff_expect, **kw):
        return {**each(ROLES[:-1], Expect(302, location="/admin/login/")), "staff": staff_expect}

    rows += [
        # Signing out is a POST; a GET from someone not signed in to the admin goes to its index.
        Row(
            "admin:logout",
            {**each(ROLES[:-1], Expect(302, location="/admin/")), "staff": Expect(405)},
        ),
        # Setting someone's password needs change_user, which the Staff group does not have.
        Row(
            "admin:auth_user_password_change",
            admin_page(Expect(403)),
            kwargs=lambda w: {"id": w["users"]["volunteer"].pk},
        ),
        Row("admin:password_change", admin_page(Expect(200, present="Password change"))),
        Row("admin:password_change_done", admin_page(Expect(200))),
        Row("admin:jsi18n", admin_page(Expect(200))),
        # Without a field to complete the autocomplete endpoint refuses.
        Row("admin:autocomplete", admin_page(Expect(403))),
        Row(
            "admin:app_list",
            admin_page(Expect(200, present="Donors")),
            kwargs=lambda w: {"app_label": "donors"},
        ),
        Row(
            "admin:view_on_site",
            admin_page(Expect(404)),  # donors have no public page
            kwargs=lambda w: {
                "content_type_id": ContentType.objects.get_for_model(Donor).pk,
                "object_id": w["donor"].pk,
            },
        ),
    ]
    for model in admin.site._registry:
        rows += _model_admin_rows(model)
    return rows


# Which object each admin change page is opened on, and what staff must see in the list and on
# the change page.
ADMIN_OBJECTS = {
    "accounts.user": (
        lambda w: w["users"]["volunteer"].pk,
        "{volunteer_email}",
        "{volunteer_email}",
    ),
    "account.emailaddress": (
        lambda w: w["donor"].user.emailaddress_set.get().pk,
        "{volunteer_email}",
        "{volunteer_email}",
    ),
    "auth.group": (lambda w: Group.objects.get(name="Staff").pk, "", ""),
    "donors.donor": (lambda w: w["donor"].pk, "{volunteer_email}", "{volunteer_bio}"),
    "donors.skill": (lambda w: w["skill"].pk, "", ""),
    "donors.skillcategory": (lambda w: w["skill"].category_id, "", ""),
    # Staff see who was mailed, never the body or the links inside it.
    "notifications.outgoingmessage": (
        lambda w: w["outgoing"].pk,
        "{volunteer_email}",
        "{volunteer_email}",
    ),
    # The world's staff lack the confidential permission: they are shown the open ones.
    "fights.organization": (
        lambda w: w["orgs"]["open"].pk,
        "{open_org}",
        "{other_org_organizer_email}",
    ),
    "fights.fight": (lambda w: w["fights"]["public"].pk, "{public_title}", "{public_title}"),
    "fights.supportrequest": (
        lambda w: w["requests"]["public"].pk,
        "{public_request}",
        "{public_request}",
    ),
    "fights.requesttemplate": (
        lambda w: RequestTemplate.objects.get(slug="flyers-graphics").pk,
        "We need flyers and graphics",
        "We need flyers and graphics",
    ),
    # The change page renders the stored explanation as a table, never as raw JSON.
    "matching.match": (lambda w: w["match"].pk, "{public_request}", "Scoring version 1"),
    "matching.candidaterejection": (lambda w: w["rejection"].pk, "{public_request}", ""),
    "trainings.training": (lambda w: w["training"].pk, "{training_title}", "{training_title}"),
    "trainings.registration": (
        lambda w: w["registration"].pk,
        "{volunteer_email}",
        "{volunteer_email}",
    ),
    "trainings.venue": (lambda w: w["training"].venue_id, "Union Hall", "Union Hall"),
    "trainings.trainer": (lambda w: w["trainer"].pk, "Rosa Trainer", "Rosa Trainer"),
}


def _model_admin_rows(model) -> list[Row]:
    label = model._meta.label_lower
    rights = STAFF_ADMIN_RIGHTS.get(label, set())
    object_pk, list_marker, change_marker = ADMIN_OBJECTS[label]
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    not_staff = each(ROLES[:-1], Expect(302, location="/admin/login/"))

    def staff_gets(allowed, present=""):
        return {**not_staff, "staff": Expect(200, present=present) if allowed else Expect(403)}

    can_see = bool(rights & {"view", "change"})
    by_pk = lambda w: {"object_id": object_pk(w)}  # noqa: E731
    return [
        Row(f"{prefix}_changelist", staff_gets(can_see, list_marker)),
        Row(f"{prefix}_add", staff_gets("add" in rights)),
        Row(f"{prefix}_change", staff_gets(can_see, change_marker), kwargs=by_pk),
        Row(f"{prefix}_history", staff_gets(can_see), kwargs=by_pk),
        Row(f"{prefix}_delete", staff_gets("delete" in rights), kwargs=by_pk),
    ]


# --- Cohort programs, ideas for sessions, the directory (trainings/program_urls.py) ------------
# The volunteer applied and was accepted (only they may confirm); the other volunteer is a
# confirmed member, trained and listed in the directory, which only staff and members of
# verified organizations see: everyone else signed in gets 403, anonymous visitors sign in.


def program_rows():
    program = lambda w: {"slug": w["program"].slug}  # noqa: E731
    directory_readers = ("org_admin", "org_organizer", "other_org_organizer", "staff")
    return [
        Row(
            "trainings:apply",
            signed_in_page(each(SIGNED_IN, Expect(200, present="Apply to {program_title}"))),
            kwargs=program,
        ),
        Row(
            "trainings:my_applications",
            signed_in_page(
                {
                    **each(SIGNED_IN, Expect(200, absent="{program_title}")),
                    "volunteer": Expect(200, present="{program_title}"),
                    "other_volunteer": Expect(200, present="{program_title}"),
                }
            ),
        ),
        Row(
            "trainings:confirm_place",
            {
                **LOGIN_REQUIRED,
                **each(SIGNED_IN, Expect(404)),
                "volunteer": Expect(200, present="Confirm my place"),
            },
            kwargs=lambda w: {"pk": w["application"].pk},
        ),
        Row(
            "trainings:propose_idea",
            signed_in_page(each(SIGNED_IN, Expect(200, present="Ideas for sessions"))),
        ),
        Row(
            "trainings:directory",
            {
                **LOGIN_REQUIRED,
                **each(SIGNED_IN, Expect(403, absent="{other_email}")),
                **each(directory_readers, Expect(200, present="{other_email}")),
            },
        ),
        Row(
            "trainings:directory_entry",
            signed_in_page(
                {
                    **each(SIGNED_IN, Expect(200, present="You are not listed.")),
                    "other_volunteer": Expect(200, present="You are listed in the directory."),
                }
            ),
        ),
    ]


ROWS += program_rows()
STAFF_ADMIN_RIGHTS |= {
    # Applications, ideas and directory entries are people's own; staff review and decide.
    "trainings.application": {"view", "change"},
    "trainings.cohortmember": {"view", "change"},
    "trainings.sessionidea": {"view"},
    "trainings.directoryentry": {"view"},
}
ADMIN_OBJECTS |= {
    "trainings.application": (
        lambda w: w["application"].pk,
        "{program_title}",
        "{program_statement}",
    ),
    "trainings.cohortmember": (lambda w: w["member"].pk, "Otto Other", "Otto Other"),
    "trainings.sessionidea": (lambda w: w["idea"].pk, "{idea_title}", "{idea_title}"),
    "trainings.directoryentry": (lambda w: w["entry"].pk, "Otto edits video", "Otto edits video"),
}


def _programs_world(world):
    from tests.factories import ApplicationFactory, CohortProgramFactory, DonorSkillFactory
    from trainings.models import DirectoryEntry, SessionIdea

    program = CohortProgramFactory(title="Strategists ACCESS-COHORT")
    volunteer, other = world["users"]["volunteer"], world["users"]["other_volunteer"]
    application = ApplicationFactory(
        training=program, user=volunteer, statement="VERA-STATEMENT", status="accepted"
    )
    member = ApplicationFactory(training=program, user=other, status="confirmed")
    DonorSkillFactory(donor=other.donor, trained_at=program.starts_at, trained_in=program.title)
    world.update(
        program=program,
        application=application,
        member=member,
        entry=DirectoryEntry.objects.create(user=other, headline="Otto edits video"),
        idea=SessionIdea.objects.create(
            user=volunteer, kind="request", skill=world["skill"], title="IDEA-TITLE flyers"
        ),
    )
    world["placeholders"].update(
        program_title=program.title, program_statement="VERA-STATEMENT", idea_title="IDEA-TITLE"
    )
    return world


def _url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def all_rows():
    return ROWS + _admin_rows()


def test_every_named_url_has_a_row():
    covered = {row.name for row in all_rows()}
    missing = sorted(_url_names() - covered)
    assert missing == [], f"named URLs without an access row: {missing}"


# --- the world the table is checked against ------------------------------------------------


@pytest.fixture
def world(db):
    with kinds.temporary_kind("test.access-digest", essential=False) as digest:
        yield _programs_world(_world(digest))


def _world(digest):
    volunteer = make_volunteer(
        user=UserFactory(email="vera@example.org", display_name="Vera Volunteer"),
        bio="VERA-PRIVATE-BIO gives flyers to strikers",
    )
    other = make_volunteer(
        user=UserFactory(email="otto@example.org", display_name="Otto Other"),
        bio="OTTO-PRIVATE-BIO edits strike videos",
    )
    verified = UserFactory(email="nadia@example.org", display_name="Nadia Noprofile")
    unverified = UserFactory(email="uma@example.org", display_name="Uma Unverified", verified=False)
    staff = UserFactory(email="sam@example.org", display_name="Sam Staff", is_staff=True)
    staff.groups.add(Group.objects.get(name="Staff"))
    outgoing = OutgoingMessage.objects.create(
        to=volunteer.user.email,
        user=volunteer.user,
        kind="account.password_reset_key",
        key="access-table",
        context={"password_reset_url": "https://kd.example.org/SECRET-RESET-LINK"},
    )
    address = EmailAddress.objects.get(user=unverified)
    confirmation = get_emailconfirmation_model().create(address)
    organizers, fights_world = _organizers_world()
    training = TrainingFactory(
        title="Digital Skills ACCESS-TRAINING", meeting_url="https://meet.example.org/PRIVATE-ROOM"
    )
    invitation = InvitationFactory(organization=fights_world["orgs"]["open"], email=verified.email)
    return {
        "invitation_token": invitation_token(invitation),
        **fights_world,
        "users": {
            "verified": verified,
            "volunteer": volunteer.user,
            "other_volunteer": other.user,
            "staff": staff,
            "unverified": unverified,
            **organizers,
        },
        "donor": volunteer,
        "match": Match.objects.create(
            request=fights_world["requests"]["public"],
            donor=volunteer,
            status="proposed",
            explanation={"version": 1, "score": 8.0, "skills": [], "modifiers": []},
        ),
        "secret_match": Match.objects.create(
            request=fights_world["requests"]["secret"],
            donor=other,
            status="proposed",
            explanation={"version": 1, "score": 8.0, "skills": [], "modifiers": []},
        ),
        "rejection": CandidateRejection.objects.create(
            request=fights_world["requests"]["public"], donor=other
        ),
        "skill": SkillFactory(),
        "confirm_key": confirmation.key,
        "outgoing": outgoing,
        "unsubscribe_token": unsubscribe_token(user=volunteer.user, kind=digest.name),
        "training": training,
        "registration": RegistrationFactory(training=training, user=volunteer.user),
        "trainer": training.trainers.create(name="Rosa Trainer"),
        "placeholders": {
            "volunteer_email": volunteer.user.email,
            "volunteer_bio": volunteer.bio,
            "other_email": other.user.email,
            "other_bio": other.bio,
            "verified_email": verified.email,
            "unverified_email": unverified.email,
            "staff_email": staff.email,
            **{f"{role}_email": user.email for role, user in organizers.items()},
            "secret_title": fights_world["fights"]["secret"].title,
            "secret_employer": fights_world["fights"]["secret"].target_employer,
            "secret_org": fights_world["orgs"]["secret"].name,
            "public_title": fights_world["fights"]["public"].title,
            "public_request": fights_world["requests"]["public"].title,
            "pending_request": fights_world["requests"]["pending"].title,
            "open_org": fights_world["orgs"]["open"].name,
            "training_title": training.title,
            "meeting_url": training.meeting_url,
        },
    }


def _organizers_world():
    """A verified organization whose only fight is confidential (so its name must never show to
    outsiders), a verified one with a public fight and an open request, and an unverified one."""
    secret_org = OrganizationFactory(name="Quietwater SECRETORG Local", slug="quietwater")
    open_org = OrganizationFactory(name="Harbor Workers Local 9", slug="harbor-9")
    pending_org = OrganizationFactory(
        name="Pending Worker Center", slug="pending", verified_at=None
    )
    organizers = {
        "org_admin": UserFactory(email="ada@example.org", display_name="Ada Admin"),
        "org_organizer": UserFactory(email="olly@example.org", display_name="Olly Organizer"),
        "other_org_organizer": UserFactory(email="hal@example.org", display_name="Hal Harbor"),
        "unverified_org_member": UserFactory(email="pia@example.org", display_name="Pia Pending"),
    }
    MembershipFactory(organization=secret_org, user=organizers["org_admin"], role="admin")
    MembershipFactory(organization=secret_org, user=organizers["org_organizer"], role="organizer")
    MembershipFactory(organization=open_org, user=organizers["other_org_organizer"], role="admin")
    MembershipFactory(organization=pending_org, user=organizers["unverified_org_member"])
    secret = FightFactory(
        organization=secret_org,
        title="SECRETFIGHT walkout plan",
        slug="secretfight",
        target_employer="SECRETBOSS Corp",
        visibility="confidential",
    )
    public = FightFactory(organization=open_org, title="Harbor strike 2026", slug="harbor-strike")
    pending = FightFactory(organization=pending_org, title="Pending drive", slug="pending-drive")
    skill = SkillFactory(name="Picket flyers")
    requests = {
        "secret": SupportRequestFactory(fight=secret, title="SECRETREQUEST flyers"),
        "public": SupportRequestFactory(fight=public, title="Harbor picket flyers"),
        "pending": SupportRequestFactory(
            fight=pending, title="Pending drive draft", status="draft"
        ),
    }
    for request in requests.values():
        RequestSkillFactory(request=request, skill=skill)
    world = {
        "orgs": {"secret": secret_org, "open": open_org, "pending": pending_org},
        "fights": {"secret": secret, "public": public, "pending": pending},
        "requests": requests,
    }
    return organizers, world


def client_for(role, world):
    client = Client()
    if role == "anonymous":
        return client
    user = world["users"][role]
    if role == "unverified":
        # The real path: signing in before verifying sends another link and signs nobody in.
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session
        return client
    client.force_login(user)
    return client


def _check(row, role, world):
    expect = row.expect[role]
    url = reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None) + row.query
    response = client_for(role, world).get(url)
    where = f"{row.name} as {role}"
    assert response.status_code == expect.status, f"{where}: {response.status_code}"
    if expect.location:
        assert response["Location"].startswith(expect.location), f"{where}: {response['Location']}"
    body = response.content.decode(errors="replace")
    if expect.present:
        assert expect.present.format(**world["placeholders"]) in body, f"{where}: marker missing"
    if expect.absent:
        assert expect.absent.format(**world["placeholders"]) not in body, f"{where}: leaked"
    assert "SECRET-RESET-LINK" not in body, f"{where}: leaked a mailed credential"
    if role not in CONFIDENTIAL_READERS:
        for marker in CONFIDENTIAL_MARKERS:
            leaked = world["placeholders"][marker]
            assert leaked not in body, f"{where}: leaked the confidential fight ({marker})"


@pytest.mark.parametrize("row", all_rows(), ids=lambda row: row.name)
def test_access_table(row, world):
    assert set(row.expect) == set(ROLES), f"{row.name}: a role has no expectation"
    for role in ROLES:
        _check(row, role, world)


def test_staff_admin_rights_cover_every_registered_model():
    labels = {model._meta.label_lower for model in admin.site._registry}
    assert labels == set(STAFF_ADMIN_RIGHTS)


def test_volunteer_cannot_change_another_volunteer_by_id(world):
    """The only URLs with a donor's id are the admin's; a volunteer's POST there changes nothing."""
    donor = world["donor"]
    attacker = client_for("other_volunteer", world)
    url = reverse("admin:donors_donor_change", kwargs={"object_id": donor.pk})

    response = attacker.post(url, {"bio": "defaced", "weekly_hours": 40})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    donor.refresh_from_db()
    assert donor.bio == "VERA-PRIVATE-BIO gives flyers to strikers"
    assert donor.weekly_hours == 5
