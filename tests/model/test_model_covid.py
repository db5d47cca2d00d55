"""The bundled covid star schema: exactly the tables, columns and keys other stages use."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pyarrow as pa
import pytest

from lakeferry.model import Model, load_model

COVID = Path(str(files("lakeferry") / "examples" / "covid" / "model"))

EXPECTED: dict[str, list[tuple[str, str]]] = {
    "dim_date": [
        ("date_key", "integer"),
        ("date", "date"),
        ("year", "smallint"),
        ("quarter", "smallint"),
        ("month", "smallint"),
        ("day", "smallint"),
        ("day_of_week", "smallint"),
        ("is_weekend", "boolean"),
    ],
    "dim_region": [
        ("fips", "varchar(5)"),
        ("county", "varchar"),
        ("state", "varchar"),
        ("state_abbr", "varchar(2)"),
        ("state_fips", "varchar(2)"),
        ("latitude", "double"),
        ("longitude", "double"),
        ("population", "bigint"),
    ],
    "dim_hospital": [
        ("hospital_key", "integer"),
        ("name", "varchar"),
        ("type", "varchar"),
        ("address", "varchar"),
        ("city", "varchar"),
        ("state_abbr", "varchar(2)"),
        ("zip", "varchar(10)"),
        ("fips", "varchar(5)"),
        ("licensed_beds", "integer"),
        ("staffed_beds", "integer"),
        ("icu_beds", "integer"),
        ("ventilator_usage", "double"),
    ],
    "fact_covid_county_daily": [
        ("date_key", "integer"),
        ("fips", "varchar(5)"),
        ("cases", "bigint"),
        ("deaths", "bigint"),
        ("new_cases", "bigint"),
        ("new_deaths", "bigint"),
    ],
    "fact_covid_state_testing_daily": [
        ("date_key", "integer"),
        ("state_abbr", "varchar(2)"),
        ("state_fips", "varchar(2)"),
        ("positive", "bigint"),
        ("negative", "bigint"),
        ("total_test_results", "bigint"),
        ("hospitalized_currently", "bigint"),
        ("in_icu_currently", "bigint"),
        ("on_ventilator_currently", "bigint"),
        ("deaths", "bigint"),
    ],
}

KEYS = {
    "dim_date": (["date_key"], [], ("all", None, ["date_key"])),
    "dim_region": (["fips"], [], ("all", None, [])),
    "dim_hospital": (["hospital_key"], [("fips", "dim_region")], ("all", None, [])),
    "fact_covid_county_daily": (
        ["date_key", "fips"],
        [("date_key", "dim_date"), ("fips", "dim_region")],
        ("key", "fips", ["date_key"]),
    ),
    "fact_covid_state_testing_daily": (
        ["date_key", "state_abbr"],
        [("date_key", "dim_date")],
        ("key", "state_abbr", ["date_key"]),
    ),
}


@pytest.fixture(scope="module")
def covid() -> Model:
    return load_model(COVID)


def test_exactly_five_tables(covid: Model) -> None:
    assert sorted(covid.tables) == sorted(EXPECTED)
    assert sorted(p.stem for p in COVID.glob("*.yml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_columns_and_types(covid: Model, name: str) -> None:
    assert [(c.name, c.type) for c in covid.table(name).columns] == EXPECTED[name]


@pytest.mark.parametrize("name", list(KEYS))
def test_keys_and_redshift(covid: Model, name: str) -> None:
    table = covid.table(name)
    primary_key, foreign_keys, (diststyle, distkey, sortkey) = KEYS[name]
    assert table.primary_key == primary_key
    assert table.grain == primary_key
    found = [(fk.columns[0], fk.references.table) for fk in table.foreign_keys]
    assert found == foreign_keys
    assert table.redshift is not None
    assert (table.redshift.diststyle, table.redshift.distkey) == (diststyle, distkey)
    assert table.redshift.sortkey == sortkey


@pytest.mark.parametrize("name", list(EXPECTED))
def test_descriptions_everywhere(covid: Model, name: str) -> None:
    table = covid.table(name)
    assert table.description.strip()
    assert all(c.description.strip() for c in table.columns)


def test_nullability(covid: Model) -> None:
    assert covid.table("dim_hospital").column("fips").nullable is True
    assert covid.table("fact_covid_state_testing_daily").column("state_abbr").nullable is False
    for table in covid:
        assert all(not table.column(k).nullable for k in table.primary_key)


def test_load_order(covid: Model) -> None:
    assert [t.name for t in covid.load_order()] == [
        "dim_date",
        "dim_region",
        "dim_hospital",
        "fact_covid_county_daily",
        "fact_covid_state_testing_daily",
    ]


def test_arrow_schema(covid: Model) -> None:
    schema = covid.table("fact_covid_county_daily").arrow_schema()
    assert schema == pa.schema(
        [
            pa.field("date_key", pa.int32(), nullable=False),
            pa.field("fips", pa.string(), nullable=False),
            pa.field("cases", pa.int64()),
            pa.field("deaths", pa.int64()),
            pa.field("new_cases", pa.int64()),
            pa.field("new_deaths", pa.int64()),
        ]
    )
    dates = covid.table("dim_date").arrow_schema()
    assert dates.field("date").type == pa.date32()
    assert dates.field("is_weekend").type == pa.bool_()
    assert covid.table("dim_region").arrow_schema().field("latitude").type == pa.float64()
