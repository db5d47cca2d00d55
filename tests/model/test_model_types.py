"""Logical types: parsing, suggestions, Arrow mapping, warehouse names, type changes."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakeferry.model.types import (
    DIALECTS,
    LogicalType,
    classify_change,
    parse_sql_type,
    parse_type,
    suggest_type,
    to_arrow,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("integer", "integer"),
        ("INTEGER", "integer"),
        ("varchar(5)", "varchar(5)"),
        (" VarChar ( 5 ) ", "varchar(5)"),
        ("varchar", "varchar"),
        ("decimal(12, 2)", "decimal(12,2)"),
        ("decimal(10)", "decimal(10,0)"),
        ("timestamptz", "timestamptz"),
    ],
)
def test_parse_type_canonical(text: str, canonical: str) -> None:
    assert str(parse_type(text)) == canonical


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("intger", "did you mean 'integer'?"),
        ("int", "did you mean 'integer'?"),
        ("string", "did you mean 'varchar'?"),
        ("numeric(10,2)", "did you mean 'decimal(p,s)'?"),
        ("blob", "valid types: boolean, smallint"),
        ("integer(4)", "takes no parameters"),
        ("decimal", "needs a precision and scale"),
        ("decimal(39,2)", "1 <= p <= 38"),
        ("decimal(5,6)", "0 <= s <= p"),
        ("varchar(0)", "at least 1"),
        ("varchar(5", "unknown type"),
    ],
)
def test_parse_type_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse_type(text)
    assert fragment in str(info.value)


def test_suggest_type_none_for_nonsense() -> None:
    assert suggest_type("zzzzzz") is None


@pytest.mark.parametrize(
    ("text", "arrow"),
    [
        ("boolean", pa.bool_()),
        ("smallint", pa.int16()),
        ("integer", pa.int32()),
        ("bigint", pa.int64()),
        ("double", pa.float64()),
        ("real", pa.float32()),
        ("decimal(12,2)", pa.decimal128(12, 2)),
        ("varchar(5)", pa.string()),
        ("varchar", pa.string()),
        ("text", pa.string()),
        ("date", pa.date32()),
        ("timestamp", pa.timestamp("us")),
        ("timestamptz", pa.timestamp("us", tz="UTC")),
    ],
)
def test_to_arrow(text: str, arrow: pa.DataType) -> None:
    assert to_arrow(parse_type(text)) == arrow


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("INTEGER", LogicalType("integer")),
        ("int4", LogicalType("integer")),
        ("character varying(5)", LogicalType("varchar", length=5)),
        ("character varying", LogicalType("varchar")),
        ("VARCHAR", LogicalType("varchar")),
        ("double precision", LogicalType("double")),
        ("FLOAT", LogicalType("real")),
        ("numeric(10,2)", LogicalType("decimal", precision=10, scale=2)),
        ("numeric", LogicalType("decimal")),
        ("DECIMAL(18,3)", LogicalType("decimal", precision=18, scale=3)),
        ("timestamp without time zone", LogicalType("timestamp")),
        ("timestamp(6) without time zone", LogicalType("timestamp")),
        ("TIMESTAMP WITH TIME ZONE", LogicalType("timestamptz")),
        ("text", LogicalType("text")),
        ("BLOB", None),
        ("STRUCT(a INTEGER)", None),
    ],
)
def test_parse_sql_type(reported: str, expected: LogicalType | None) -> None:
    assert parse_sql_type(reported) == expected


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("integer", "integer", "same"),
        ("smallint", "integer", "widening"),
        ("integer", "bigint", "widening"),
        ("bigint", "integer", "narrowing"),
        ("integer", "double", "widening"),
        ("bigint", "double", "narrowing"),
        ("integer", "decimal(12,2)", "widening"),
        ("integer", "decimal(10,2)", "narrowing"),
        ("real", "double", "widening"),
        ("double", "real", "narrowing"),
        ("decimal(10,2)", "decimal(12,2)", "widening"),
        ("decimal(10,2)", "decimal(10,3)", "narrowing"),
        ("decimal(10,2)", "double", "narrowing"),
        ("varchar(5)", "varchar(10)", "widening"),
        ("varchar(10)", "varchar(5)", "narrowing"),
        ("varchar(5)", "text", "widening"),
        ("varchar", "text", "same"),
        ("date", "timestamp", "widening"),
        ("timestamp", "date", "narrowing"),
        ("varchar", "integer", "narrowing"),
        ("boolean", "integer", "narrowing"),
    ],
)
def test_classify_change(old: str, new: str, kind: str) -> None:
    assert classify_change(parse_type(old), parse_type(new)) == kind


def test_unreported_parameters_match_any() -> None:
    assert classify_change(LogicalType("varchar"), parse_type("varchar(5)")) == "same"
    assert classify_change(LogicalType("decimal"), parse_type("decimal(10,2)")) == "same"


@pytest.mark.parametrize(
    ("dialect", "logical", "sql"),
    [
        ("duckdb", "varchar(5)", "VARCHAR"),
        ("duckdb", "double", "DOUBLE"),
        ("duckdb", "text", "VARCHAR"),
        ("postgres", "varchar(5)", "VARCHAR(5)"),
        ("postgres", "double", "DOUBLE PRECISION"),
        ("postgres", "text", "TEXT"),
        ("postgres", "decimal(12,2)", "DECIMAL(12,2)"),
        ("redshift", "varchar", "VARCHAR(65535)"),
        ("redshift", "text", "VARCHAR(65535)"),
        ("redshift", "timestamptz", "TIMESTAMPTZ"),
    ],
)
def test_render_type(dialect: str, logical: str, sql: str) -> None:
    assert DIALECTS[dialect].render_type(parse_type(logical)) == sql


def test_quote_and_literal() -> None:
    assert DIALECTS["duckdb"].quote('a"b') == '"a""b"'
    assert DIALECTS["postgres"].literal("it's \\ ok") == "'it''s \\ ok'"
    assert DIALECTS["redshift"].literal("it's \\ ok") == "'it''s \\\\ ok'"
