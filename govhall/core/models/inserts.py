"""One-row inserts whose statement is compiled once per process.

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
ORM's own path.
"""

from __future__ import annotations

from django.db import connections
from django.db.models.sql import InsertQuery

# (model, database alias, columns, returned columns) -> the INSERT's SQL text
_statements: dict[tuple, str] = {}


class CompiledInsert:
    """Model mixin: ``save()`` of a new row reuses this process's compiled INSERT."""

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        connection = connections[using]
        fast = not raw and (
            not returning_fields or connection.features.can_return_columns_from_insert
        )
        values = []
        if fast:
            for field in fields:
                value = field.pre_save(self, True)
                if hasattr(value, "resolve_expression") or hasattr(field, "get_placeholder"):
                    fast = False
                    break
                values.append(field.get_db_prep_save(value, connection=connection))
        if fast:
            key = (type(self), using, tuple(fields), tuple(returning_fields or ()))
            sql = _statements.get(key)
            if sql is None:
                sql = _statements[key] = _compiled(self, using, fields, returning_fields, values)
            fast = bool(sql)
        if not fast:
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            if not returning_fields:
                return []
            return [connection.ops.fetch_returned_insert_columns(cursor, ())]


def _compiled(instance, using: str, fields, returning_fields, values: list) -> str:
    """The ORM's own statement for this insert, or "" when it cannot be reused as it is:
    its parameters are not ``values`` one for one, or the returned columns need
    converting (the ORM's path does both)."""
    query = InsertQuery(type(instance))
    # raw: the values ``pre_save`` has set already (a second call would move auto_now).
    query.insert_values(fields, [instance], raw=True)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returning_fields
    [(sql, params)] = compiler.as_sql()
    returned = [f.get_col(type(instance)._meta.db_table) for f in returning_fields or ()]
    if len(params) != len(values) or compiler.returning_params or compiler.get_converters(returned):
        return ""
    return sql


def clear() -> None:
    """Forget the compiled statements (tests that change a model's table)."""
    _statements.clear()
