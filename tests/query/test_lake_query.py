"""Athena-dialect SQL over the covid sample, checked against DuckDB reading the raw files."""

from __future__ import annotations

import csv
import io
import json
import zlib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakeferry import Project
from lakeferry.errors import QueryError, TableNotFound
from lakeferry.samples.covid import KEYS
from lakeferry.storage import S3Uri

Raw = dict[str, str]

# the cut-short record makes DuckDB stop; the raw answers skip it the way lakeferry does
US_COUNTY = "read_csv([{a}, {b}], header = true, ignore_errors = true, all_varchar = true)"


def us_county(raw: Raw) -> str:
    return US_COUNTY.format(a=repr(raw["us_county"]), b=repr(raw["us_county_tail"]))


def values(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in rows]


def test_top_states_by_cases(
    covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection
) -> None:
    result = covid_lake.query(
        "SELECT state, max(cases) AS c FROM covid.us_states GROUP BY state ORDER BY c DESC LIMIT 3"
    )
    expected = duck.execute(
        f"SELECT state, max(cases) AS c FROM read_csv({raw['us_states']!r}) "
        "GROUP BY state ORDER BY c DESC LIMIT 3"
    ).fetchall()
    assert values(result.rows) == expected
    assert len(expected) == 3
    assert result.table.column_names == ["state", "c"]


def test_count_reads_every_object_but_the_cut_record(
    covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection
) -> None:
    result = covid_lake.query("SELECT count(*) AS n, sum(cases) AS s FROM covid.us_county")
    expected = duck.execute(f"SELECT count(*), sum(cases::BIGINT) FROM {us_county(raw)}").fetchone()
    assert values(result.rows) == [expected]


def test_approx_distinct(covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection) -> None:
    result = covid_lake.query(
        "SELECT approx_distinct(state) AS states, approx_distinct(fips) AS counties "
        "FROM covid.us_county"
    )
    states, counties = duck.execute(
        f"SELECT count(DISTINCT state), count(DISTINCT fips) FROM {us_county(raw)}"
    ).fetchone()
    # Athena is exact at these sizes (DuckDB's own sketch said 59 states for 51)
    assert result.rows == [{"states": states, "counties": counties}]


def test_date_parse_over_integer_dates(
    covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection
) -> None:
    result = covid_lake.query(
        "SELECT state, positive FROM covid.states_daily "
        "WHERE date = date(date_parse('20200529', '%Y%m%d')) ORDER BY state"
    )
    expected = duck.execute(
        f"SELECT state, positive FROM read_csv({raw['states_daily']!r}, all_varchar = true) "
        "WHERE date = '20200529' ORDER BY state"
    ).fetchall()
    assert expected, "the sample has 2020-05-29"
    assert values(result.rows) == [(s, int(p) if p else None) for s, p in expected]


def test_date_parse_with_athena_format_tokens(covid_lake: Project) -> None:
    rows = covid_lake.query(
        "SELECT date_parse('5/29/2020 19:07', '%m/%d/%Y %H:%i') AS t, "
        "date_format(date_parse('20200529', '%Y%m%d'), '%Y-%m') AS ym"
    ).rows
    assert str(rows[0]["t"]) == "2020-05-29 19:07:00"
    assert rows[0]["ym"] == "2020-05"


def test_try_cast(covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection) -> None:
    result = covid_lake.query(
        "SELECT count(try_cast(fips AS integer)) AS ok, count(try_cast(state AS integer)) AS bad, "
        "sum(try_cast(fips AS integer)) AS total FROM covid.us_states_json"
    )
    n, total = duck.execute(
        f"SELECT count(*), sum(fips::INTEGER) FROM read_json({raw['us_states_json']!r}, "
        "columns = {'fips': 'VARCHAR'})"
    ).fetchone()
    assert result.rows == [{"ok": n, "bad": 0, "total": total}]


def test_regexp_like(covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection) -> None:
    result = covid_lake.query(
        "SELECT count(*) AS n FROM covid.us_county WHERE regexp_like(county, '^[AB]')"
    )
    (n,) = duck.execute(
        f"SELECT count(*) FROM {us_county(raw)} WHERE regexp_matches(county, '^[AB]')"
    ).fetchone()
    assert n > 0
    assert result.rows == [{"n": n}]


def test_join_csv_and_json_copies_of_one_table(covid_lake: Project) -> None:
    rows = covid_lake.query(
        "SELECT count(*) AS n, count_if(c.cases <> j.cases) AS differ "
        "FROM covid.us_states c JOIN covid.us_states_json j "
        "ON c.date = j.date AND c.state = j.state"
    ).rows
    (total,) = covid_lake.query("SELECT count(*) AS n FROM covid.us_states").rows[0].values()
    assert rows == [{"n": total, "differ": 0}]


def test_typed_columns(covid_lake: Project, raw: Raw, duck: duckdb.DuckDBPyConnection) -> None:
    result = covid_lake.query(
        "SELECT min(date) AS first_day, count(date_checked) AS checked, "
        "count(last_update_et) AS updated, count(*) AS n FROM covid.states_daily"
    )
    (n,) = duck.execute(f"SELECT count(*) FROM read_csv({raw['states_daily']!r})").fetchone()
    row = result.rows[0]
    assert str(row["first_day"]) == "2020-01-21"
    assert row["n"] == n
    assert row["checked"] == row["updated"] == n  # T24:00:00Z and 3/5/2021 03:59 all parse


def test_unqualified_table_uses_the_default_database(covid_lake: Project) -> None:
    a = covid_lake.query("SELECT count(*) AS n FROM us_states").rows
    b = covid_lake.query("SELECT count(*) AS n FROM covid.us_states").rows
    assert a == b


def test_cte_names_are_not_catalog_tables(covid_lake: Project) -> None:
    rows = covid_lake.query(
        "WITH s AS (SELECT state, max(cases) AS c FROM covid.us_states GROUP BY state) "
        "SELECT count(*) AS n FROM s"
    ).rows
    assert rows[0]["n"] > 0


# --- results and history -------------------------------------------------------------


def test_result_csv_and_metadata_are_saved(covid_lake: Project) -> None:
    result = covid_lake.query(
        "SELECT state, max(cases) AS c, max(date) AS d FROM covid.us_states "
        "GROUP BY state ORDER BY c DESC LIMIT 5"
    )
    ex = result.execution
    assert ex.state == "SUCCEEDED" and ex.rows == 5 and ex.bytes_scanned > 0
    location = S3Uri.parse(ex.output_location or "")
    assert str(location) == f"s3://covid19-query-results/athena/{ex.id}.csv"
    store = covid_lake.store
    with store.open(location) as fh:
        saved = list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))
    assert [(r["state"], int(r["c"]), r["d"]) for r in saved] == [
        (r["state"], r["c"], str(r["d"])) for r in result.rows
    ]
    with store.open(S3Uri.parse(f"{location}.metadata")) as fh:
        meta = json.load(fh)
    assert [c["name"] for c in meta["columns"]] == ["state", "c", "d"]
    assert [c["type"] for c in meta["columns"]] == ["string", "int64", "date32[day]"]


def history_entry(project: Project, query_id: str) -> dict[str, Any]:
    return next(h for h in project.lake().history(limit=10_000) if h["id"] == query_id)


def test_history_records_success_and_failure(covid_lake: Project) -> None:
    ok = covid_lake.query("SELECT 41 + 1 AS answer").execution
    entry = history_entry(covid_lake, ok.id)
    assert entry["state"] == "SUCCEEDED"
    assert entry["query"] == "SELECT 41 + 1 AS answer"
    assert entry["rows"] == 1 and entry["output_location"] == ok.output_location
    assert entry["completed_at"] >= entry["submitted_at"]

    with pytest.raises(QueryError):
        covid_lake.query("SELECT no_such_column FROM covid.us_states")
    failed = covid_lake.lake().history(limit=1)[0]
    assert failed["state"] == "FAILED"
    assert failed["query"] == "SELECT no_such_column FROM covid.us_states"
    assert "no_such_column" in failed["error"]
    assert failed["output_location"] is None


def test_history_is_newest_first(covid_lake: Project) -> None:
    first = covid_lake.query("SELECT 1 AS one").execution.id
    second = covid_lake.query("SELECT 2 AS two").execution.id
    ids = [h["id"] for h in covid_lake.lake().history(limit=2)]
    assert ids == [second, first]


# --- errors ----------------------------------------------------------------------------


def test_syntax_error_names_line_and_column(covid_lake: Project) -> None:
    sql = "SELECT state,\n  max(cases) AS c\nFROM covid.us_states\nGROUP BY state HAVING\n"
    with pytest.raises(QueryError) as caught:
        covid_lake.query(sql)
    message = str(caught.value)
    assert "SQL syntax error at line 4, column" in message
    hint = caught.value.hint or ""
    assert hint.splitlines()[0] == "GROUP BY state HAVING"
    assert hint.splitlines()[1].strip() == "^"
    assert history_entry_state(covid_lake, sql) == "FAILED"


def test_syntax_error_on_the_first_line(covid_lake: Project) -> None:
    with pytest.raises(QueryError, match=r"at line 1, column \d+"):
        covid_lake.query("SELEC state FROM covid.us_states")


def history_entry_state(project: Project, sql: str) -> str:
    return next(h["state"] for h in project.lake().history(limit=10_000) if h["query"] == sql)


@pytest.mark.parametrize(
    ("sql", "missing", "nearest"),
    [
        ("SELECT * FROM covid.us_countys", "covid.us_countys", "covid.us_county"),
        ("SELECT * FROM us_countys", "covid.us_countys", "covid.us_county"),
        ("SELECT * FROM covid.state_daily", "covid.state_daily", "covid.states_daily"),
        ("SELECT * FROM other.us_states", "other.us_states", "covid.us_states"),
    ],
)
def test_unknown_table_names_the_nearest(
    covid_lake: Project, sql: str, missing: str, nearest: str
) -> None:
    with pytest.raises(TableNotFound) as caught:
        covid_lake.query(sql)
    assert f"no table {missing} in the catalog" in str(caught.value)
    assert (caught.value.hint or "").startswith(f"nearest: {nearest}")
    assert history_entry_state(covid_lake, sql) == "FAILED"


def test_two_statements_are_refused(covid_lake: Project) -> None:
    with pytest.raises(QueryError, match="expected one SQL statement, got 2"):
        covid_lake.query("SELECT 1; SELECT 2")


def test_unknown_dialect(covid_lake: Project) -> None:
    with pytest.raises(QueryError) as caught:
        covid_lake.query("SELECT 1", dialect="atena")
    assert "unknown SQL dialect 'atena'" in str(caught.value)


# --- set aside ------------------------------------------------------------------------


def cut_record(path: str) -> tuple[int, str]:
    """(1-based line, text) of the partial last line of a plain file."""
    data = Path(path).read_bytes()
    return data.count(b"\n") + 1, data[data.rfind(b"\n") + 1 :].decode()


def cut_gzip_record(path: str) -> tuple[int, str]:
    """The same, for a gzip stream that stops before its trailer."""
    data = zlib.decompressobj(wbits=31).decompress(Path(path).read_bytes())
    return data.count(b"\n") + 1, data[data.rfind(b"\n") + 1 :].decode()


def test_cut_short_record_is_set_aside(covid_lake: Project, raw: Raw) -> None:
    ex = covid_lake.query("SELECT count(*) AS n FROM covid.us_county").execution
    line, text = cut_record(raw["us_county_tail"])
    assert ex.set_aside == [
        {
            "object": f"s3://covid19-lake/{KEYS['us_county_tail']}",
            "line": line,
            "column": None,
            "value": text,
            "reason": "last record cut short (no newline at the end)",
        }
    ]
    recorded = history_entry(covid_lake, ex.id)
    assert recorded["set_aside"] == ex.set_aside


def test_truncated_gzip_is_set_aside(covid_lake: Project, raw: Raw) -> None:
    ex = covid_lake.query("SELECT count(*) AS n FROM covid.enigma_jhu").execution
    line, text = cut_gzip_record(raw["jhu_tail"])
    assert len(ex.set_aside) == 1
    aside = ex.set_aside[0]
    assert aside["object"] == f"s3://covid19-lake/{KEYS['jhu_tail']}"
    assert (aside["line"], aside["value"]) == (line, text)
    assert "gzip stream ends early" in aside["reason"]
    assert "unexpected end of file" in aside["reason"]
    # a second query reads the repaired copy from the cache and says the same
    again = covid_lake.query("SELECT count(*) AS n FROM covid.enigma_jhu").execution
    assert again.set_aside == ex.set_aside


def test_clean_tables_set_nothing_aside(covid_lake: Project) -> None:
    ex = covid_lake.query("SELECT count(*) AS n FROM covid.us_states").execution
    assert ex.set_aside == []
