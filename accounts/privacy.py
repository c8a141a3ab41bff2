"""The personal-data registry: every app says how to export and erase what it stores about a user.

`register(Model, rows=..., erase=...)` names a model, how to find a user's rows in it, and how to
erase them (delete by default; anonymise where the row must stay, e.g. admin log entries about
the person). `export_user_data(user)` and `erase_user(user)` walk the registry. A test walks every
model related to the user and fails if one is not registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

ERASED = "[erased]"


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    rows: Callable  # user -> QuerySet of that user's rows
    erase: Callable | None  # QuerySet -> None; None means "delete"
    exclude: tuple[str, ...]  # fields never exported (secrets such as password hashes)


_registry: dict[type[models.Model], Entry] = {}


def register(model, *, rows, erase=None, exclude=()):
    _registry[model] = Entry(model=model, rows=rows, erase=erase, exclude=tuple(exclude))


def registered_models() -> set[type[models.Model]]:
    return set(_registry)


def _row_dict(obj, exclude) -> dict:
    data = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields])
    for name in exclude:
        data.pop(name, None)
    return data


def export_user_data(user) -> dict:
    """Everything stored about `user`, keyed by model label, as JSON-safe data."""
    data = {"exported_at": timezone.now(), "records": {}}
    for entry in _registry.values():
        rows = [_row_dict(obj, entry.exclude) for obj in entry.rows(user)]
        if rows:
            data["records"][entry.model._meta.label] = rows
    return data


def export_json(user) -> str:
    import json

    return json.dumps(export_user_data(user), cls=DjangoJSONEncoder, indent=2, default=str)


def _scrub_admin_log(user) -> None:
    """Admin log entries *about* the person's rows keep their history but lose the words."""
    for entry in _registry.values():
        if entry.model is LogEntry:
            continue
        ids = [str(pk) for pk in entry.rows(user).values_list("pk", flat=True)]
        if ids:
            content_type = ContentType.objects.get_for_model(entry.model)
            LogEntry.objects.filter(content_type=content_type, object_id__in=ids).update(
                object_repr=ERASED, change_message=""
            )


@transaction.atomic
def erase_user(user) -> None:
    """Remove or anonymise the user's personal data everywhere, then the user."""
    _scrub_admin_log(user)
    for entry in _registry.values():
        rows = entry.rows(user)
        if entry.erase is None:
            rows.delete()
        else:
            entry.erase(rows)
    user.delete()


def register_builtin() -> None:
    """The user itself and the framework models that point at it."""
    from allauth.account.models import EmailAddress

    from accounts.models import Session, User

    register(
        User,
        rows=lambda u: User.objects.filter(pk=u.pk),
        erase=lambda qs: None,
        exclude=("password", "user_permissions"),
    )
    register(EmailAddress, rows=lambda u: EmailAddress.objects.filter(user=u))
    register(Session, rows=lambda u: Session.objects.filter(user=u), exclude=("session_data",))
    # Entries the person made in the admin go with them (the foreign key cascades); entries
    # *about* their rows are scrubbed by _scrub_admin_log above.
    register(LogEntry, rows=lambda u: LogEntry.objects.filter(user=u))
