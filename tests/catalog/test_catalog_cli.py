"""CLI smoke tests for ``crawl`` and ``catalog list|show|history`` (typer's CliRunner)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lakeferry.cli import app
from lakeferry.samples.covid import KEYS

runner = CliRunner()


def cli(project: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["-p", str(project), *args])
    assert result.exit_code == code, result.output
    return result.output


def cli_json(project: Path, *args: str) -> Any:
    return json.loads(cli(project, *args, "--format", "json"))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, covid_template: Path) -> Path:
    """A copy of the sampled covid project, crawled through the CLI."""
    root = tmp_path_factory.mktemp("catalog-cli") / "covid"
    shutil.copytree(covid_template, root)
    report = cli_json(root, "crawl")
    assert {r["object"] for r in report} == set(KEYS.values())
    return root


def test_crawl_report_as_json(tmp_path: Path, covid_template: Path) -> None:
    root = tmp_path / "covid"
    shutil.copytree(covid_template, root)
    rows = cli_json(root, "crawl", "covid_raw")
    by_key = {r["object"]: r for r in rows}
    assert set(by_key) == set(KEYS.values())
    assert by_key[KEYS["states_abv"]]["table"] == "state_abv"
    assert "cut short" in by_key[KEYS["us_county_tail"]]["problems"]
    assert "before its trailer" in by_key[KEYS["jhu_tail"]]["problems"]
    text = cli(root, "crawl")
    assert "covid.us_county: unchanged" in text


def test_crawl_unknown_crawler_suggests(crawled: Path) -> None:
    out = cli(crawled, "crawl", "covid_rwa", code=1)
    assert "no crawler 'covid_rwa'" in out
    assert "did you mean 'covid_raw'?" in out


def test_catalog_list_json(crawled: Path) -> None:
    tables = cli_json(crawled, "catalog", "list")
    assert len(tables) == 11
    assert {t["database"] for t in tables} == {"covid"}
    county = next(t for t in tables if t["name"] == "us_county")
    assert county["format"] == "csv" and county["version"] == 1
    assert county["location"] == "s3://covid19-lake/enigma-nytimes-data-in-usa/csv/us_county/"


def test_catalog_list_table_and_csv(crawled: Path) -> None:
    table = cli(crawled, "catalog", "list")
    assert "catalog" in table.splitlines()[0] and "us_daily" in table
    lines = cli(crawled, "catalog", "list", "--format", "csv").splitlines()
    assert lines[0] == "database,table,format,columns,objects,version,location"
    assert len(lines) == 12


def test_catalog_show_json(crawled: Path) -> None:
    table = cli_json(crawled, "catalog", "show", "us_county")
    assert table["name"] == "us_county"
    assert [(c["name"], c["type"]) for c in table["columns"]] == [
        ("date", "date"),
        ("county", "string"),
        ("state", "string"),
        ("fips", "bigint"),
        ("cases", "bigint"),
        ("deaths", "bigint"),
    ]
    assert [o["key"] for o in table["objects"]] == [KEYS["us_county"], KEYS["us_county_tail"]]
    assert table["partitions"] == []
    qualified = cli_json(crawled, "catalog", "show", "covid.us_county")
    assert qualified["columns"] == table["columns"]


def test_catalog_show_table_format(crawled: Path) -> None:
    out = cli(crawled, "catalog", "show", "states_daily")
    assert "covid.states_daily v1" in out
    assert "%Y%m%d" in out


def test_catalog_show_unknown_table(crawled: Path) -> None:
    out = cli(crawled, "catalog", "show", "us_conty", code=1)
    assert "no table covid.us_conty" in out
    assert "nearest: covid.us_county" in out


def test_catalog_history_json(crawled: Path) -> None:
    history = cli_json(crawled, "catalog", "history", "us_county")
    assert [h["version"] for h in history] == [1]
    assert history[0]["added"][:2] == ["date date", "county string"]


def test_adhoc_crawl_of_a_path(crawled: Path) -> None:
    rows = cli_json(
        crawled, "crawl", "--path", "s3://covid19-lake/static-datasets/", "--database", "adhoc"
    )
    assert {r["table"] for r in rows} == {"county_population", "countrycode", "state_abv"}
    adhoc = cli_json(crawled, "catalog", "list", "--database", "adhoc")
    assert sorted(t["name"] for t in adhoc) == ["countrycode", "county_population", "state_abv"]
    abv = cli_json(crawled, "catalog", "show", "adhoc.state_abv")
    assert [c["original_name"] for c in abv["columns"]] == ["State", "Abbreviation"]


def test_adhoc_crawl_refuses_a_bad_path(crawled: Path) -> None:
    out = cli(crawled, "crawl", "--path", "s3://Bad_Bucket/x/", code=1)
    assert "invalid bucket name 'Bad_Bucket'" in out


def test_missing_project(tmp_path: Path) -> None:
    out = cli(tmp_path, "catalog", "list", code=1)
    assert "no lakeferry.yml" in out and "lakeferry init" in out
