"""DDL of the full-text index, per database vendor (used by migration 0002 and tests).

SQLite: FTS5 over the segmented columns of ``search_itemdocument`` (external content, so
the tokens are stored once), triggers keep it in step with every insert, update and
delete — bulk inserts of the benchmark generator included. The ``unicode61`` tokenizer
splits on the spaces our segmenter put in; Chinese words stay whole.

PostgreSQL: a stored generated ``tsvector`` over the same columns with the ``simple``
configuration (no stemming, no stop words: the tokens are already words) and a GIN index.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FTS_TABLE = "search_item_fts"
DOC_TABLE = "search_itemdocument"
COLUMNS = (
    "name_tokens",
    "alias_tokens",
    "body_tokens",
    "name_pinyin",
    "alias_pinyin",
    "facet_tokens",
)

# Rank by BM25 with one weight per column, in the order of COLUMNS: name 10, aliases 6,
# body 1, name pinyin 4, alias pinyin 0; the facet tokens (region, department, theme,
# type, audience) only filter, so they weigh 0 — a column without a weight would weigh 1,
# and the tier and filter terms of a query would then add to the score of every row
# they match (migration 0003 set the facet weight of indexes made before).
WEIGHTS = (10.0, 6.0, 1.0, 4.0, 0.0, 0.0)
RANK = f"bm25({', '.join(map(str, WEIGHTS))})"
RANK_BEFORE_0003 = "bm25(10.0, 6.0, 1.0, 4.0, 0.0)"
# The record of FTS5's row count and column totals (FTS5_AVERAGES_ROWID), and each row's
# column sizes: what bm25 reads besides the phrases (see bm25 below).
SQLITE_AVERAGES = f"SELECT block FROM {FTS_TABLE}_data WHERE id = 1"
SQLITE_DOCSIZE = f"SELECT sz FROM {FTS_TABLE}_docsize WHERE id = {FTS_TABLE}.rowid"

_cols = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {_cols}, content='{DOC_TABLE}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3'
    )""",
    f"""CREATE TRIGGER {DOC_TABLE}_fts_insert AFTER INSERT ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {_cols}) VALUES (new.id, {_new});
    END""",
    f"""CREATE TRIGGER {DOC_TABLE}_fts_delete AFTER DELETE ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_cols}) VALUES ('delete', old.id, {_old});
    END""",
    f"""CREATE TRIGGER {DOC_TABLE}_fts_update AFTER UPDATE ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_cols}) VALUES ('delete', old.id, {_old});
        INSERT INTO {FTS_TABLE}(rowid, {_cols}) VALUES (new.id, {_new});
    END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', '{RANK}')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {DOC_TABLE}_fts_insert",
    f"DROP TRIGGER IF EXISTS {DOC_TABLE}_fts_delete",
    f"DROP TRIGGER IF EXISTS {DOC_TABLE}_fts_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"

# SQLite: a number that every insert, update and delete of an index row moves on (in the
# same transaction), so that a result remembered with it is known to be current while it
# has not moved (engine._remembered_count; created by migration 0004).
GENERATION_TABLE = "search_indexgeneration"
SQLITE_GENERATION_CREATE = [
    f"""CREATE TABLE {GENERATION_TABLE} (
        id integer NOT NULL PRIMARY KEY CHECK (id = 1), value integer NOT NULL
    )""",
    f"INSERT INTO {GENERATION_TABLE} (id, value) VALUES (1, 0)",
    *(
        f"""CREATE TRIGGER {DOC_TABLE}_generation_{event.lower()} AFTER {event} ON {DOC_TABLE}
        BEGIN
            UPDATE {GENERATION_TABLE} SET value = value + 1 WHERE id = 1;
        END"""
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]
SQLITE_GENERATION_DROP = [
    *(f"DROP TRIGGER IF EXISTS {DOC_TABLE}_generation_{e}" for e in ("insert", "update", "delete")),
    f"DROP TABLE IF EXISTS {GENERATION_TABLE}",
]
SQLITE_GENERATION = f"SELECT value FROM {GENERATION_TABLE} WHERE id = 1"

# PostgreSQL: the same number, moved on once per statement that writes index rows (a
# bulk COPY of 10,000 documents moves it once; TRUNCATE, which a flush uses, too). The
# row is locked from a writing statement to its commit, so index writers queue there —
# they are short transactions of their own (``index_item`` runs after the publishing
# commit), and a count read in one statement with the number is one snapshot of both.
POSTGRES_GENERATION_CREATE = [
    f"""CREATE TABLE {GENERATION_TABLE} (
        id integer NOT NULL PRIMARY KEY CHECK (id = 1), value bigint NOT NULL
    )""",
    f"INSERT INTO {GENERATION_TABLE} (id, value) VALUES (1, 0)",
    f"""CREATE FUNCTION {GENERATION_TABLE}_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE {GENERATION_TABLE} SET value = value + 1 WHERE id = 1;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER {DOC_TABLE}_generation
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {DOC_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {GENERATION_TABLE}_move()""",
]
POSTGRES_GENERATION_DROP = [
    f"DROP TRIGGER IF EXISTS {DOC_TABLE}_generation ON {DOC_TABLE}",
    f"DROP FUNCTION IF EXISTS {GENERATION_TABLE}_move()",
    f"DROP TABLE IF EXISTS {GENERATION_TABLE}",
]
GENERATION = SQLITE_GENERATION  # the same query on both

PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(name_tokens, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(alias_tokens, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(name_pinyin, '')), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(alias_pinyin, '')), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body_tokens, '')), 'D')"
)
POSTGRES_CREATE = [
    f"ALTER TABLE {DOC_TABLE} ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX search_itemdocument_vector_gin ON {DOC_TABLE} USING gin (search_vector)",
]
# PostgreSQL: the words (and pinyin) of the name, and of name and aliases, as vectors
# with their own GIN indexes: the strength buckets of the ranking (engine._PostgreSQL)
# are index lookups, so a page reads the rows of the buckets it shows, not every match.
PG_NAME_KEYS = "to_tsvector('simple'::regconfig, d.name_keys)"
PG_KEYS = "to_tsvector('simple'::regconfig, d.name_keys || ' ' || d.alias_keys)"
POSTGRES_STRENGTH_CREATE = [
    f"CREATE INDEX search_itemdocument_name_keys_gin ON {DOC_TABLE} "
    f"USING gin (({PG_NAME_KEYS.replace('d.', '')}))",
    f"CREATE INDEX search_itemdocument_keys_gin ON {DOC_TABLE} "
    f"USING gin (({PG_KEYS.replace('d.', '')}))",
]
POSTGRES_STRENGTH_DROP = [
    "DROP INDEX IF EXISTS search_itemdocument_name_keys_gin",
    "DROP INDEX IF EXISTS search_itemdocument_keys_gin",
]
# PostgreSQL: the name's words with the filter tokens (``rg<region> rp<prefix>…``, see
# indexing.facets), one GIN index: a region tier of the name bucket is then one lookup
# of ``words & 'rg440703'`` — the index intersects the two posting lists — instead of
# the bucket's whole posting list (32,051 rows for 身份证 at 1,000,000 items: 9.4 ms)
# ANDed with the region index (engine._PostgreSQL._tier_where; migration 0006).
PG_NAME_FACETS = "to_tsvector('simple'::regconfig, d.name_keys || ' ' || d.facet_tokens)"
POSTGRES_NAME_FACETS_CREATE = [
    f"CREATE INDEX search_itemdocument_name_facets_gin ON {DOC_TABLE} "
    f"USING gin (({PG_NAME_FACETS.replace('d.', '')}))",
]
POSTGRES_NAME_FACETS_DROP = ["DROP INDEX IF EXISTS search_itemdocument_name_facets_gin"]
# PostgreSQL: the GIN indexes above keep their newest entries in a pending list that
# every lookup reads through until a vacuum, or the list passing its limit, merges it
# (4 MB by default: a small bucket's page 10 → 78 ms after 4,000 rows were written at
# 100,000 items). A short limit per index bounds that read where the catalogue keeps
# being written (migration 0007; docs/performance.md, "The GIN pending lists bounded").
POSTGRES_GIN_INDEXES = [
    "search_itemdocument_vector_gin",
    "search_itemdocument_name_keys_gin",
    "search_itemdocument_keys_gin",
    "search_itemdocument_name_facets_gin",
]
POSTGRES_GIN_PENDING_LIST_LIMIT = 256  # kB
POSTGRES_GIN_BOUND = [
    f"ALTER INDEX {name} SET (gin_pending_list_limit = {POSTGRES_GIN_PENDING_LIST_LIMIT})"
    for name in POSTGRES_GIN_INDEXES
]
POSTGRES_GIN_UNBOUND = [
    f"ALTER INDEX {name} RESET (gin_pending_list_limit)" for name in POSTGRES_GIN_INDEXES
]
# PostgreSQL: each document's vector again, in a narrow table of its own, for ts_rank.
# In the wide document row the vector (1.6 kB on average) is moved out of line to TOAST,
# uncompressed: ranking a row read the TOAST index and one or two chunks besides the
# row. Here the row is (id, vector), small enough to stay in the heap page (storage
# MAIN: out of line only if it could not fit a page; lz4, where the server has it, for
# the few over 2 kB — tsvectors hardly compress), so ranking a row is one lookup by
# key. The same vectors, so the same scores. Statement-level triggers with transition
# tables copy every write of the document table — the ORM's saves and deletes, the
# bulk loads' COPY, a rebuild, a flush's TRUNCATE — in the same transaction, one
# statement per writing statement (migration 0008; engine._PostgreSQL._rank_of).
RANKING_TABLE = "search_rankingvector"
POSTGRES_RANKING_CREATE = [
    f"""CREATE TABLE {RANKING_TABLE} (
        document_id bigint NOT NULL PRIMARY KEY, vector tsvector NOT NULL
    )""",
    f"ALTER TABLE {RANKING_TABLE} ALTER COLUMN vector SET STORAGE MAIN",
]
POSTGRES_RANKING_KEEP = [
    f"""CREATE FUNCTION {RANKING_TABLE}_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {RANKING_TABLE};
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM {RANKING_TABLE} r USING removed o WHERE r.document_id = o.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {RANKING_TABLE} (document_id, vector)
            SELECT n.id, n.search_vector FROM written n ORDER BY n.id;
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER {DOC_TABLE}_ranking_insert AFTER INSERT ON {DOC_TABLE}
        REFERENCING NEW TABLE AS written
        FOR EACH STATEMENT EXECUTE FUNCTION {RANKING_TABLE}_copy()""",
    f"""CREATE TRIGGER {DOC_TABLE}_ranking_update AFTER UPDATE ON {DOC_TABLE}
        REFERENCING OLD TABLE AS removed NEW TABLE AS written
        FOR EACH STATEMENT EXECUTE FUNCTION {RANKING_TABLE}_copy()""",
    f"""CREATE TRIGGER {DOC_TABLE}_ranking_delete AFTER DELETE ON {DOC_TABLE}
        REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION {RANKING_TABLE}_copy()""",
    f"""CREATE TRIGGER {DOC_TABLE}_ranking_truncate AFTER TRUNCATE ON {DOC_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {RANKING_TABLE}_copy()""",
    # the rows there are, in document order (what a tier's ranking reads together)
    f"""INSERT INTO {RANKING_TABLE} (document_id, vector)
        SELECT id, search_vector FROM {DOC_TABLE} ORDER BY id""",
]
POSTGRES_RANKING_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {DOC_TABLE}_ranking_{event} ON {DOC_TABLE}"
        for event in ("insert", "update", "delete", "truncate")
    ),
    f"DROP FUNCTION IF EXISTS {RANKING_TABLE}_copy()",
    f"DROP TABLE IF EXISTS {RANKING_TABLE}",
]


def create_ranking(schema_editor) -> None:
    """The ranking vectors' table, its triggers and its rows (PostgreSQL; migration 0008).
    lz4 where the server was built with it, pglz otherwise (slower to read, the same
    vectors)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    method = "lz4" if row and row[0] else "pglz"
    for sql in POSTGRES_RANKING_CREATE:
        schema_editor.execute(sql)
    schema_editor.execute(
        f"ALTER TABLE {RANKING_TABLE} ALTER COLUMN vector SET COMPRESSION {method}"
    )
    for sql in POSTGRES_RANKING_KEEP:
        schema_editor.execute(sql)


def drop_ranking(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_RANKING_DROP:
            schema_editor.execute(sql)


POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_itemdocument_vector_gin",
    f"ALTER TABLE {DOC_TABLE} DROP COLUMN IF EXISTS search_vector",
]


def create(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor)
    if statements is None:
        raise NotImplementedError(
            f"全文检索不支持数据库“{vendor}”（仅支持 SQLite 与 PostgreSQL）。"
        )
    for sql in statements:
        schema_editor.execute(sql)


def set_rank(schema_editor, rank: str = RANK) -> None:
    """Make ``rank`` the default ranking of the SQLite index (no-op on PostgreSQL)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', %s)", [rank]
        )


def create_generation(schema_editor, vendors: tuple[str, ...] = ("sqlite",)) -> None:
    """The index generation (migration 0004 made SQLite's, 0005 PostgreSQL's)."""
    vendor = schema_editor.connection.vendor
    if vendor in vendors:
        statements = {"sqlite": SQLITE_GENERATION_CREATE, "postgresql": POSTGRES_GENERATION_CREATE}
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)


def drop_generation(schema_editor, vendors: tuple[str, ...] = ("sqlite",)) -> None:
    vendor = schema_editor.connection.vendor
    if vendor in vendors:
        statements = {"sqlite": SQLITE_GENERATION_DROP, "postgresql": POSTGRES_GENERATION_DROP}
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)


def drop(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


def varints(blob: bytes) -> list[int]:
    """The SQLite varints of an FTS5 record (the averages, a row's column sizes)."""
    values, value, length = [], 0, 0
    for byte in blob:
        length += 1
        if length == 9:  # the ninth byte holds eight bits
            values.append((value << 8) | byte)
            value, length = 0, 0
        elif byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            values.append((value << 7) | byte)
            value, length = 0, 0
    return values


class BM25:
    """FTS5's ``bm25()``, the same floating-point operations in the same order
    (ext/fts5/fts5_aux.c, SQLite 3.40), from what it reads: the averages record (row
    count, column totals), each phrase's document frequency (``hits``), and per row
    the phrases' instances weighed by ``WEIGHTS`` and the row's column sizes."""

    k1, b = 1.2, 0.75

    def __init__(self, averages: bytes, hits: Sequence[int]):
        totals = varints(averages)
        rows = totals[0]
        self.average = float(sum(totals[1:])) / float(rows)
        self.idf = []
        for hit in hits:
            idf = math.log((rows - hit + 0.5) / (hit + 0.5))
            self.idf.append(idf if idf > 0.0 else 1e-6)

    def __call__(self, frequencies: Sequence[float], size: bytes) -> float:
        k1, b = self.k1, self.b
        length = float(sum(varints(size)))
        score = 0.0
        for idf, frequency in zip(self.idf, frequencies, strict=True):
            score += idf * (
                (frequency * (k1 + 1.0)) / (frequency + k1 * (1 - b + b * length / self.average))
            )
        return -1.0 * score
