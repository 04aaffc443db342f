"""Bulk loading for the data generators: the database takes one batch while Python
builds the next."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection


def load_in_thread(
    load: Callable[[Iterator[Any]], None],
    batches: Iterable[Any],
    *,
    name: str,
    interrupted: Callable[[], BaseException],
) -> None:
    """Run ``load(incoming_batches)`` on its own connection in a thread (psycopg releases
    the GIL while it waits) and feed it ``batches``. If generating fails or is
    interrupted, ``load`` sees ``interrupted()`` raised inside it, so its transaction
    rolls back rather than commits what it has; a failure in ``load`` is re-raised here."""
    pending: queue.Queue = queue.Queue(maxsize=2)
    errors: list[BaseException] = []
    abort = object()
    ended: list[object] = []  # the end marker, once the writer has taken it

    def incoming():
        while True:
            batch = pending.get()
            if batch is None or batch is abort:
                ended.append(batch)
                if batch is abort:
                    raise interrupted()
                return
            yield batch

    def run():
        try:
            load(incoming())
        except BaseException as exc:  # re-raised in the generating thread
            errors.append(exc)
            while not ended:  # unblock the producer until it sends its end marker
                if pending.get() in (None, abort):
                    break
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    end = abort
    try:
        for batch in batches:
            if errors:
                break
            pending.put(batch)
        end = None
    finally:
        pending.put(end)
        thread.join()
    if errors:
        raise errors[0]


def secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on ``tables`` that no constraint needs
    (PostgreSQL): the ones a bulk load may drop and build again at the end."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))
                      ::regclass
                  AND c.contype IN ('p', 'u', 'x'))
            ORDER BY i.indexname
            """,
            [list(tables)],
        )
        # A partitioned table's index reads "ON ONLY parent": built again as it reads, it
        # would cover no partition; without ONLY it is built on every partition.
        return [(name, d.replace(" ON ONLY ", " ON ", 1)) for name, d in cursor.fetchall()]


def update_rows(model, fields: list[str], rows: list[tuple], batch_size: int = 2000) -> int:
    """Set ``fields`` of many rows, each ``(pk, value, …)``, one statement per batch;
    returns how many rows were updated.

    ``bulk_update`` writes a ``CASE WHEN`` per field and row, which the database parses and
    evaluates row by row; this joins the new values instead (``UPDATE … FROM``). Values are
    converted as Django would store them, except the types it sends unchanged
    (``_PASSED_AS_IS``, and dates on PostgreSQL). On PostgreSQL the values come as one
    array per column (``unnest``): a ``VALUES`` list of 2,000 rows took most of each
    statement's time to parse, and an array names its type once. The keys are also
    given as ``= ANY``: without it the planner may join the rows by hash to a scan of the
    whole table — per batch (2,000 rows of a 1,000,000-row table: 99.8 % of the
    statement's reads). SQLite (≥ 3.33) joins a ``VALUES`` list.
    """
    return len(_update(model, fields, rows, batch_size, None))


def update_rows_unchanged(
    model, fields: list[str], rows: list[tuple], expect: str, batch_size: int = 2000
) -> set:
    """``update_rows`` of the rows whose field ``expect`` still has the value it had when
    read, each row ``(pk, value, …, expected)``; returns the keys of the rows written.

    The check is the ``UPDATE``'s own condition, so a row is checked and locked in one
    step (PostgreSQL re-checks a row a concurrent transaction changed, once it commits);
    the caller decides what to do with the rest (SQLite ≥ 3.35: ``RETURNING``)."""
    return set(_update(model, fields, rows, batch_size, expect))


def _update(model, fields: list[str], rows: list[tuple], batch_size: int, expect) -> list:
    if not rows:
        return []
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    if expect:
        columns.append(meta.get_field(expect))
    postgres = connection.vendor == "postgresql"
    as_is = _PASSED_AS_IS | (_DATES if postgres else frozenset())
    convert = [(i, f) for i, f in enumerate(columns) if f.get_internal_type() not in as_is]
    names = [f'"{f.column}"' for f in columns]
    if expect:
        names[-1] = '"expected"'
    assign = ", ".join(f'"{f.column}" = v."{f.column}"' for f in columns[1 : len(fields) + 1])
    table, pk = meta.db_table, meta.pk.column
    update = f'UPDATE "{table}" SET {assign} FROM v WHERE "{table}"."{pk}" = v."{pk}"'
    if expect:
        update += f' AND "{table}"."{columns[-1].column}" = v."expected"'
    returning = f' RETURNING "{table}"."{pk}"'
    if postgres:
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
        update += f' AND "{table}"."{pk}" = ANY(%s::{meta.pk.db_type(connection)}[])'
        sql = f"WITH v ({', '.join(names)}) AS (SELECT * FROM unnest({arrays})) {update}"
        sql += returning
    mark = "({})".format(", ".join(["%s"] * len(columns)))
    written = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            if convert:
                batch = [_prepared(row, convert) for row in batch]
            if postgres:
                params = [list(column) for column in zip(*batch, strict=True)]
                params.append(params[0])
            else:
                params = [value for row in batch for value in row]
                values = ", ".join([mark] * len(batch))
                sql = f"WITH v ({', '.join(names)}) AS (VALUES {values}) {update}{returning}"
            cursor.execute(sql, params)
            written += [row[0] for row in cursor.fetchall()]
    return written


def _prepared(row: tuple, convert: list) -> tuple:
    values = list(row)
    for i, field in convert:
        values[i] = field.get_db_prep_save(values[i], connection)
    return values


# Field types whose Python values (str, int, bool, None) Django sends to both databases
# unchanged, so ``ModelRows`` need not convert them row by row.
_PASSED_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)
# … and on PostgreSQL dates and (aware) datetimes too: its adapters take them as they are.
_DATES = frozenset({"DateField", "DateTimeField"})


class ModelRows:
    """Rows of one model inserted a batch at a time: ``COPY`` on PostgreSQL, one
    ``executemany`` elsewhere — the ORM's per-object and per-value cost (``bulk_create``)
    dominates a load of millions of rows otherwise.

    The columns are the model's own: ``varying`` names (attnames) the ones given per
    row, every other concrete field takes its value from a prototype instance
    (``constants``), converted once as Django would store it on insert — defaults,
    ``auto_now`` stamps and JSON included. An auto primary key left out of ``varying``
    is assigned by the database. No signals are sent, no ``save()`` runs, like
    ``bulk_create``.
    """

    def __init__(self, model: type, varying: list[str]):
        from django.db.models.fields import AutoFieldMixin

        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = set(varying) - set(fields)
        if unknown:
            raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
        self.model = model
        self.varying = [fields[name] for name in varying]
        self.constant = [
            f
            for name, f in fields.items()
            if name not in varying and not (f.primary_key and isinstance(f, AutoFieldMixin))
        ]
        self._convert = [
            (i, f) for i, f in enumerate(self.varying) if f.get_internal_type() not in _PASSED_AS_IS
        ]
        quote = connection.ops.quote_name
        columns = [*self.varying, *self.constant]
        names = ", ".join(quote(f.column) for f in columns)
        table = quote(meta.db_table)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        marks = ", ".join(["%s"] * len(columns))
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"

    def constants(self, instance) -> tuple:
        """The non-varying column values of ``instance``, as an insert would store them."""
        return tuple(
            f.get_db_prep_save(f.pre_save(instance, True), connection) for f in self.constant
        )

    def write(self, rows: list[tuple]) -> int:
        """Insert ``rows``, each the varying values in order followed by a ``constants()``
        tuple, in the caller's transaction."""
        if not rows:
            return 0
        if self._convert:
            rows = [self._converted(row) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, rows)
        return len(rows)

    def _converted(self, row: tuple) -> tuple:
        values = list(row)
        for i, field in self._convert:
            values[i] = field.get_db_prep_save(values[i], connection)
        return tuple(values)


def allocate_ids(model: type, count: int) -> list[int]:
    """``count`` primary keys for rows about to be inserted with ``ModelRows`` (so rows
    that refer to each other, both ways, can be written in one pass): taken from the
    table's sequence on PostgreSQL; on SQLite the next ones after the highest ever used
    (the caller's write transaction holds the database, so nobody else takes them)."""
    if count <= 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(meta.db_table), meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT max({quote(meta.pk.column)}) FROM {quote(meta.db_table)}")
        top = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + count))
