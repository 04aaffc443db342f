"""Inserts whose statement is compiled once per process.

``save()`` of a new row builds an ``InsertQuery`` and compiles it into the same SQL text
every time: a quarter to a third of the Python cost of a narrow row's insert, more for a
wide one (a case has 60 columns). The rows an application writes (the application, its
idempotency key, the case, its first task, the process record and its outbox row, the
notification, the audit entry) are inserted on every submission, so their models keep
the statement text per column list and database and only convert the values.

Everything else is ``save()`` as before — signals, primary key defaults, related
objects, ``auto_now_add`` through each field's ``pre_save`` — since only ``_do_insert``
(the step after them) is replaced. A value that is an expression, a field with its own
placeholder, or a backend that cannot return the new key from the insert takes the
ORM's own path. ``CompiledInsertQuerySet`` does the same for ``bulk_create`` (an
application's materials, all in one statement).
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import InsertQuery

# (model, database alias, columns, returned columns, rows) -> (the INSERT's SQL text, by column)
_statements: dict[tuple, tuple] = {}


class CompiledInsert:
    """Model mixin: ``save()`` of a new row reuses this process's compiled INSERT."""

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        if raw:
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        done = _insert(type(self), [self], using, fields, returning_fields)
        if done is None:
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        return done


class CompiledInsertQuerySet(QuerySet):
    """``bulk_create`` reusing this process's compiled multi-row INSERT (one statement
    text per number of rows, as the ORM batches them); everything before the insert —
    primary key defaults, related objects' checks, batching — and after it (returned keys
    set, rows marked saved) is ``bulk_create``'s own."""

    def _insert(self, objs, fields, returning_fields=None, raw=False, using=None, **conflict):
        if raw or any(conflict.values()):
            return super()._insert(objs, fields, returning_fields, raw, using, **conflict)
        self._for_write = True
        done = _insert(self.model, objs, using or self.db, fields, returning_fields)
        if done is None:
            return super()._insert(objs, fields, returning_fields, raw, using, **conflict)
        return done


def _insert(model, objs: list, using: str, fields, returning_fields) -> list | None:
    """Insert ``objs`` by the compiled statement: the returned columns' rows (one per
    object), or None when the ORM's own path must take it."""
    connection = connections[using]
    returning = bool(returning_fields)
    if returning and not (
        connection.features.can_return_rows_from_bulk_insert
        if len(objs) > 1
        else connection.features.can_return_columns_from_insert
    ):
        return None
    rows = []
    for obj in objs:
        row = []
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression") or hasattr(field, "get_placeholder"):
                return None
            row.append(field.get_db_prep_save(value, connection=connection))
        rows.append(row)
    key = (model, using, tuple(fields), tuple(returning_fields or ()), len(objs))
    compiled = _statements.get(key)
    if compiled is None:
        compiled = _statements[key] = _compiled(model, objs, using, fields, returning_fields, rows)
    if not compiled:
        return None
    sql, by_column = compiled
    # PostgreSQL inserts several rows as ``UNNEST`` of one array per column.
    values = (
        [list(column) for column in zip(*rows, strict=True)]
        if by_column
        else [v for r in rows for v in r]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if not returning:
            return []
        if len(objs) > 1:
            return list(connection.ops.fetch_returned_insert_rows(cursor))
        return [connection.ops.fetch_returned_insert_columns(cursor, ())]


def _compiled(model, objs: list, using: str, fields, returning_fields, rows: list) -> tuple:
    """The ORM's own statement for this insert and whether its parameters are the values
    by column (``UNNEST``) rather than by row; () when it cannot be reused as it is: its
    parameters are not the values one for one, or the returned columns need converting
    (the ORM's path does both)."""
    query = InsertQuery(model)
    # raw: the values ``pre_save`` has set already (a second call would move auto_now).
    query.insert_values(fields, objs, raw=True)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returning_fields
    statements = compiler.as_sql()
    returned = [f.get_col(model._meta.db_table) for f in returning_fields or ()]
    if len(statements) != 1 or compiler.returning_params or compiler.get_converters(returned):
        return ()
    [(sql, params)] = statements
    if _same(list(params), [v for r in rows for v in r]):
        return sql, False
    columns = list(zip(*rows, strict=True))
    if (
        len(rows) > 1
        and len(params) == len(columns)
        and all(_same(list(p), list(c)) for p, c in zip(params, columns, strict=True))
    ):
        return sql, True
    return ()


def _same(params: list, values: list) -> bool:
    """Whether the ORM's parameters are these values one for one. A JSON value reaches
    PostgreSQL wrapped in an adapter (psycopg's ``Jsonb``) made anew by each conversion,
    and adapters compare by identity: the same wrapper type around equal values, dumped by
    the same function, is the same parameter (else no model with a JSON column — the
    application, the case, the process record, the audit entry — would be compiled)."""
    return len(params) == len(values) and all(
        p == v or (_adapted(p) is not None and _adapted(p) == _adapted(v))
        for p, v in zip(params, values, strict=True)
    )


def _adapted(value) -> tuple | None:
    """A database adapter's wrapped value as (type, value, dumps), or None."""
    if type(value).__module__.startswith("psycopg") and hasattr(value, "obj"):
        return type(value), value.obj, getattr(value, "dumps", None)
    return None


def clear() -> None:
    """Forget the compiled statements (tests that change a model's table)."""
    _statements.clear()
