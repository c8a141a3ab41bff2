"""The personal-data registry: every app says how to export and erase what it stores about a user.

`register(Model, rows=..., erase=...)` names a model, how to find a user's rows in it, and how to
erase them (delete by default; anonymise where the row must stay, e.g. admin log entries about
the person). `export_user_data(user)` and `erase_user(user)` walk the registry. A test walks every
model related to the user and fails if one is not registered here.

The export is for the person to read ("Download my data"): one section per model under a plain
title, each row holding every stored field by its name, with values as the site shows them —
names rather than ids (a skill's name, a level's label, a country's and a region's name, another
person's display name, "you" for the person), never a row's own id. Two kinds of field are left
out, each named at registration: `exclude`, credentials (a password hash, a session key), and
`internal`, bookkeeping that says nothing about the person (a normalised copy of a name, an
outbox key, a worker's claim time). `values` adds or replaces columns with a readable form
(a language code becomes the language's name).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django_countries.fields import CountryField

ERASED = "[erased]"
YOU = "you"
SOMEONE = "another person"


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    rows: Callable  # user -> QuerySet of that user's rows
    erase: Callable | None  # QuerySet -> None; None means "delete"
    exclude: tuple[str, ...]  # fields never exported: credentials (password hash, session key)
    internal: tuple[str, ...] = ()  # fields not exported: bookkeeping, nothing about the person
    section: str = ""  # the export's heading for these rows
    values: Mapping[str, Callable] = field(default_factory=dict)  # column -> row -> readable

    @property
    def title(self) -> str:
        return self.section or str(self.model._meta.verbose_name_plural).capitalize()


_registry: dict[type[models.Model], Entry] = {}


def register(model, *, rows, erase=None, exclude=(), internal=(), section="", values=None):
    _registry[model] = Entry(
        model=model,
        rows=rows,
        erase=erase,
        exclude=tuple(exclude),
        internal=tuple(internal),
        section=section,
        values=dict(values or {}),
    )


def registered_models() -> set[type[models.Model]]:
    return set(_registry)


def section_title(model) -> str:
    """The heading the export gives `model`'s rows."""
    return _registry[model].title


def exported_columns(model) -> list[str]:
    """The columns each exported row of `model` has, in order."""
    entry = _registry[model]
    hidden = {*entry.exclude, *entry.internal}
    names = [f.name for f in _fields(model) if not f.primary_key and f.name not in hidden]
    return names + [name for name in entry.values if name not in names]


def _fields(model):
    return [*model._meta.concrete_fields, *model._meta.many_to_many]


def _person_name(user, owner) -> str:
    """The person themself is "you"; anyone else by display name only, never their address."""
    if user.pk == owner.pk:
        return YOU
    return user.display_name or SOMEONE


def _name_of(obj, owner) -> str:
    """What a related row is called: a person by `_person_name`, a profile by its person's."""
    user_model = get_user_model()
    if isinstance(obj, user_model):
        return _person_name(obj, owner)
    for related in obj._meta.concrete_fields:
        if related.one_to_one and related.related_model is user_model:
            return _person_name(getattr(obj, related.name), owner)
    return str(obj)


def _readable_value(obj, model_field, owner):
    if model_field.many_to_many:
        return [_name_of(item, owner) for item in getattr(obj, model_field.name).all()]
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return None if related is None else _name_of(related, owner)
    if isinstance(model_field, CountryField):
        country = getattr(obj, model_field.name)
        return country.name if country else ""
    if model_field.choices:
        return obj._get_FIELD_display(model_field)
    return model_field.value_from_object(obj)


def _readable_row(obj, entry: Entry, owner) -> dict:
    columns = exported_columns(entry.model)
    by_name = {f.name: f for f in _fields(entry.model)}
    return {
        name: entry.values[name](obj)
        if name in entry.values
        else _readable_value(obj, by_name[name], owner)
        for name in columns
    }


class _ExportEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder's dates and decimals; anything else as its string."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def export_user_data(user) -> dict:
    """Everything stored about `user`, by section title, readable and JSON-safe."""
    data = {"exported_at": timezone.now(), "records": {}}
    for entry in _registry.values():
        rows = [_readable_row(obj, entry, user) for obj in entry.rows(user)]
        if rows:
            data["records"][entry.title] = rows
    return data


def export_json(user) -> str:
    return json.dumps(export_user_data(user), cls=_ExportEncoder, indent=2, ensure_ascii=False)


def _scrub_admin_log(found) -> None:
    """Admin log entries *about* the person's rows keep their history but lose the words."""
    for entry, pks in found:
        if entry.model is LogEntry or not pks:
            continue
        content_type = ContentType.objects.get_for_model(entry.model)
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in pks]
        ).update(object_repr=ERASED, change_message="")


def erase_user(user) -> None:
    """Remove or anonymise the user's personal data everywhere, then the user.

    Each entry's rows are found before anything is erased: a finder may depend on rows another
    entry removes (the outbox finds mail by the person's email addresses, which go too).
    """
    # A with-block rather than @transaction.atomic: mutmut skips decorated functions.
    with transaction.atomic():
        found = [
            (entry, list(entry.rows(user).values_list("pk", flat=True)))
            for entry in _registry.values()
        ]
        _scrub_admin_log(found)
        for entry, pks in found:
            rows = entry.model._base_manager.filter(pk__in=pks)
            if entry.erase is None:
                rows.delete()
            else:
                entry.erase(rows)
        user.delete()


def register_builtin() -> None:
    """The user itself and the framework models that point at it."""
    from allauth.account.models import EmailAddress, EmailConfirmation

    from accounts.models import Session, User

    register(
        User,
        rows=lambda u: User.objects.filter(pk=u.pk),
        erase=lambda qs: None,
        exclude=("password", "user_permissions"),
        section="Your account",
    )
    register(
        EmailAddress,
        rows=lambda u: EmailAddress.objects.filter(user=u),
        internal=("user",),
        section="Your email addresses",
    )
    # Stored confirmation keys are credentials; allauth 65 signs its links (HMAC) and stores
    # none, but the table exists and may hold keys from before.
    register(
        EmailConfirmation,
        rows=lambda u: EmailConfirmation.objects.filter(email_address__user=u),
        exclude=("key",),
        section="Email confirmations",
    )
    # The session key and data are credentials; the export says which sessions exist and when
    # they expire, the erasure signs the person out everywhere.
    register(
        Session,
        rows=lambda u: Session.objects.filter(user=u),
        exclude=("session_key", "session_data"),
        internal=("user",),
        section="Your sign-in sessions",
    )
    # Entries the person made in the admin go with them (the foreign key cascades); entries
    # *about* their rows are scrubbed by _scrub_admin_log above. The change message is stored
    # as JSON for the admin to translate; the export gives the sentence the admin shows.
    register(
        LogEntry,
        rows=lambda u: LogEntry.objects.filter(user=u),
        internal=("user", "object_id"),
        section="Your changes in the staff admin",
        values={"change_message": lambda entry: entry.get_change_message()},
    )
