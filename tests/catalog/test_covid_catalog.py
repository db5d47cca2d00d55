"""The covid sample, crawled: the tables, and every column compared with a golden file.

The golden file was written from the crawler's output once and checked by eye against
/work/shared/covid-lake.md. After a deliberate change to the crawler, rewrite it with
``LAKEFERRY_UPDATE_GOLDEN=1 pytest tests/catalog`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from lakeferry import Project
from lakeferry.catalog.crawler import CrawlReport
from lakeferry.samples.covid import KEYS

GOLDEN = Path(__file__).with_name("golden_covid_catalog.json")
TABLES = {
    "countrycode",
    "county_population",
    "enigma_jhu",
    "state_abv",
    "states_daily",
    "us_county",
    "us_daily",
    "us_states",
    "us_states_json",
    "us_total_latest",
    "usa_hospital_beds",
}

Crawled = tuple[Project, list[CrawlReport]]


def snapshot(project: Project) -> dict[str, Any]:
    """What the golden file holds: per table, how it is read and its columns."""
    return {
        t.name: {
            "format": t.format,
            "compression": t.compression,
            "header": t.serde.get("header"),
            "columns": [[c.name, c.original_name, c.type, c.format] for c in t.columns],
        }
        for t in project.catalog.list_tables("covid")
    }


def golden_text(data: dict[str, Any]) -> str:
    """JSON with one column per line, so a review reads like a table."""
    tables = []
    for name, table in data.items():
        head = {k: v for k, v in table.items() if k != "columns"}
        cols = ",\n".join(f"    {json.dumps(c)}" for c in table["columns"])
        body = json.dumps(head)[1:-1]
        tables.append(f'  "{name}": {{{body}, "columns": [\n{cols}\n  ]}}')
    return "{\n" + ",\n".join(tables) + "\n}\n"


@pytest.fixture(scope="module")
def golden(covid_crawl: Crawled) -> dict[str, Any]:
    if os.environ.get("LAKEFERRY_UPDATE_GOLDEN"):
        GOLDEN.write_text(golden_text(snapshot(covid_crawl[0])), encoding="utf-8")
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def column(project: Project, table: str, name: str) -> tuple[str | None, str, str | None]:
    found = {c.name: c for c in project.catalog.get_table("covid", table).columns}
    c = found[name]
    return c.original_name, c.type, c.format


def test_the_set_of_tables(covid_crawl: Crawled, golden: dict[str, Any]) -> None:
    project, reports = covid_crawl
    assert {t.name for t in project.catalog.list_tables("covid")} == TABLES
    assert set(golden) == TABLES
    assert reports[0].tables == dict.fromkeys(sorted(reports[0].tables), "created")


@pytest.mark.parametrize("table", sorted(TABLES))
def test_columns_match_the_golden_file(
    covid_crawl: Crawled, golden: dict[str, Any], table: str
) -> None:
    assert snapshot(covid_crawl[0])[table] == golden[table]


@pytest.mark.parametrize(
    ("table", "name", "expected"),
    [
        ("states_daily", "date", ("date", "date", "%Y%m%d")),
        ("us_daily", "date", ("date", "date", "%Y%m%d")),
        ("states_daily", "last_update_et", ("lastUpdateEt", "timestamp", "%m/%d/%Y %H:%M")),
        ("states_daily", "date_checked", ("dateChecked", "timestamp", None)),  # T24:00:00Z
        ("states_daily", "hospitalized_currently", ("hospitalizedCurrently", "bigint", None)),
        ("states_daily", "fips", ("fips", "string", None)),  # "02": zeros kept
        ("us_county", "fips", ("fips", "bigint", None)),
        ("us_county", "date", ("date", "date", None)),
        ("us_states_json", "fips", ("fips", "string", None)),
        ("us_states_json", "cases", ("cases", "bigint", None)),
        ("usa_hospital_beds", "longtitude", ("longtitude", "double", None)),
        ("usa_hospital_beds", "hospital_name", ("HOSPITAL_NAME", "string", None)),
        ("usa_hospital_beds", "hq_zip_code", ("HQ_ZIP_CODE", "string", None)),
        ("usa_hospital_beds", "num_staffed_beds", ("NUM_STAFFED_BEDS", "double", None)),  # 3.96E2
        (
            "county_population",
            "population_estimate_2018",
            ("Population Estimate 2018", "bigint", None),
        ),
        ("countrycode", "country", ("Country", "string", None)),  # no byte-order mark
        ("countrycode", "alpha_2_code", ("Alpha-2 code", "string", None)),
        ("state_abv", "state", ("State", "string", None)),
        ("state_abv", "abbreviation", ("Abbreviation", "string", None)),
        ("enigma_jhu", "last_update", ("last_update", "timestamp", None)),
        ("us_total_latest", "notes", ("notes", "string", None)),
    ],
)
def test_columns_from_the_lake_description(
    covid_crawl: Crawled, table: str, name: str, expected: tuple[str, str, str | None]
) -> None:
    assert column(covid_crawl[0], table, name) == expected


def test_how_tables_are_read(covid_crawl: Crawled) -> None:
    catalog = covid_crawl[0].catalog
    jhu = catalog.get_table("covid", "enigma_jhu")
    assert (jhu.format, jhu.compression) == ("csv", "gzip")
    assert [o.key for o in jhu.objects] == [KEYS["jhu"], KEYS["jhu_tail"]]
    county = catalog.get_table("covid", "us_county")
    assert [o.key for o in county.objects] == [KEYS["us_county"], KEYS["us_county_tail"]]
    assert catalog.get_table("covid", "countrycode").serde["bom"] is True
    assert catalog.get_table("covid", "state_abv").serde["header"] is True
    beds = catalog.get_table("covid", "usa_hospital_beds")
    assert beds.location == "s3://covid19-lake/rearc-usa-hospital-beds/json/"
    assert beds.format == "json"
    assert all(t.version == 1 for t in catalog.list_tables("covid"))


def test_cut_short_objects_are_reported(covid_crawl: Crawled) -> None:
    report = {o.key: o for o in covid_crawl[1][0].objects}
    assert len(report) == len(KEYS)
    tail = report[KEYS["us_county_tail"]]
    assert (tail.classified_as, tail.table) == ("csv", "us_county")
    assert any("last record cut short" in p for p in tail.problems)
    gz_tail = report[KEYS["jhu_tail"]]
    assert (gz_tail.classified_as, gz_tail.table) == ("csv", "enigma_jhu")
    assert any("gzip stream ends before its trailer" in p for p in gz_tail.problems)
    clean = [k for k in KEYS.values() if k not in (KEYS["us_county_tail"], KEYS["jhu_tail"])]
    assert [report[k].problems for k in clean] == [[] for _ in clean]
    rows = {r["object"]: r for r in covid_crawl[1][0].rows()}
    assert "cut short" in rows[KEYS["us_county_tail"]]["problems"]
