"""Related rows fetched inside their parent's own query, as JSON, on PostgreSQL and SQLite alike.

`prefetch_related` costs one round trip per relation. For a page that shows one object with a
few short lists (the volunteer profile), `related_rows()` adds each list to the parent's query as
a correlated subquery aggregated into a JSON array, and `install()` turns those arrays back into
model instances in the prefetch cache, so `obj.relation.all()` answers without a query exactly
as after `prefetch_related`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject


class JSONArrayAgg(models.Aggregate):
    """A JSON array of the aggregated values (jsonb on PostgreSQL, so Django decodes it)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)

    def as_mysql(self, compiler, connection, **extra_context):  # pragma: no cover
        return super().as_sql(compiler, connection, function="JSON_ARRAYAGG", **extra_context)


def _fields(model):
    return list(model._meta.concrete_fields)


def related_rows(relation, *, joins=(), outer="pk"):
    """A subquery annotation: the rows of the reverse foreign key `relation` (a manager
    descriptor such as `Donor.donor_skills`) as a JSON array, each with every concrete field of
    the related model and of each forward foreign key named in `joins` (e.g. "skill",
    "skill__category"). `outer` names the outer query's column holding the parent's key."""
    model = relation.rel.related_model
    values = {f"{f.attname}": F(f.attname) for f in _fields(model)}
    for path in joins:
        target = _model_at(model, path)
        prefix = path.replace("__", "_") + "__"
        values |= {prefix + f.attname: F(f"{path}__{f.attname}") for f in _fields(target)}
    rows = (
        model._base_manager.filter(**{relation.field.name: OuterRef(outer)})
        .order_by()
        .values(relation.field.name)
        .annotate(rows=JSONArrayAgg(JSONObject(**values)))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def _model_at(model, path):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _instance(model, row, prefix, db):
    fields = _fields(model)
    values = [_python(f, row[prefix + f.attname]) for f in fields]
    return model.from_db(db, [f.attname for f in fields], values)


def _python(field, value):
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(value, datetime.datetime) and settings.USE_TZ and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)  # SQLite keeps UTC without an offset
    return value


def install(obj, relation, rows, *, joins=(), order=None):
    """Put the decoded `rows` (from `related_rows`) in obj's prefetch cache for `relation`,
    with the joined objects attached, sorted by `order` (a key function) when given."""
    model = relation.rel.related_model
    db = obj._state.db
    instances = []
    for row in rows or ():
        instance = _instance(model, row, "", db)
        for path in joins:
            parent, _, name = path.rpartition("__")
            holder = instance
            for step in parent.split("__") if parent else ():
                holder = getattr(holder, step)
            target = _instance(_model_at(model, path), row, path.replace("__", "_") + "__", db)
            setattr(holder, name, target)
        setattr(instance, relation.field.name, obj)
        instances.append(instance)
    if order is not None:
        instances.sort(key=order)
    manager = getattr(obj, relation.rel.get_accessor_name())
    queryset = manager.get_queryset()
    queryset._result_cache = instances
    queryset._prefetch_done = True
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[relation.field.remote_field.cache_name] = queryset
