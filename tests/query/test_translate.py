"""Athena (Presto/Trino) SQL → DuckDB: each case is run in DuckDB and its value checked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import pytest

from lakeferry.errors import QueryError
from lakeferry.query import translate

CASES: list[tuple[str, Any]] = [
    ("SELECT date_parse('20200529', '%Y%m%d')", datetime(2020, 5, 29)),
    ("SELECT date_parse('5/29/2020 19:07', '%m/%d/%Y %H:%i')", datetime(2020, 5, 29, 19, 7)),
    ("SELECT date_format(DATE '2020-05-29', '%Y-%m')", "2020-05"),
    ("SELECT try_cast('x' AS integer)", None),
    ("SELECT try_cast('12' AS bigint)", 12),
    ("SELECT regexp_like('Washington', '^W')", True),
    ("SELECT regexp_like('Washington', '^w')", False),
    ("SELECT regexp_extract('abc123', '[0-9]+')", "123"),
    ("SELECT approx_distinct(x) FROM (VALUES 1, 2, 2, 3) AS t(x)", 3),
    ("SELECT approx_distinct(x, 0.01) FROM (VALUES 'a', 'b', NULL) AS t(x)", 2),
    ("SELECT cardinality(ARRAY[1, 2, 3])", 3),
    ("SELECT element_at(ARRAY['a', 'b'], 2)", "b"),
    ("SELECT split_part('a,b,c', ',', 2)", "b"),
    ("SELECT date_add('day', 1, DATE '2020-02-28')", datetime(2020, 2, 29)),
    ("SELECT date_diff('day', DATE '2020-01-01', DATE '2020-03-01')", 60),
    ("SELECT date_trunc('month', DATE '2020-05-29')", datetime(2020, 5, 1)),
    ("SELECT strpos('hello', 'l')", 3),
    ("SELECT substr('abcdef', 2, 3)", "bcd"),
    ("SELECT arbitrary(x) FROM (VALUES 1) AS t(x)", 1),
    ("SELECT count_if(x > 1) FROM (VALUES 1, 2, 3) AS t(x)", 2),
    ("SELECT json_extract_scalar('{\"a\": {\"b\": 5}}', '$.a.b')", "5"),
    ("SELECT array_join(ARRAY[1, 2], ',')", "1,2"),
    ("SELECT year(DATE '2020-05-29')", 2020),
    ("SELECT CAST('2020-05-29' AS date)", date(2020, 5, 29)),
    ("SELECT approx_percentile(x, 0.5) FROM (VALUES 1, 2, 3) AS t(x)", 2),
    ('SELECT "select" FROM (SELECT 1 AS "select")', 1),
]


@pytest.mark.parametrize(("athena", "expected"), CASES)
def test_athena_sql_runs_in_duckdb(athena: str, expected: Any) -> None:
    sql = translate.to_duckdb(translate.parse(athena, "athena"))
    assert duckdb.sql(sql).fetchone() == (expected,), sql


def test_integer_division_keeps_athena_semantics() -> None:
    sql = translate.to_duckdb(translate.parse("SELECT 7 / 2, 7.0 / 2", "athena"))
    con = duckdb.connect()
    for setting in translate.session_settings("athena"):  # what the query engine applies
        con.execute(setting)
    assert con.execute(sql).fetchone() == (3, 3.5)
    assert translate.session_settings("duckdb") == []


def test_referenced_tables_skip_ctes_and_keep_order() -> None:
    tree = translate.parse(
        "WITH s AS (SELECT * FROM covid.us_states) "
        "SELECT * FROM s JOIN us_county c ON s.fips = c.fips JOIN covid.us_states x ON 1 = 1"
    )
    assert sorted(translate.referenced_tables(tree), key=str) == sorted(
        [("covid", "us_states"), (None, "us_county")], key=str
    )


def test_syntax_error_points_at_the_line() -> None:
    with pytest.raises(QueryError) as caught:
        translate.parse("SELECT a,\n  b\nFROM t WHERE\n")
    assert "SQL syntax error at line 3" in str(caught.value)
    assert (caught.value.hint or "").startswith("FROM t WHERE\n")


@pytest.mark.parametrize("dialect", ["trino", "presto", "duckdb"])
def test_other_dialects(dialect: str) -> None:
    sql = translate.to_duckdb(translate.parse("SELECT 1 + 1 AS two", dialect), dialect)
    assert duckdb.sql(sql).fetchone() == (2,)
