"""Monthly partitions of the process-record table (PostgreSQL; SQLite keeps one table).

``records_processrecord`` is partitioned by range of ``occurred_at``, one partition per
month of the hall's time zone (Asia/Shanghai: a month's partition holds exactly the
records the monthly indicators count in it), named ``records_processrecord_y2026m10``,
plus a default partition for the odd record far outside the months created. Records
grow by over a billion a year: indicator queries of one month read one partition, and an
old month leaves the database by detaching its partition (``analysis`` archives it to
Parquet first) instead of a billion-row ``DELETE``.

What partitioning changes, and how the model still works unchanged:

* the primary key is ``(id, occurred_at)`` and ``record_id`` is unique with
  ``occurred_at`` — a partitioned table's unique keys must hold the partition key.
  Django still reads ``id`` as the key: ids come from one sequence, so they stay unique,
  and the exchange's idempotence on ``record_id`` (looked up before writing) is kept; a
  re-pushed record carries the same ``occurred_at`` and still meets the constraint;
* no foreign key can point at ``id`` alone, so the outbox's reference to its record is
  kept by Django (``on_delete`` is emulated there anyway), not by the database;
* ``id`` defaults to ``nextval`` of a sequence owned by the column (PostgreSQL 15 has no
  identity column on a partitioned table).

``ensure_months`` creates partitions ahead (the ``create_record_partitions`` job) and one
for every month the default partition has rows of, moving those rows into it.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

TABLE = "records_processrecord"
DEFAULT = f"{TABLE}_default"
SEQUENCE = f"{TABLE}_pk_seq"
AHEAD = 3  # months created ahead of the current one
ZONE = "+08"  # Asia/Shanghai, no DST since 1991
N_DISTINCT_CASES = -0.16  # one case per six-odd records (cases.0004)


def first_of(month: datetime.date) -> datetime.date:
    return month.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def name_of(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def bounds(month: datetime.date) -> tuple[str, str]:
    start, end = first_of(month), next_month(month)
    return f"{start:%Y-%m-%d} 00:00:00{ZONE}", f"{end:%Y-%m-%d} 00:00:00{ZONE}"


def is_partitioned(cursor=None) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as own:
        cur = cursor or own
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cur.fetchone()
    return bool(row and row[0] == "p")


def months() -> list[datetime.date]:
    """The months that have a partition, oldest first."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        suffix = name[len(TABLE) + 1 :]
        if len(suffix) == 8 and suffix[0] == "y" and suffix[5] == "m":
            found.append(datetime.date(int(suffix[1:5]), int(suffix[6:8]), 1))
    return sorted(found)


def create_month(cursor, month: datetime.date) -> bool:
    """Create the month's partition unless it exists; rows of the month that the default
    partition holds move into it. Returns whether it was created."""
    name = name_of(month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return False
    start, end = bounds(month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DEFAULT])
    has_default = cursor.fetchone()[0]
    moved = False
    if has_default:
        cursor.execute(f"CREATE TEMP TABLE partition_moving (LIKE {DEFAULT})")
        cursor.execute(
            f"WITH gone AS (DELETE FROM {DEFAULT} WHERE occurred_at >= %s AND occurred_at < %s "
            f"RETURNING *) INSERT INTO partition_moving SELECT * FROM gone",
            [start, end],
        )
        moved = True
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{start}') TO ('{end}')"
    )
    cursor.execute(
        f"ALTER TABLE {name} ALTER COLUMN case_number SET (n_distinct = {N_DISTINCT_CASES})"
    )
    if moved:
        cursor.execute(f"INSERT INTO {name} SELECT * FROM partition_moving")
        cursor.execute("DROP TABLE partition_moving")
    return True


def ensure_months(
    today: datetime.date | None = None, ahead: int = AHEAD, since: datetime.date | None = None
) -> list[datetime.date]:
    """Partitions from ``since`` (default: this month) to ``ahead`` months after this one;
    returns the months created. Nothing on a database without partitioning."""
    if not is_partitioned():
        return []
    today = today or datetime.date.today()
    month = first_of(since or today)
    last = first_of(today)
    for _ in range(ahead):
        last = next_month(last)
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        while month <= last:
            if create_month(cursor, month):
                created.append(month)
            month = next_month(month)
        # Months that reached the default partition (a late push, a restore): each gets
        # its own partition, and its rows move there.
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'Asia/Shanghai')::date "
            f"FROM {DEFAULT}"
        )
        for (stray,) in sorted(cursor.fetchall()):
            if create_month(cursor, stray):
                created.append(stray)
    return sorted(created)


def count(month: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {name_of(month)}")
        return cursor.fetchone()[0]


def detach(cursor, month: datetime.date, *, drop: bool) -> str:
    """Detach the month's partition; drop it, or keep it as a plain table named
    ``…_archived_y2026m10`` (returned) that no query of the model reads."""
    name = name_of(month)
    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
    if drop:
        cursor.execute(f"DROP TABLE {name}")
        return ""
    kept = name.replace(f"{TABLE}_", f"{TABLE}_archived_", 1)
    cursor.execute(f"ALTER TABLE {name} RENAME TO {kept}")
    return kept


def set_parent_statistics(cursor) -> None:
    """The distinct-count ratio of case numbers on the partitioned parent too. A parent's
    statistics are "inherited" ones (gathered over all partitions), which read
    ``n_distinct_inherited``, not ``n_distinct``: without it the planner takes the
    sample's count (60,802 of 182,179 cases at 1,000,000 records) when it plans a join
    of the whole table on ``case_number``."""
    for option in ("n_distinct", "n_distinct_inherited"):
        cursor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN case_number SET ({option} = {N_DISTINCT_CASES})"
        )


# The layout change itself: the migration runs it where the deployment asks for
# partitions (GOVHALL_RECORDS_PARTITIONED), ``manage.py partition_records`` later.

INDEXES = [
    f"CREATE INDEX record_case_number ON {TABLE} (case_number)",
    f"CREATE INDEX record_region_time ON {TABLE} (region_code, occurred_at)",
    f"CREATE INDEX record_conclusions ON {TABLE} (occurred_at) "
    "INCLUDE (case_number, implementation_code, region_code) WHERE event = 'conclude'",
    f"CREATE INDEX records_processrecord_occurred_at ON {TABLE} (occurred_at)",
]


def _foreign_keys(cursor, table):
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = to_regclass(%s)",
        [table],
    )
    return cursor.fetchall()


def partition(cursor) -> bool:
    """Rebuild the flat table as the partitioned one (rows, indexes and sequence kept);
    False when it is partitioned already. Runs in the caller's transaction."""
    if is_partitioned(cursor):
        return False
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    for table, name in _foreign_keys(cursor, TABLE):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_flat")
    cursor.execute(f"SELECT min(occurred_at), max(id) FROM {TABLE}_flat")
    first, last_id = cursor.fetchone()
    # The sequence survives an earlier backwards run, owned by the flat table's id:
    # released here so dropping that table keeps it.
    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY NONE")
    if last_id:
        cursor.execute("SELECT setval(%s, %s)", [SEQUENCE, last_id])
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {TABLE}_flat INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
        "PRIMARY KEY (id, occurred_at), "
        f"CONSTRAINT {TABLE}_record_id_month_key UNIQUE (record_id, occurred_at)) "
        "PARTITION BY RANGE (occurred_at)"
    )
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}')")
    cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
    set_parent_statistics(cursor)
    cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
    today = datetime.date.today()
    since = first.date() if first else today
    month = first_of(min(since, today))
    last = first_of(today)
    for _ in range(AHEAD):
        last = next_month(last)
    while month <= last:
        create_month(cursor, month)
        month = next_month(month)
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_flat")
    cursor.execute(f"DROP TABLE {TABLE}_flat")
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for statement in INDEXES:
        cursor.execute(statement)
    return True


def unpartition(cursor) -> bool:
    """Back to one plain table (rows, indexes, the outbox's foreign key); False when it is
    one table already."""
    if not is_partitioned(cursor):
        return False
    cursor.execute(
        f"CREATE TABLE {TABLE}_flat (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    cursor.execute(f"INSERT INTO {TABLE}_flat SELECT * FROM {TABLE}")
    cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY NONE")
    cursor.execute(f"DROP TABLE {TABLE} CASCADE")
    cursor.execute(f"ALTER TABLE {TABLE}_flat RENAME TO {TABLE}")
    cursor.execute(
        f"ALTER TABLE {TABLE} ALTER COLUMN case_number SET (n_distinct = {N_DISTINCT_CASES})"
    )
    cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
    cursor.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)")
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_record_id_key UNIQUE (record_id)")
    for statement in INDEXES:
        cursor.execute(statement)
    cursor.execute(
        f"ALTER TABLE records_outboxmessage ADD CONSTRAINT records_outboxmessage_record_fk "
        f"FOREIGN KEY (record_id) REFERENCES {TABLE} (id) DEFERRABLE INITIALLY DEFERRED"
    )
    return True
