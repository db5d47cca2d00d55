"""The covid star schema the ETL publishes: grain, the sample's truths, files and manifests.

Everything here reads the processed zone of the shared finished project (``covid_done``)
through the files each ``_manifest.json`` lists, with DuckDB and Python's csv module.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lakeferry import Project
from lakeferry.etl import read_manifest
from lakeferry.samples.covid import CovidSampleSummary
from lakeferry.storage import S3Uri

GRAIN = {
    "dim_date": ["date_key"],
    "dim_region": ["fips"],
    "dim_hospital": ["hospital_key"],
    "fact_covid_county_daily": ["date_key", "fips"],
    "fact_covid_state_testing_daily": ["date_key", "state_abbr"],
}
FACTS = ("fact_covid_county_daily", "fact_covid_state_testing_daily")


def manifest(project: Project, table: str) -> dict:
    found = read_manifest(project.store, project.processed, table)
    assert found is not None
    return found


def file_path(project: Project, uri: str) -> str:
    return project.store.duckdb_path(S3Uri.parse(uri))


def parquet_of(project: Project, table: str) -> str:
    """``read_parquet([...])`` over the Parquet files the table's manifest lists."""
    files = [f["uri"] for f in manifest(project, table)["files"] if f["format"] == "parquet"]
    return "read_parquet([" + ", ".join(f"'{file_path(project, u)}'" for u in files) + "])"


def scalar(sql: str) -> object:
    row = duckdb.sql(sql).fetchone()
    assert row is not None
    return row[0]


def date_key(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


@pytest.mark.parametrize("table", list(GRAIN))
def test_one_row_per_key(covid_done: Project, table: str) -> None:
    key = ", ".join(GRAIN[table])
    src = parquet_of(covid_done, table)
    rows = scalar(f"SELECT count(*) FROM {src}")
    distinct = scalar(f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {src})")
    null_keys = scalar(
        f"SELECT count(*) FROM {src} WHERE " + " OR ".join(f"{c} IS NULL" for c in GRAIN[table])
    )
    assert rows == manifest(covid_done, table)["rows"]
    assert rows > 0
    assert distinct == rows, f"{table}: {rows - distinct} rows repeat a key of ({key})"
    assert null_keys == 0


def test_row_counts_match_the_sample(covid_done: Project, covid_truth: CovidSampleSummary) -> None:
    counts = {t: scalar(f"SELECT count(*) FROM {parquet_of(covid_done, t)}") for t in GRAIN}
    assert counts == {
        "dim_date": covid_truth.days,
        "dim_region": covid_truth.counties,
        "dim_hospital": covid_truth.hospitals,
        "fact_covid_county_daily": covid_truth.county_days,
        "fact_covid_state_testing_daily": covid_truth.state_days,
    }


def test_county_fact_totals_on_the_last_day(
    covid_done: Project, covid_truth: CovidSampleSummary
) -> None:
    fact = parquet_of(covid_done, "fact_covid_county_daily")
    last = date_key(covid_truth.last_date)
    assert scalar(f"SELECT max(date_key) FROM {fact}") == last
    assert (
        scalar(f"SELECT sum(cases) FROM {fact} WHERE date_key = {last}")
        == covid_truth.total_cases_last_day
    )
    assert (
        scalar(f"SELECT sum(deaths) FROM {fact} WHERE date_key = {last}")
        == covid_truth.total_deaths_last_day
    )


def test_new_cases_add_up_to_the_last_cumulative_count(covid_done: Project) -> None:
    fact = parquet_of(covid_done, "fact_covid_county_daily")
    mismatches = duckdb.sql(
        f"""
        SELECT fips, sum(new_cases) AS added, arg_max(cases, date_key) AS last_cases,
               sum(new_deaths) AS died, arg_max(deaths, date_key) AS last_deaths
        FROM {fact} GROUP BY fips
        HAVING added IS DISTINCT FROM last_cases OR died IS DISTINCT FROM last_deaths
        """
    ).fetchall()
    assert mismatches == []
    assert scalar(f"SELECT count(DISTINCT fips) FROM {fact}") > 1


def test_dim_date_covers_every_fact_day_without_gaps(
    covid_done: Project, covid_truth: CovidSampleSummary
) -> None:
    dates = parquet_of(covid_done, "dim_date")
    first, last, rows = duckdb.sql(f"SELECT min(date), max(date), count(*) FROM {dates}").fetchone()  # type: ignore[misc]
    assert (last - first).days + 1 == rows, "dim_date skips days"
    assert first <= covid_truth.first_date and last >= covid_truth.last_date
    for fact in FACTS:
        missing = scalar(
            f"SELECT count(*) FROM {parquet_of(covid_done, fact)} f"
            f" ANTI JOIN {dates} d USING (date_key)"
        )
        assert missing == 0, f"{fact} has days dim_date lacks"
    wrong = scalar(
        f"""SELECT count(*) FROM {dates} WHERE date_key <> CAST(strftime(date, '%Y%m%d') AS INTEGER)
            OR year <> year(date) OR month <> month(date) OR day <> day(date)
            OR quarter <> quarter(date) OR is_weekend <> (isodow(date) >= 6)"""
    )
    assert wrong == 0


def test_dim_region_one_row_per_fips_with_state(covid_done: Project) -> None:
    region = parquet_of(covid_done, "dim_region")
    bad = duckdb.sql(
        f"""SELECT fips, state, state_abbr, state_fips FROM {region}
            WHERE length(fips) <> 5 OR NOT regexp_full_match(fips, '[0-9]{{5}}')
               OR state_abbr IS NULL OR length(state_abbr) <> 2
               OR state_fips <> left(fips, 2) OR county IS NULL OR state IS NULL"""
    ).fetchall()
    assert bad == []
    # every county the fact table reports is in the dimension (the join key keeps its zeros)
    fact = parquet_of(covid_done, "fact_covid_county_daily")
    orphans = scalar(f"SELECT count(*) FROM {fact} ANTI JOIN {region} USING (fips)")
    assert orphans == 0
    assert scalar(f"SELECT count(*) FROM {region} WHERE fips LIKE '0%'") > 0


@pytest.mark.parametrize("table", list(GRAIN))
def test_csv_and_parquet_hold_identical_rows(covid_done: Project, table: str) -> None:
    files = {
        f["format"]: file_path(covid_done, f["uri"]) for f in manifest(covid_done, table)["files"]
    }
    assert set(files) == {"csv", "parquet"}
    with open(files["csv"], newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh, strict=True))
    parquet = duckdb.sql(f"SELECT * FROM read_parquet('{files['parquet']}')")
    assert header == parquet.columns
    as_text = ", ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in parquet.columns)
    expected = [
        list(r)
        for r in duckdb.sql(f"SELECT {as_text} FROM read_parquet('{files['parquet']}')").fetchall()
    ]
    assert len(rows) == len(expected) > 0
    assert rows == expected


@pytest.mark.parametrize("table", list(GRAIN))
def test_manifest_describes_its_files(covid_done: Project, table: str) -> None:
    found = manifest(covid_done, table)
    model = covid_done.model.table(table)
    assert found["table"] == table and found["job"] == "star_schema"
    assert [c["name"] for c in found["schema"]] == model.column_names()
    assert len(found["files"]) == 2
    for entry in found["files"]:
        uri = S3Uri.parse(entry["uri"])
        assert f"/{table}/{found['run_id']}/" in uri.key
        path = Path(file_path(covid_done, entry["uri"]))
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        if entry["format"] == "parquet":
            rows = scalar(f"SELECT count(*) FROM read_parquet('{path}')")
        else:
            with path.open(newline="", encoding="utf-8") as fh:
                rows = sum(1 for _ in csv.reader(fh)) - 1
        assert entry["rows"] == rows == found["rows"]


def test_quarantine_lists_exactly_the_damaged_lines(
    covid_done: Project, covid_truth: CovidSampleSummary
) -> None:
    run_id = manifest(covid_done, "dim_date")["run_id"]
    uri = S3Uri.parse(covid_done.config.zones.quarantine_prefix()).join(
        "star_schema", f"{run_id}.csv"
    )
    with open(covid_done.store.duckdb_path(uri), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bucket = "s3://covid19-lake/"
    assert {(r["object"], int(r["line"])) for r in rows} == {
        (bucket + key, line) for key, line, _ in covid_truth.set_aside
    }
    assert len(rows) == len(covid_truth.set_aside) == 2
    reasons = {r["object"].removeprefix(bucket): r["reason"] for r in rows}
    for key, _, _ in covid_truth.set_aside:
        expected = "end of file" if key.endswith(".gz") else "cut short"
        assert expected in reasons[key]
    assert all(r["source"].startswith("covid.") for r in rows)
