"""CREATE TABLE per dialect: golden files, real DuckDB execution, sqlglot parsing of the
PostgreSQL and Redshift DDL, hostile identifiers, and ALTER / COMMENT statements.

Regenerate the golden files with ``LAKEFERRY_UPDATE_GOLDEN=1 pytest tests/model`` and
read the diff before committing it.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from lakeferry.model import (
    Model,
    ModelError,
    TableModel,
    add_column_sql,
    comment_sql,
    create_table_sql,
    load_model,
)

GOLDEN = Path(__file__).parent / "golden"
COVID = Path(str(files("lakeferry") / "examples" / "covid" / "model"))
TABLES = [
    "dim_date",
    "dim_region",
    "dim_hospital",
    "fact_covid_county_daily",
    "fact_covid_state_testing_daily",
]
DIALECTS = ["duckdb", "postgres", "redshift"]
SQLGLOT_READ = {"postgres": "postgres", "redshift": "redshift", "duckdb": "duckdb"}

# What DuckDB reports for each logical type of the covid model.
DUCKDB_TYPES = {
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}


@pytest.fixture(scope="module")
def covid() -> Model:
    return load_model(COVID)


def table(spec: dict[str, object]) -> TableModel:
    """A TableModel from a dict shaped like a model file."""
    return TableModel.model_validate(spec)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", TABLES)
def test_golden_ddl(covid: Model, dialect: str, name: str) -> None:
    sql = create_table_sql(covid.table(name), dialect) + ";\n"
    path = GOLDEN / dialect / f"{name}.sql"
    if os.environ.get("LAKEFERRY_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    assert sql == path.read_text()


def test_duckdb_executes_covid_ddl(covid: Model) -> None:
    con = duckdb.connect()
    for t in covid.load_order():
        con.execute(create_table_sql(t, "duckdb"))
        con.execute(create_table_sql(t, "duckdb"))  # IF NOT EXISTS: a rerun is harmless
    for t in covid:
        rows = con.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [t.name],
        ).fetchall()
        expected = [
            (c.name, DUCKDB_TYPES.get(c.type, "VARCHAR"), "YES" if c.nullable else "NO")
            for c in t.columns
        ]
        assert rows == expected
        keys = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
            [t.name],
        ).fetchall()
        assert keys == [(t.primary_key,)]


def test_duckdb_dimension_can_be_replaced_under_facts(covid: Model) -> None:
    """No FOREIGN KEY in DuckDB, so a dimension can be emptied and reloaded."""
    con = duckdb.connect()
    for t in covid.load_order():
        con.execute(create_table_sql(t, "duckdb"))
    con.execute("INSERT INTO dim_region (fips) VALUES ('04013')")
    con.execute(
        "INSERT INTO dim_date (date_key, date, year, quarter, month, day, day_of_week,"
        " is_weekend) VALUES (20200315, DATE '2020-03-15', 2020, 1, 3, 15, 7, true)"
    )
    con.execute("INSERT INTO fact_covid_county_daily (date_key, fips) VALUES (20200315, '04013')")
    con.execute("DELETE FROM dim_region")
    con.execute("INSERT INTO dim_region (fips) VALUES ('04013')")
    assert con.execute("SELECT count(*) FROM dim_region").fetchone() == (1,)


@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
@pytest.mark.parametrize("name", TABLES)
def test_ddl_parses(covid: Model, dialect: str, name: str) -> None:
    t = covid.table(name)
    parsed = sqlglot.parse_one(create_table_sql(t, dialect), read=dialect)
    assert isinstance(parsed, exp.Create)
    columns = [c.name for c in parsed.find_all(exp.ColumnDef)]
    assert columns == t.column_names()
    assert parsed.find(exp.PrimaryKey) is not None
    assert len(list(parsed.find_all(exp.ForeignKey))) == len(t.foreign_keys)


def test_redshift_physical_design(covid: Model) -> None:
    sql = create_table_sql(covid.table("fact_covid_county_daily"), "redshift")
    parsed = sqlglot.parse_one(sql, read="redshift")
    assert parsed.find(exp.DistStyleProperty).this.name == "KEY"
    assert parsed.find(exp.DistKeyProperty).this.name == "fips"
    assert [e.name for e in parsed.find(exp.SortKeyProperty).this] == ["date_key"]
    assert "DISTSTYLE ALL" in create_table_sql(covid.table("dim_region"), "redshift")


def test_duckdb_and_postgres_ignore_redshift_options(covid: Model) -> None:
    for dialect in ("duckdb", "postgres"):
        sql = create_table_sql(covid.table("fact_covid_county_daily"), dialect)
        assert "DIST" not in sql and "SORTKEY" not in sql


def test_foreign_keys_per_dialect(covid: Model) -> None:
    fact = covid.table("fact_covid_county_daily")
    assert "FOREIGN KEY" not in create_table_sql(fact, "duckdb")
    assert "DEFERRABLE INITIALLY DEFERRED" in create_table_sql(fact, "postgres")
    redshift = create_table_sql(fact, "redshift")
    assert "FOREIGN KEY" in redshift and "DEFERRABLE" not in redshift


def test_constraints_false_and_name_override(covid: Model) -> None:
    sql = create_table_sql(
        covid.table("fact_covid_county_daily"),
        "postgres",
        name="fact_covid_county_daily__staging",
        schema="analytics",
        if_not_exists=False,
        constraints=False,
    )
    assert sql.startswith('CREATE TABLE "analytics"."fact_covid_county_daily__staging" (')
    assert "PRIMARY KEY" not in sql and "FOREIGN KEY" not in sql
    assert '"fips" VARCHAR(5) NOT NULL' in sql


def test_schema_qualifies_references(covid: Model) -> None:
    sql = create_table_sql(covid.table("dim_hospital"), "redshift", schema="dw")
    assert 'REFERENCES "dw"."dim_region" ("fips")' in sql


HOSTILE = 'x"; DROP TABLE t; --'


def hostile_table() -> TableModel:
    return table(
        {
            "table": 'weird "table"',
            "columns": [
                {"name": "id", "type": "integer"},
                {"name": HOSTILE, "type": "varchar(10)", "nullable": False},
            ],
            "primary_key": ["id", HOSTILE],
            "redshift": {"distkey": HOSTILE, "sortkey": [HOSTILE]},
        }
    )


def test_hostile_identifier_in_duckdb() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    con.execute(create_table_sql(hostile_table(), "duckdb"))
    columns = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        ['weird "table"'],
    ).fetchall()
    assert columns == [("id",), (HOSTILE,)]
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)  # t survived


@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
def test_hostile_identifier_parses(dialect: str) -> None:
    parsed = sqlglot.parse_one(create_table_sql(hostile_table(), dialect), read=dialect)
    assert [c.name for c in parsed.find_all(exp.ColumnDef)] == ["id", HOSTILE]


IDENTITY = {
    "table": "things",
    "columns": [
        {"name": "thing_key", "type": "bigint", "identity": True},
        {"name": "label", "type": "text"},
    ],
    "primary_key": ["thing_key"],
}


@pytest.mark.parametrize(
    ("dialect", "column"),
    [
        ("duckdb", '"thing_key" BIGINT NOT NULL'),
        ("postgres", '"thing_key" BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL'),
        ("redshift", '"thing_key" BIGINT IDENTITY(1,1) NOT NULL'),
    ],
)
def test_identity_column(dialect: str, column: str) -> None:
    sql = create_table_sql(table(IDENTITY), dialect)
    assert f"    {column},\n" in sql
    if dialect == "duckdb":
        duckdb.connect().execute(sql)
    else:
        sqlglot.parse_one(sql, read=dialect)


def test_unknown_dialect_suggests() -> None:
    with pytest.raises(ModelError, match="unknown dialect 'postgress'; did you mean 'postgres'"):
        create_table_sql(table(IDENTITY), "postgress")


def test_dialect_alias() -> None:
    assert create_table_sql(table(IDENTITY), "postgresql") == create_table_sql(
        table(IDENTITY), "postgres"
    )


def test_redshift_varchar_limit() -> None:
    spec = {"table": "t", "columns": [{"name": "a", "type": "varchar(70000)"}]}
    with pytest.raises(ModelError, match=r"columns\[0\].type: varchar\(70000\) is longer"):
        create_table_sql(table(spec), "redshift")
    assert "VARCHAR(70000)" in create_table_sql(table(spec), "postgres")


def test_postgres_identifier_limit() -> None:
    spec = {"table": "t", "columns": [{"name": "a" * 64, "type": "integer"}]}
    with pytest.raises(ModelError, match="63-byte limit"):
        create_table_sql(table(spec), "postgres")


def test_invalid_table_is_refused() -> None:
    spec = {"table": "t", "columns": [{"name": "a", "type": "integer"}], "primary_key": ["b"]}
    with pytest.raises(ModelError, match="no column 'b'"):
        create_table_sql(table(spec), "duckdb")


def test_encode_and_unique() -> None:
    spec = {
        "table": "t",
        "columns": [
            {"name": "id", "type": "integer"},
            {"name": "code", "type": "varchar(3)", "unique": True},
            {"name": "n", "type": "bigint"},
        ],
        "primary_key": ["id"],
        "redshift": {
            "encode": {"n": "AZ64"},
            "sortkey": ["id", "n"],
            "sortkey_style": "interleaved",
        },
    }
    sql = create_table_sql(table(spec), "redshift")
    assert '"n" BIGINT ENCODE az64,' in sql
    assert 'UNIQUE ("code")' in sql
    assert sql.endswith('INTERLEAVED SORTKEY ("id", "n")')
    sqlglot.parse_one(sql, read="redshift")
    duckdb.connect().execute(create_table_sql(table(spec), "duckdb"))


def test_add_column_sql(covid: Model) -> None:
    region = covid.table("dim_region")
    con = duckdb.connect()
    con.execute(create_table_sql(region, "duckdb"))
    wider = region.model_copy(deep=True)
    wider.columns.append(wider.columns[0].model_copy(update={"name": "area_km2", "type": "double"}))
    con.execute(add_column_sql(wider, "area_km2", "duckdb"))
    assert con.execute("SELECT area_km2 FROM dim_region").fetchall() == []
    assert add_column_sql(wider, "area_km2", "redshift") == (
        'ALTER TABLE "dim_region" ADD COLUMN "area_km2" DOUBLE PRECISION'
    )
    sqlglot.parse_one(add_column_sql(wider, "area_km2", "redshift"), read="redshift")
    with pytest.raises(ModelError, match="no column 'nope'"):
        add_column_sql(region, "nope", "duckdb")


def test_comment_sql_runs_in_duckdb(covid: Model) -> None:
    spec = {
        "table": "t",
        "description": "It's a \\ table",
        "columns": [{"name": HOSTILE, "type": "integer", "description": "o'clock"}],
    }
    con = duckdb.connect()
    con.execute(create_table_sql(table(spec), "duckdb"))
    for statement in comment_sql(table(spec), "duckdb"):
        con.execute(statement)
    assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 't'").fetchone() == (
        "It's a \\ table",
    )
    assert con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 't'"
    ).fetchone() == ("o'clock",)
    assert "'It''s a \\\\ table'" in comment_sql(table(spec), "redshift")[0]
    for t in covid:
        for statement in comment_sql(t, "postgres"):
            sqlglot.parse_one(statement, read="postgres")
