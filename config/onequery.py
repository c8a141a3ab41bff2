"""Related rows fetched inside their parent's own query, as JSON, on PostgreSQL and SQLite alike.

`prefetch_related` costs one round trip per relation. For a page that shows one object with a
few short lists (the volunteer profile), `related_rows()` adds each list to the parent's query as
a correlated subquery aggregated into a JSON array, and `install()` turns those arrays back into
model instances in the prefetch cache, so `obj.relation.all()` answers without a query exactly
as after `prefetch_related`. `Compiled` keeps such a query's SQL, compiled once per process.
"""

import datetime
import hashlib
import json
import re
import weakref

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONArray
from django.db.models.query import get_related_populators


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


def related_rows(relation, *, joins=(), outer="pk", nested=None):
    """A subquery annotation: the rows of the reverse foreign key `relation` (a manager
    descriptor such as `Donor.donor_skills`) as a JSON array, each row an array of every
    concrete field of the related model and of each forward foreign key named in `joins` (e.g.
    "skill", "skill__category"), in that order. `outer` names the outer query's column holding
    the parent's key. `nested` ends each row with {name: another related_rows() whose `outer`
    is a column of these rows}. Arrays, not objects: their keys would be a query parameter
    each, and sending and parsing a hundred of them cost a third of the profile's query."""
    model = relation.rel.related_model
    values = [F(f"{path}__{f.attname}" if path else f.attname) for path, f in _layout(model, joins)]
    values += list((nested or {}).values())
    rows = (
        model._base_manager.filter(**{relation.field.name: OuterRef(outer)})
        .order_by()
        .values(relation.field.name)
        .annotate(rows=JSONArrayAgg(JSONArray(*values)))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def _layout(model, joins):
    """(join path, field) for each value of a row: the model's fields, then each join's."""
    return [("", f) for f in _fields(model)] + [
        (path, f) for path in joins for f in _fields(_model_at(model, path))
    ]


def _model_at(model, path):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _python(field, value):
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(value, datetime.datetime) and settings.USE_TZ and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)  # SQLite keeps UTC without an offset
    return value


def related_instances(relation, rows, *, joins=(), nested=(), db=DEFAULT_DB_ALIAS) -> list:
    """The decoded `rows` (from `related_rows`) as instances of the related model, with the
    joined objects attached (the parent is not: see install) and each `nested` value (named as
    in related_rows) as an attribute."""
    model = relation.rel.related_model
    if isinstance(rows, str):  # nested in another array on SQLite, the JSON comes as text
        rows = json.loads(rows)
    layout = _layout(model, joins)
    made = []
    for row in rows or ():
        parts = {}
        for (path, field), value in zip(layout, row, strict=False):
            parts.setdefault(path, ([], []))
            parts[path][0].append(field.attname)
            parts[path][1].append(_python(field, value))
        instance = model.from_db(db, *parts[""])
        for path in joins:
            parent, _, name = path.rpartition("__")
            holder = instance
            for step in parent.split("__") if parent else ():
                holder = getattr(holder, step)
            setattr(holder, name, _model_at(model, path).from_db(db, *parts[path]))
        for name, value in zip(nested, row[len(layout) :], strict=True):
            setattr(instance, name, value)
        made.append(instance)
    return made


def install(obj, relation, rows, *, joins=(), order=None):
    """Put the decoded `rows` (from `related_rows`) in obj's prefetch cache for `relation`,
    with the joined objects attached, sorted by `order` (a key function) when given."""
    made = related_instances(relation, rows, joins=joins, db=obj._state.db)
    for instance in made:
        setattr(instance, relation.field.name, obj)
    if order is not None:
        made.sort(key=order)
    manager = getattr(obj, relation.rel.get_accessor_name())
    queryset = manager.get_queryset()
    queryset._result_cache = made
    queryset._prefetch_done = True
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[relation.field.remote_field.cache_name] = queryset


# The statements prepared on each driver connection, by name (shared: equal SQL, one name).
_PREPARED = weakref.WeakKeyDictionary()


class Compiled:
    """A queryset of one value (a user's id), compiled to SQL once per process and database.

    Compiling the profile's query (JSON subqueries, joins) costs more in Python than running it,
    and its SQL differs from one person to the next only in that value: it is compiled for a
    stand-in value once, and each call puts its own value in that parameter's places. On
    PostgreSQL the statement is also prepared once per connection (planning it took as long
    as running it); DATABASE_PREPARED_STATEMENTS=false turns that off (behind a transaction
    pooler such as PgBouncer). `rows()` gives the rows as the database sends them (what a
    cache keyed by content can compare); `instances()` makes of them the model instances the
    queryset itself would have made. A query of no value (`queryset_for` ignores it, as for a
    filter's choices) is compiled as it is, and `rows()` is called without one.
    """

    def __init__(self, queryset_for):
        self._queryset_for = queryset_for
        self._compiled = {}

    def _compile(self, using):
        if using not in self._compiled:
            compiler = self._queryset_for(-1).query.get_compiler(using)
            sql, params = compiler.as_sql()
            other_sql, others = self._queryset_for(-2).query.get_compiler(using).as_sql()
            if other_sql != sql or len(others) != len(params):
                raise ValueError("Compiled needs a queryset whose SQL only differs by the value")
            # Where the two stand-ins differ are the value's places; nothing else may differ.
            places = {
                n for n, pair in enumerate(zip(params, others, strict=True)) if len(set(pair)) > 1
            }
            self._compiled[using] = (compiler, sql, tuple(params), places)
        return self._compiled[using]

    def rows(self, value=None, *, using=DEFAULT_DB_ALIAS) -> list[tuple]:
        _, sql, params, places = self._compile(using)
        params = tuple(value if n in places else param for n, param in enumerate(params))
        connection = connections[using]
        prepare = connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS
        if prepare:
            connection.ensure_connection()
            prepared = _PREPARED.setdefault(connection.connection, set())
            name, sql = self._prepared_sql(sql, len(params), prepared)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if prepare:
            prepared.add(name)  # a PREPARE outlives a rolled-back transaction: kept anyway
        return rows

    @staticmethod
    def _prepared_sql(sql, count, prepared) -> tuple[str, str]:
        """The statement's name and its EXECUTE, preceded the first time on this connection by
        its PREPARE (in the same call, so that it counts as the one query it is)."""
        name = "kd_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
        execute = f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
        if name in prepared:
            return name, execute
        numbers = iter(range(1, count + 1))
        body = re.sub("%[s%]", lambda m: f"${next(numbers)}" if m[0] == "%s" else "%%", sql)
        return name, f"PREPARE {name} AS {body}; {execute}"

    def instances(self, rows, *, using=DEFAULT_DB_ALIAS) -> list:
        """As Django's ModelIterable: the model, its select_related objects, its annotations."""
        compiler = self._compile(using)[0]
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        instances = []
        for row in compiler.results_iter(results=[rows]):
            instance = klass_info["model"].from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
