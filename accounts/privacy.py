"""The personal-data registry: every app says how to export and erase what it stores about a user.

`register(Model, rows=..., erase=...)` names a model, how to find a user's rows in it, and how to
erase them (delete by default; anonymise where the row must stay, e.g. admin log entries about
the person). `export_user_data(user)` and `erase_user(user)` walk the registry. A test walks every
model related to the user and fails if one is not registered here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

ERASED = "[erased]"


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    rows: Callable  # user -> QuerySet of that user's rows
    erase: Callable | None  # QuerySet -> None; None means "delete"
    exclude: tuple[str, ...]  # fields never exported: credentials (password hash, session key)


_registry: dict[type[models.Model], Entry] = {}


def register(model, *, rows, erase=None, exclude=()):
    _registry[model] = Entry(model=model, rows=rows, erase=erase, exclude=tuple(exclude))


def registered_models() -> set[type[models.Model]]:
    return set(_registry)


def _row_dict(obj, exclude) -> dict:
    """Every stored value of the row, editable or not (timestamps too), minus the exclusions."""
    data = {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}
    for field in obj._meta.many_to_many:
        data[field.name] = [related.pk for related in field.value_from_object(obj)]
    for name in exclude:
        data.pop(name, None)
        data.pop(f"{name}_id", None)
    return data


class _ExportEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder's dates and decimals; anything else (a Country) as its string."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def export_user_data(user) -> dict:
    """Everything stored about `user`, keyed by model label, as JSON-safe data."""
    data = {"exported_at": timezone.now(), "records": {}}
    for entry in _registry.values():
        rows = [_row_dict(obj, entry.exclude) for obj in entry.rows(user)]
        if rows:
            data["records"][entry.model._meta.label] = rows
    return data


def export_json(user) -> str:
    return json.dumps(export_user_data(user), cls=_ExportEncoder, indent=2)


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
    )
    register(EmailAddress, rows=lambda u: EmailAddress.objects.filter(user=u))
    # Stored confirmation keys are credentials; allauth 65 signs its links (HMAC) and stores
    # none, but the table exists and may hold keys from before.
    register(
        EmailConfirmation,
        rows=lambda u: EmailConfirmation.objects.filter(email_address__user=u),
        exclude=("key",),
    )
    # The session key and data are credentials; the export says which sessions exist and when
    # they expire, the erasure signs the person out everywhere.
    register(
        Session,
        rows=lambda u: Session.objects.filter(user=u),
        exclude=("session_key", "session_data"),
    )
    # Entries the person made in the admin go with them (the foreign key cascades); entries
    # *about* their rows are scrubbed by _scrub_admin_log above.
    register(LogEntry, rows=lambda u: LogEntry.objects.filter(user=u))
