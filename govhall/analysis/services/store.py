"""Where the analysis store lives and how to query it.

Parquet files, hive-style partitioned by month (local, Asia/Shanghai) and city, under
``GOVHALL_ANALYSIS_DIR`` (default ``<var>/analysis``)::

    records/month=2026-10/city=440100/part-<first id>-<last id>-0.parquet
    cases/month=2026-10/city=440100/cases.parquet

Any engine that reads hive-partitioned Parquet reads it as it is: DuckDB here
(``connect``), Spark or Trino where the data outgrows one machine (docs/analysis.md).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

RECORDS, CASES = "records", "cases"

# Column types of each dataset (an empty store still answers queries with them).
SCHEMAS = {
    RECORDS: {
        "id": "BIGINT",
        "record_id": "VARCHAR",
        "case_number": "VARCHAR",
        "implementation_code": "VARCHAR",
        "message_type": "VARCHAR",
        "event": "VARCHAR",
        "occurred_at": "TIMESTAMPTZ",
        "region_code": "VARCHAR",
        "department_code": "VARCHAR",
        "case_type": "VARCHAR",
        "channel": "VARCHAR",
        "visits": "SMALLINT",
        "source": "VARCHAR",
        "applicant_key": "VARCHAR",
        "month": "VARCHAR",
        "city": "VARCHAR",
    },
    CASES: {
        "case_number": "VARCHAR",
        "implementation_code": "VARCHAR",
        "item_name": "VARCHAR",
        "source": "VARCHAR",
        "region_code": "VARCHAR",
        "level": "VARCHAR",
        "department_code": "VARCHAR",
        "item_type": "VARCHAR",
        "case_type": "VARCHAR",
        "channel": "VARCHAR",
        "applied_at": "TIMESTAMPTZ",
        "accepted_at": "TIMESTAMPTZ",
        "concluded_at": "TIMESTAMPTZ",
        "closed_event": "VARCHAR",
        "visits": "SMALLINT",
        "steps": "SMALLINT",
        "month": "VARCHAR",
        "city": "VARCHAR",
    },
}


def root() -> Path:
    configured = getattr(settings, "GOVHALL_ANALYSIS_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "analysis"


def dataset(name: str) -> Path:
    return root() / name


def city_of(region_code: str) -> str:
    """The prefecture-level city a region code lies in (its first four digits + 00)."""
    return (region_code[:4] + "00") if len(region_code) >= 4 else (region_code or "000000")


def connect(directory: Path | None = None):
    """A DuckDB connection with one view per dataset (``records``, ``cases``) over the
    store's Parquet files, partition columns ``month`` and ``city`` as text; a dataset
    with no file yet is an empty view of the same columns. Every file of a dataset has
    the exporter's one schema, so the view reads the schema of one file, not of all
    (``union_by_name`` would open every file at each query)."""
    import duckdb

    base = Path(directory) if directory else root()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for name, columns in SCHEMAS.items():
        if next((base / name).glob("month=*/city=*/*.parquet"), None):
            pattern = str(base / name / "month=*" / "city=*" / "*.parquet").replace("'", "''")
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern}', "
                "hive_partitioning = true, hive_types = {'month': VARCHAR, 'city': VARCHAR})"
            )
        else:
            typed = ", ".join(
                f"CAST(NULL AS {kind}) AS {column}" for column, kind in columns.items()
            )
            con.execute(f"CREATE VIEW {name} AS SELECT {typed} WHERE false")
    return con
