"""Stage a catalog table inside the ETL engine, setting aside what does not parse.

A source is read as text with its object and line, parsed to its catalog types, and
every row where a non-empty value does not parse is moved to ``__quarantine`` with the
object, line, column, value and what was expected. Nothing is dropped silently: rows
DuckDB's CSV reader rejects and lines the lake reader cut (truncated objects) land
there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..catalog.base import Catalog, Column, Table
from ..naming import quote_ident, quote_literal
from ..query import lake
from ..storage.base import ObjectStore

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS __quarantine (
    source VARCHAR, object VARCHAR, line BIGINT, "column" VARCHAR,
    value VARCHAR, reason VARCHAR, record VARCHAR
)
"""


@dataclass
class StagedSource:
    """A source table inside the engine: rows read, rows kept, rows set aside."""

    name: str
    rows_read: int
    rows_kept: int
    quarantined: int
    bytes: int


def stage_source(
    con: duckdb.DuckDBPyConnection,
    store: ObjectStore,
    catalog: Catalog,
    database: str,
    name: str,
    cache_dir: Path,
) -> StagedSource:
    """Create ``database.name`` in the engine from the catalog table; quarantine bad rows."""
    table = catalog.get_table(database, name)
    prepared = lake.prepare(store, table, cache_dir)
    con.execute(QUARANTINE_DDL)
    source = f"{database}.{name}"
    raw = f"__raw_{database}_{name}"
    _read_raw(con, prepared, raw)
    for aside in prepared.set_aside:
        _quarantine_row(con, source, aside)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(database)}")
    target = f"{quote_ident(database)}.{quote_ident(name)}"
    parsed = ", ".join(f"{lake.parse_expr(c)} AS {quote_ident(c.name)}" for c in table.columns)
    con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT {parsed}, __object, __line FROM {raw}")
    bad = _quarantine_unparsed(con, table, source, raw, target)
    con.execute(f"ALTER TABLE {target} DROP COLUMN __object")
    con.execute(f"ALTER TABLE {target} DROP COLUMN __line")
    rows_read = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]  # type: ignore[index]
    con.execute(f"DROP TABLE {raw}")
    return StagedSource(
        source,
        rows_read + len(prepared.set_aside),
        rows_read - bad,
        bad + len(prepared.set_aside),
        prepared.bytes_scanned,
    )


def _read_raw(con: duckdb.DuckDBPyConnection, prepared: lake.Prepared, raw: str) -> None:
    """All objects as text, one insert per object so lines are counted per object."""
    table = prepared.table
    header = 1 if table.format == "csv" and table.serde.get("header") else 0
    names = [c.name for c in table.columns]
    cols = ", ".join(f"{quote_ident(n)} VARCHAR" for n in names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} ({cols}, __object VARCHAR, __line BIGINT)")
    for index, path in enumerate(prepared.paths):
        one = lake.Prepared(table, [path], {path: prepared.keys[path]})
        select = _text_columns(table.columns, table.format)
        key = quote_literal(prepared.keys[path])
        if table.format != "csv":
            numbered = f"SELECT {select}, {key}, row_number() OVER () FROM {lake.scan_sql(one)}"
            con.execute(f"INSERT INTO {raw} {numbered}")
            continue
        rejects = f"__rejects_{index}"
        newlines = " + ".join(_newlines(quote_ident(n)) for n in names)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __scan AS SELECT {select}, row_number() OVER () AS __rn,"
            f" {newlines} AS __nl FROM {lake.scan_sql(one, rejects=rejects)}"
        )
        con.execute(_LINES_SQL.format(rejects=rejects, header=header, nl=_newlines("csv_line")))
        text = ", ".join(f"s.{quote_ident(n)}" for n in names)
        con.execute(
            f"INSERT INTO {raw} SELECT {text}, {key}, l.line FROM __scan s"
            " JOIN __lines l USING (__rn) ORDER BY __rn"
        )
        _collect_rejects(con, prepared, path, rejects)
        con.execute("DROP TABLE __scan")
        con.execute("DROP TABLE __lines")


# DuckDB numbers records, not lines, and leaves out the records it rejects. A record's
# line in the file is its record number plus the newlines inside the quoted fields of
# every record before it; accepted records are renumbered around the rejected ones.
_LINES_SQL = """
CREATE OR REPLACE TEMP TABLE __lines AS
WITH rejected AS (
    SELECT line AS rec, {nl} AS nl, row_number() OVER (ORDER BY line) AS n
    FROM (SELECT line, any_value(csv_line) AS csv_line FROM {rejects} GROUP BY line)
),
gaps AS (SELECT rec - {header} - n + 1 AS p, max(n) AS n FROM rejected GROUP BY 1),
accepted AS (
    SELECT s.__rn, s.__rn + {header} + coalesce(g.n, 0) AS rec, s.__nl AS nl
    FROM __scan s ASOF LEFT JOIN gaps g ON s.__rn >= g.p
),
records AS (SELECT __rn, rec, nl FROM accepted UNION ALL SELECT NULL, rec, nl FROM rejected)
SELECT __rn, rec, rec + coalesce(sum(nl) OVER before, 0) AS line
FROM records
WINDOW before AS (ORDER BY rec ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
"""


def _newlines(expr: str) -> str:
    return f"coalesce(length({expr}) - length(replace({expr}, chr(10), '')), 0)"


def _text_columns(columns: list[Column], fmt: str) -> str:
    if fmt == "json":
        return ", ".join(
            f"CAST({quote_ident(c.original_name or c.name)} AS VARCHAR)" for c in columns
        )
    return ", ".join(f"CAST({q} AS VARCHAR) AS {q}" for q in (quote_ident(c.name) for c in columns))


def _collect_rejects(
    con: duckdb.DuckDBPyConnection, prepared: lake.Prepared, path: str, rejects: str
) -> None:
    rows = con.execute(
        f"SELECT l.line, r.column_name, r.csv_line, r.error_type, r.error_message"
        f" FROM {rejects} r JOIN __lines l ON l.__rn IS NULL AND l.rec = r.line ORDER BY l.line"
    ).fetchall()
    for line, column, text, kind, message in rows:
        prepared.set_aside.append(
            lake.SetAside(prepared.keys[path], int(line), f"{kind}: {message}", column, text)
        )
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")


def _quarantine_row(con: duckdb.DuckDBPyConnection, source: str, aside: lake.SetAside) -> None:
    con.execute(
        "INSERT INTO __quarantine VALUES (?, ?, ?, ?, ?, ?, NULL)",
        [source, aside.object, aside.line, aside.column, aside.value, aside.reason],
    )


def _quarantine_unparsed(
    con: duckdb.DuckDBPyConnection, table: Table, source: str, raw: str, target: str
) -> int:
    """Move rows with a value that does not parse to its type into __quarantine."""
    typed = [c for c in table.columns if c.type != "string"]
    if not typed:
        return 0
    parts = []
    for col in typed:
        q = quote_ident(col.name)
        expected = f"expected {col.type}" + (f" in format {col.format}" if col.format else "")
        parts.append(
            f"SELECT {quote_literal(source)} AS source, r.__object AS object, r.__line AS line,"
            f" {quote_literal(col.name)} AS col, r.{q} AS value,"
            f" {quote_literal(expected)} AS reason,"
            f" to_json(r)::VARCHAR AS record"
            f" FROM {raw} r JOIN {target} t USING (__object, __line)"
            f" WHERE nullif(trim(r.{q}), '') IS NOT NULL AND t.{q} IS NULL"
        )
    con.execute("CREATE OR REPLACE TEMP TABLE __bad AS " + " UNION ALL ".join(parts))
    con.execute("INSERT INTO __quarantine SELECT * FROM __bad")
    con.execute(
        f"DELETE FROM {target} t USING (SELECT DISTINCT object, line FROM __bad) b"
        " WHERE t.__object = b.object AND t.__line = b.line"
    )
    count = con.execute("SELECT count(*) FROM (SELECT DISTINCT object, line FROM __bad)").fetchone()
    con.execute("DROP TABLE __bad")
    return int(count[0]) if count else 0


def quarantine_summary(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, object]]:
    """The first quarantined rows, for reports."""
    rows = con.execute(
        f'SELECT source, object, line, "column", value, reason FROM __quarantine'
        f" ORDER BY source, object, line LIMIT {int(limit)}"
    ).fetchall()
    keys = ("source", "object", "line", "column", "value", "reason")
    return [dict(zip(keys, r, strict=True)) for r in rows]
