"""The documented example analyses (docs/analysis.md), in DuckDB SQL over the store.

Each takes a connection from ``store.connect`` and returns plain rows, so the same SQL
can be pasted into the DuckDB shell, Spark SQL or Trino (the syntax used is common to
the three, except ``quantile_cont``: ``percentile_approx`` in Spark, ``approx_percentile``
in Trino).
"""

from __future__ import annotations

HANDLING_TIME = """
SELECT implementation_code,
       any_value(item_name) AS item_name,
       level,
       count(*) AS cases,
       round(quantile_cont(days, 0.5), 2) AS p50_days,
       round(quantile_cont(days, 0.9), 2) AS p90_days,
       round(max(days), 2) AS max_days
FROM (
    SELECT implementation_code, item_name, level,
           date_diff('second', applied_at, concluded_at) / 86400.0 AS days
    FROM cases
    WHERE concluded_at IS NOT NULL AND applied_at IS NOT NULL AND closed_event = 'conclude'
      AND month BETWEEN ? AND ?
)
GROUP BY implementation_code, level
ORDER BY cases DESC, implementation_code, level
"""

# Per applicant, each application and the next different item applied for within the
# window: "what applicants of item A did next".
NEXT_ITEMS = """
WITH applied AS (
    SELECT applicant_key, implementation_code, min(occurred_at) AS at
    FROM records
    WHERE message_type = '0' AND applicant_key IS NOT NULL
    GROUP BY applicant_key, implementation_code
),
pairs AS (
    SELECT a.implementation_code AS from_code, b.implementation_code AS to_code,
           count(DISTINCT a.applicant_key) AS applicants
    FROM applied a JOIN applied b
      ON a.applicant_key = b.applicant_key
     AND b.at > a.at AND b.at <= a.at + to_days(CAST(? AS INTEGER))
     AND b.implementation_code <> a.implementation_code
    GROUP BY 1, 2
),
base AS (
    SELECT implementation_code, count(DISTINCT applicant_key) AS applicants
    FROM applied GROUP BY 1
)
SELECT p.from_code, p.to_code, p.applicants, b.applicants AS base,
       p.applicants * 1.0 / b.applicants AS share
FROM pairs p JOIN base b ON b.implementation_code = p.from_code
WHERE p.applicants >= ?
ORDER BY p.from_code, share DESC, p.to_code
"""

PROVINCE_MONTH = """
SELECT city,
       count(*) FILTER (WHERE event = 'conclude') AS concluded,
       count(*) FILTER (WHERE event = 'conclude' AND channel IN ('online', 'mobile')) AS online,
       count(*) FILTER (WHERE event = 'conclude' AND visits = 0) AS zero_visits,
       count(*) FILTER (WHERE message_type = '0') AS applied,
       count(*) AS records
FROM records
WHERE month = ?
GROUP BY city
ORDER BY city
"""


def handling_time(con, first_month: str, last_month: str) -> list[tuple]:
    """Handling time (applied → concluded, calendar days) per item and level: cases,
    median, 90th percentile and maximum, for the months ``YYYY-MM`` given."""
    return con.execute(HANDLING_TIME, [first_month, last_month]).fetchall()


def next_items(con, *, within_days: int = 180, min_applicants: int = 1) -> list[tuple]:
    """``(from_code, to_code, applicants, base, share)``: of the ``base`` applicants of
    one item, ``applicants`` applied for the other within ``within_days`` after it."""
    return con.execute(NEXT_ITEMS, [within_days, min_applicants]).fetchall()


def province_month(con, month: str) -> list[tuple]:
    """One month's records per city: conclusions, online ones, zero-visit ones,
    applications and all records (the benchmark's province-month query)."""
    return con.execute(PROVINCE_MONTH, [month]).fetchall()
