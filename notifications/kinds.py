"""The registry of mail kinds: (kind, essential?, default on/off, label).

Every mail the platform sends has a kind, and every kind has three templates:
`templates/emails/<kind>/subject.txt`, `body.txt` and `body.html`, each extending the one layout
(`emails/base.txt` / `emails/base.html`). `.txt` templates are rendered with HTML autoescaping
off; `body.html` is escaped as usual.

Essential kinds (account and security mail) are always sent and cannot be switched off.
Optional kinds carry one-click unsubscribe and are sent unless the person opted out (or, for
kinds with `default_on=False`, unless they opted in). Apps register their kinds at import time of
a module their `AppConfig.ready()` imports; tests use `temporary_kind()`.

A kind may declare `attachments`: the dotted path of a function that takes the stored context and
returns `[(filename, content, mimetype), ...]`. It runs at send time, like the templates, so the
row stores only ids and an attachment always shows the data as it is when the mail goes out
(a calendar entry carries the training's current time). A path, not a function, so that
`notifications` imports no app that registers kinds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    essential: bool
    default_on: bool
    label: str
    attachments: str = ""


_registry: dict[str, Kind] = {}


def register_kind(
    kind: str, *, essential: bool, default_on: bool, label: str, attachments: str = ""
) -> Kind:
    """Add a kind; registering the same kind again with the same attributes is harmless."""
    if essential and not default_on:
        raise ValueError(f"Essential kind {kind!r} cannot be off by default.")
    entry = Kind(
        name=kind,
        essential=essential,
        default_on=default_on,
        label=label,
        attachments=attachments,
    )
    existing = _registry.get(kind)
    if existing is not None and existing != entry:
        raise ValueError(f"Kind {kind!r} is already registered differently: {existing}.")
    _registry[kind] = entry
    return entry


def get_kind(kind: str) -> Kind:
    """The registered kind, or ValueError (callers passed a name nobody registered)."""
    try:
        return _registry[kind]
    except KeyError:
        raise ValueError(f"Unknown notification kind {kind!r}; register it first.") from None


def is_registered(kind: str) -> bool:
    return kind in _registry


def all_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda k: k.name)


def optional_kinds() -> list[Kind]:
    return [k for k in all_kinds() if not k.essential]


def essential_kinds() -> list[Kind]:
    return [k for k in all_kinds() if k.essential]


@contextmanager
def temporary_kind(
    kind: str,
    *,
    essential: bool = False,
    default_on: bool = True,
    label: str = "",
    attachments: str = "",
) -> Iterator[Kind]:
    """Register a kind for the duration of a `with` block (tests; the registry is global)."""
    if kind in _registry:
        raise ValueError(f"Kind {kind!r} is already registered.")
    entry = register_kind(
        kind,
        essential=essential,
        default_on=default_on,
        label=label or kind,
        attachments=attachments,
    )
    try:
        yield entry
    finally:
        _registry.pop(kind, None)


# allauth's account mail, routed through the outbox by accounts.adapter.AccountAdapter.
# Every template prefix allauth 65.21 sends (grep allauth for "account/email/") maps to a kind.
ACCOUNT_KINDS = {
    "account/email/email_confirmation_signup": (
        "account.email_confirmation_signup",
        "Confirm your email address (sign-up)",
    ),
    "account/email/email_confirmation": (
        "account.email_confirmation",
        "Confirm your email address",
    ),
    "account/email/password_reset_key": ("account.password_reset_key", "Password reset link"),
    "account/email/password_reset_code": ("account.password_reset_code", "Password reset code"),
    "account/email/login_code": ("account.login_code", "Sign-in code"),
    "account/email/unknown_account": ("account.unknown_account", "No account for this address"),
    "account/email/account_already_exists": (
        "account.account_already_exists",
        "Account already exists",
    ),
    "account/email/password_changed": ("account.password_changed", "Password changed"),
    "account/email/password_set": ("account.password_set", "Password set"),
    "account/email/password_reset": ("account.password_reset", "Password was reset"),
    "account/email/email_changed": ("account.email_changed", "Email address changed"),
    "account/email/email_deleted": ("account.email_deleted", "Email address removed"),
}

for _kind, _label in ACCOUNT_KINDS.values():
    register_kind(_kind, essential=True, default_on=True, label=_label)

# Staff's decision on an organization, mailed to its admins (fights.services). Essential: the
# organization cannot open requests until it hears, and a rejection says how to answer.
ORGANIZATION_KINDS = {
    "fights.organization_verified": "Your organization was verified",
    "fights.organization_rejected": "Your organization was not verified",
}

for _kind, _label in ORGANIZATION_KINDS.items():
    register_kind(_kind, essential=True, default_on=True, label=_label)

# Organizers (fights/services.py). An invitation is one mail someone asked for, to an address
# that may have no account yet (so no preferences to consult): essential.
register_kind(
    "fights.invitation",
    essential=True,
    default_on=True,
    label="Invitation to join an organization",
)

# Matching (matching/mail.py). All essential: a proposal has an answer deadline (a volunteer who
# wants no asks pauses their profile or withdraws consent, which stops the asking itself rather
# than letting proposals expire unseen), and the introductions are the exchange both sides
# agreed to; neither is news someone should be able to switch off and then miss.
MATCHING_KINDS = {
    "matching.proposal": "A request for your help (answer by a deadline)",
    "matching.introduction_donor": "Introduction to the organizers you agreed to help",
    "matching.introduction_organizer": "Introduction to a volunteer who agreed to help",
}

for _kind, _label in MATCHING_KINDS.items():
    register_kind(_kind, essential=True, default_on=True, label=_label)

# Trainings (trainings/mail.py). What a registrant must know (their seat, an offer with a deadline,
# a change of time or place) is essential; reminders and the feedback ask can be switched off.
TRAINING_KINDS = {
    "trainings.registration_confirmed": (True, "Training seat confirmed"),
    "trainings.waitlisted": (True, "On a training's waitlist"),
    "trainings.seat_offered": (True, "A training seat offered from the waitlist"),
    "trainings.training_changed": (True, "A training's time or place changed"),
    "trainings.training_cancelled": (True, "A training was cancelled"),
    "trainings.scholarship_decided": (True, "Decision on a training scholarship"),
    "trainings.reminder": (False, "Training reminders"),
    "trainings.feedback_request": (False, "Feedback requests after trainings"),
}
# The confirmation and the change notice carry the calendar entry, built when the mail goes out.
TRAINING_ATTACHMENTS = "trainings.calendar.registration_attachments"

for _kind, (_essential, _label) in TRAINING_KINDS.items():
    register_kind(
        _kind,
        essential=_essential,
        default_on=True,
        label=_label,
        attachments=TRAINING_ATTACHMENTS
        if _kind in ("trainings.registration_confirmed", "trainings.training_changed")
        else "",
    )

# Cohort programs (trainings/programs.py): the decision on an application, drafted and read by
# staff, sent by their "send decisions" action. Essential: the applicant asked for it.
register_kind(
    "trainings.application_decision",
    essential=True,
    default_on=True,
    label="Decision on a cohort program application",
)
