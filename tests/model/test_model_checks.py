"""Verification queries run in DuckDB against tables with planted duplicates and orphans."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import duckdb
import pytest
import sqlglot

from lakeferry.model import (
    CheckQuery,
    Model,
    TableModel,
    check_queries,
    create_table_sql,
    load_model,
)

COVID = Path(str(files("lakeferry") / "examples" / "covid" / "model"))


@pytest.fixture(scope="module")
def covid() -> Model:
    return load_model(COVID)


@pytest.fixture()
def con(covid: Model) -> duckdb.DuckDBPyConnection:
    """The covid tables without key constraints, filled with planted problems."""
    db = duckdb.connect()
    for table in covid.load_order():
        db.execute(create_table_sql(table, "duckdb", constraints=False))
    db.execute(
        "INSERT INTO dim_date (date_key, date, year, quarter, month, day, day_of_week, is_weekend)"
        " VALUES (20200301, DATE '2020-03-01', 2020, 1, 3, 1, 7, true),"
        " (20200302, DATE '2020-03-02', 2020, 1, 3, 2, 1, false)"
    )
    # '04013' twice (one duplicate group of 2 rows), '53061' three times (one group of 3).
    db.execute(
        "INSERT INTO dim_region (fips, state) VALUES ('04013', 'Arizona'), ('04013', 'Arizona'),"
        " ('53061', 'Washington'), ('53061', 'Washington'), ('53061', 'Washington'),"
        " ('06037', 'California')"
    )
    # Orphans: fips '99999' (twice) and date 20200399 (once).
    db.execute(
        "INSERT INTO fact_covid_county_daily (date_key, fips, cases) VALUES"
        " (20200301, '04013', 1), (20200302, '04013', 2), (20200301, '99999', 3),"
        " (20200302, '99999', 4), (20200399, '06037', 5)"
    )
    # A NULL fips is allowed for hospitals (nullable in the model); '00000' is an orphan.
    db.execute(
        "INSERT INTO dim_hospital (hospital_key, name, fips) VALUES"
        " (1, 'a', '04013'), (2, 'b', NULL), (3, 'c', '00000')"
    )
    return db


def by_name(checks: list[CheckQuery]) -> dict[str, CheckQuery]:
    return {c.name: c for c in checks}


def count(con: duckdb.DuckDBPyConnection, check: CheckQuery) -> int:
    rows = con.execute(check.sql_count).fetchall()
    assert len(rows) == 1 and con.description[0][0] == "n"
    return int(rows[0][0])


def test_check_names(covid: Model) -> None:
    names = [c.name for c in check_queries(covid.table("fact_covid_county_daily"))]
    assert names == [
        "primary_key_not_null",
        "primary_key_unique",
        "foreign_key:date_key->dim_date",
        "foreign_key:fips->dim_region",
    ]


def test_duplicate_primary_keys(covid: Model, con: duckdb.DuckDBPyConnection) -> None:
    checks = by_name(check_queries(covid.table("dim_region")))
    assert count(con, checks["primary_key_unique"]) == 2
    sample = con.execute(checks["primary_key_unique"].sql_sample).fetchall()
    assert sample == [("53061", 3), ("04013", 2)]
    assert count(con, checks["primary_key_not_null"]) == 0


def test_foreign_key_orphans(covid: Model, con: duckdb.DuckDBPyConnection) -> None:
    checks = by_name(check_queries(covid.table("fact_covid_county_daily")))
    assert count(con, checks["foreign_key:fips->dim_region"]) == 2
    assert count(con, checks["foreign_key:date_key->dim_date"]) == 1
    sample = con.execute(checks["foreign_key:fips->dim_region"].sql_sample).fetchall()
    assert [(row[0], row[1]) for row in sample] == [(20200301, "99999"), (20200302, "99999")]
    assert count(con, checks["primary_key_unique"]) == 0


def test_nullable_foreign_key_null_is_not_an_orphan(
    covid: Model, con: duckdb.DuckDBPyConnection
) -> None:
    check = by_name(check_queries(covid.table("dim_hospital")))["foreign_key:fips->dim_region"]
    assert count(con, check) == 1
    assert con.execute(check.sql_sample).fetchall()[0][:3] == (3, "c", None)


def test_required_foreign_key_null_is_a_failure(con: duckdb.DuckDBPyConnection) -> None:
    table = TableModel.model_validate(
        {
            "table": "visits",
            "columns": [
                {"name": "visit_id", "type": "integer"},
                {"name": "fips", "type": "varchar(5)", "nullable": False},
                {"name": "date_key", "type": "integer"},
            ],
            "primary_key": ["visit_id"],
            "foreign_keys": [
                {"columns": ["fips"], "references": {"table": "dim_region", "columns": ["fips"]}},
                {
                    "columns": ["date_key"],
                    "references": {"table": "dim_date", "columns": ["date_key"]},
                },
            ],
        }
    )
    # Created by hand without NOT NULL, as a table loaded from outside might be.
    con.execute("CREATE TABLE visits (visit_id INTEGER, fips VARCHAR, date_key INTEGER)")
    con.execute(
        "INSERT INTO visits VALUES (1, '04013', 20200301), (2, NULL, NULL), (3, '99999', NULL),"
        " (NULL, '04013', 20200301), (4, '06037', 20200301), (4, '06037', 20200301)"
    )
    checks = by_name(check_queries(table))
    assert count(con, checks["foreign_key:fips->dim_region"]) == 2  # the NULL and '99999'
    assert count(con, checks["foreign_key:date_key->dim_date"]) == 0  # nullable: NULL is fine
    assert count(con, checks["primary_key_not_null"]) == 1
    assert count(con, checks["primary_key_unique"]) == 1
    assert len(con.execute(checks["primary_key_not_null"].sql_sample).fetchall()) == 1


def test_composite_foreign_key(con: duckdb.DuckDBPyConnection) -> None:
    parent = {
        "table": "p",
        "columns": [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer"}],
        "primary_key": ["a", "b"],
    }
    child = {
        "table": "c",
        "columns": [{"name": "x", "type": "integer"}, {"name": "y", "type": "integer"}],
        "foreign_keys": [
            {"columns": ["x", "y"], "references": {"table": "p", "columns": ["a", "b"]}}
        ],
    }
    model = Model([TableModel.model_validate(parent), TableModel.model_validate(child)])
    for t in model.load_order():
        con.execute(create_table_sql(t, "duckdb"))
    con.execute("INSERT INTO p VALUES (1, 1), (1, 2)")
    con.execute("INSERT INTO c VALUES (1, 1), (1, 3), (2, 1), (NULL, 5), (NULL, NULL)")
    (check,) = check_queries(model.table("c"))
    assert check.name == "foreign_key:x,y->p"
    assert count(con, check) == 2  # (1,3) and (2,1); rows with a NULL part reference nothing


def test_sample_is_limited(con: duckdb.DuckDBPyConnection, covid: Model) -> None:
    con.execute(
        "INSERT INTO fact_covid_county_daily (date_key, fips) "
        "SELECT 20200301, lpad(i::VARCHAR, 5, '8') FROM range(20) AS r(i)"
    )
    check = by_name(check_queries(covid.table("fact_covid_county_daily")))[
        "foreign_key:fips->dim_region"
    ]
    assert count(con, check) == 22
    assert len(con.execute(check.sql_sample).fetchall()) == 5


def test_staging_name_and_schema(covid: Model) -> None:
    checks = check_queries(covid.table("dim_hospital"), name="dim_hospital__new", schema="dw")
    assert all('FROM "dw"."dim_hospital__new"' in c.sql_count for c in checks)
    assert 'FROM "dw"."dim_region" AS p' in checks[-1].sql_count


@pytest.mark.parametrize("read", ["postgres", "redshift", "duckdb"])
def test_checks_parse_in_every_dialect(covid: Model, read: str) -> None:
    for table in covid:
        for check in check_queries(table):
            sqlglot.parse_one(check.sql_count, read=read)
            sqlglot.parse_one(check.sql_sample, read=read)
