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
        return cursor.fetchall()


def update_rows(model, fields: list[str], rows: list[tuple], batch_size: int = 2000) -> int:
    """Set ``fields`` of many rows, each ``(pk, value, …)``, one statement per batch.

    ``bulk_update`` writes a ``CASE WHEN`` per field and row, which the database parses and
    evaluates row by row; this joins a ``VALUES`` list instead (PostgreSQL and SQLite ≥
    3.33 both take ``UPDATE … FROM``). Values are converted as Django would store them.
    """
    if not rows:
        return 0
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    postgres = connection.vendor == "postgresql"
    mark = "({})".format(
        ", ".join(f"CAST(%s AS {f.db_type(connection)})" if postgres else "%s" for f in columns)
    )
    names = ", ".join(f'"{f.column}"' for f in columns)
    assign = ", ".join(f'"{f.column}" = v."{f.column}"' for f in columns[1:])
    table, pk = meta.db_table, meta.pk.column
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = [
                f.get_db_prep_save(value, connection)
                for row in batch
                for f, value in zip(columns, row, strict=True)
            ]
            cursor.execute(
                f"WITH v ({names}) AS (VALUES {', '.join([mark] * len(batch))}) "
                f'UPDATE "{table}" SET {assign} FROM v WHERE "{table}"."{pk}" = v."{pk}"',
                params,
            )
            updated += cursor.rowcount
    return updated
