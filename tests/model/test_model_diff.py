"""diff_columns and add_column_sql: evolve a live table, refuse destructive changes."""

from __future__ import annotations

import duckdb

from lakeferry.model import TableModel, add_column_sql, create_table_sql, diff_columns

BASE = {
    "table": "t",
    "columns": [
        {"name": "id", "type": "integer"},
        {"name": "code", "type": "varchar(5)"},
        {"name": "amount", "type": "decimal(12,2)"},
        {"name": "ratio", "type": "real"},
        {"name": "seen_at", "type": "timestamptz"},
        {"name": "note", "type": "text"},
    ],
    "primary_key": ["id"],
}


def model(**changes: str) -> TableModel:
    """BASE with some column types replaced (``name=type``)."""
    columns = [{**c, "type": changes.get(c["name"], c["type"])} for c in BASE["columns"]]
    return TableModel.model_validate({**BASE, "columns": columns})


def describe(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f'DESCRIBE "{table}"').fetchall()}


def test_duckdb_table_matches_its_model() -> None:
    con = duckdb.connect()
    con.execute(create_table_sql(model(), "duckdb"))
    existing = describe(con, "t")
    assert diff_columns(model(), existing, dialect="duckdb").is_empty
    assert diff_columns(model(), existing).is_empty  # unreported lengths match any


def test_added_column_then_altered_in() -> None:
    con = duckdb.connect()
    con.execute(create_table_sql(model(), "duckdb"))
    newer = TableModel.model_validate(
        {**BASE, "columns": [*BASE["columns"], {"name": "extra", "type": "bigint"}]}
    )
    diff = diff_columns(newer, describe(con, "t"), dialect="duckdb")
    assert [c.name for c in diff.added] == ["extra"]
    assert not diff.is_destructive
    for column in diff.added:
        con.execute(add_column_sql(newer, column, "duckdb"))
    assert diff_columns(newer, describe(con, "t"), dialect="duckdb").is_empty


def test_dropped_column_is_destructive() -> None:
    existing = {c["name"]: "VARCHAR" for c in BASE["columns"]} | {"old": "INTEGER"}
    diff = diff_columns(
        model(),
        {
            **existing,
            "id": "INTEGER",
            "amount": "DECIMAL(12,2)",
            "ratio": "FLOAT",
            "seen_at": "TIMESTAMPTZ",
        },
    )
    assert diff.dropped == ["old"]
    assert diff.is_destructive


def test_widening_and_narrowing() -> None:
    existing = {
        "id": "SMALLINT",  # -> integer: widening
        "code": "character varying(10)",  # -> varchar(5): narrowing
        "amount": "numeric(10,2)",  # -> decimal(12,2): widening
        "ratio": "double precision",  # -> real: narrowing
        "seen_at": "BLOB",  # unreadable: narrowing (refuse)
        "note": "text",
    }
    diff = diff_columns(model(), existing)
    assert [(c.column, c.kind) for c in diff.changed] == [
        ("id", "widening"),
        ("code", "narrowing"),
        ("amount", "widening"),
        ("ratio", "narrowing"),
        ("seen_at", "narrowing"),
    ]
    assert [c.column for c in diff.widening] == ["id", "amount"]
    assert diff.changed[1].existing_type == "character varying(10)"
    assert diff.changed[1].model_type == "varchar(5)"
    assert diff.is_destructive


def test_postgres_information_schema_names() -> None:
    existing = {
        "id": "integer",
        "code": "character varying",
        "amount": "numeric",
        "ratio": "real",
        "seen_at": "timestamp with time zone",
        "note": "text",
    }
    assert diff_columns(model(), existing, dialect="postgres").is_empty


def test_redshift_folds_case_and_stores_text_as_varchar_max() -> None:
    upper = TableModel.model_validate(
        {
            **BASE,
            "columns": [{**BASE["columns"][0], "name": "ID"}, *BASE["columns"][1:]],
            "primary_key": ["ID"],
        }
    )
    existing = {
        "id": "integer",
        "code": "character varying(5)",
        "amount": "numeric(12,2)",
        "ratio": "real",
        "seen_at": "timestamp with time zone",
        "note": "character varying(65535)",
    }
    assert diff_columns(upper, existing, dialect="redshift").is_empty
    without_dialect = diff_columns(upper, existing)
    assert [(c.column, c.kind) for c in without_dialect.changed] == [("note", "widening")]
