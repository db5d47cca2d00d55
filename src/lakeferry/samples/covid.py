"""A deterministic copy of the public COVID-19 data lake, sized by ``scale``.

``generate_covid(out_dir)`` writes every object of the lake under ``out_dir`` (which
stands for ``s3://covid19-lake/``), with the columns and the irregularities the real
files have: a header that looks like data, a byte-order mark, odd suffixes, a CSV record
cut short, a gzip stream without its trailer, ``yyyymmdd`` integer dates, ``T24:00:00Z``,
numbers as strings or with exponents, fips with and without leading zeros or with
``.0``, quoted commas and doubled quotes, a misspelled column.

The data are internally consistent: state series are sums of county series, the US
series sums of states, Enigma-JHU's US rows repeat the county series on weekly snapshot
days. The returned ``CovidSampleSummary`` states what a correct pipeline should load.

Same ``seed`` and ``scale`` give byte-identical files.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from lakeferry.samples import covid_files as files
from lakeferry.samples import covid_static as static
from lakeferry.samples.covid_model import Plan, make_plan
from lakeferry.samples.covid_sql import build_tables

__all__ = ["KEYS", "CovidSampleSummary", "generate_covid", "write_summary_json"]

_NYT = "enigma-nytimes-data-in-usa"
_TESTING = "rearc-covid-19-testing-data/csv"

KEYS: dict[str, str] = {
    "jhu": "enigma-jhu/csv/Enigma-JHU.csv.gz",
    "jhu_tail": "enigma-jhu/csv/Enigma-JHU.csv.gz.014c84bE.gz",
    "us_county": f"{_NYT}/csv/us_county/us_county.csv",
    "us_county_tail": f"{_NYT}/csv/us_county/us_county.csv.fDde7E2b",
    "us_states": f"{_NYT}/csv/us_states/us_states.csv",
    "us_states_json": (
        f"{_NYT}/json/us_states/part-00000-8a3c7e2f-1b4d-4f6a-9c0e-5d2b7a1f3e94-c000.json"
    ),
    "states_daily": f"{_TESTING}/states_daily/states_daily.csv",
    "us_daily": f"{_TESTING}/us_daily/us_daily.csv",
    "us_total_latest": f"{_TESTING}/us-total-latest/us.csv",
    "hospital_beds": "rearc-usa-hospital-beds/json/usa-hospital-beds.geojson",
    "county_population": "static-datasets/csv/CountyPopulation/County_Population.csv",
    "country_codes": "static-datasets/csv/countrycode/CountryCodeQS.csv",
    "states_abv": "static-datasets/csv/state-abv/states_abv.csv",
}
"""Object keys by short name; every key is relative to the bucket (``out_dir``)."""

_US_COUNTY = """
SELECT date, county.name AS county, county.state AS state, fips, cases, deaths
FROM county_daily JOIN county USING (fips) WHERE {where}
ORDER BY date, county.state, county.name, fips
"""
_US_STATES = """
SELECT s.date, c.state, lpad(s.state_fips::VARCHAR, 2, '0') AS fips, s.cases, s.deaths
FROM state_daily s JOIN (SELECT DISTINCT state_fips, state FROM county) c USING (state_fips)
ORDER BY s.date, c.state
"""
_JHU = """
SELECT fips, admin2, province_state, country_region, last_update, latitude, longitude,
       confirmed, deaths, recovered, active, combined_key
FROM jhu WHERE day {op} {split} ORDER BY day, place, province_state, admin2
"""
_COUNTY_POPULATION = """
SELECT '0500000US' || lpad(fips::VARCHAR, 5, '0') AS "Id", fips AS "Id2",
       full_name AS "County", state AS "State", population AS "Population Estimate 2018"
FROM county ORDER BY fips
"""


@dataclass(frozen=True)
class CovidSampleSummary:
    """What was written, and the truths a correct pipeline must reproduce.

    ``objects`` maps key → bytes; ``rows`` maps key → complete data rows (a record cut
    short is not counted). ``set_aside`` lists (key, 1-based line number in the
    decompressed text, reason) for the damaged records a pipeline should quarantine.
    ``county_days`` is the number of (date, fips) rows in us_county across both objects
    minus the record cut short; ``total_cases_last_day``/``total_deaths_last_day`` sum
    the complete us_county records of ``last_date``; ``state_days`` counts
    (date, state) rows in states_daily.
    """

    out_dir: str
    scale: float
    seed: int
    objects: dict[str, int]
    rows: dict[str, int]
    set_aside: list[tuple[str, int, str]]
    counties: int
    states: int
    days: int
    first_date: date
    last_date: date
    county_days: int
    total_cases_last_day: int
    total_deaths_last_day: int
    state_days: int
    hospitals: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, tuples as lists)."""
        data = asdict(self)
        data["first_date"] = self.first_date.isoformat()
        data["last_date"] = self.last_date.isoformat()
        data["set_aside"] = [list(item) for item in self.set_aside]
        return data


def write_summary_json(summary: CovidSampleSummary, path: Path) -> None:
    """Write ``summary.to_dict()`` as indented JSON at ``path``."""
    path.write_text(json.dumps(summary.to_dict(), indent=2) + "\n", encoding="utf-8")


def generate_covid(out_dir: Path, *, scale: float = 1.0, seed: int = 7) -> CovidSampleSummary:
    """Write the covid lake under ``out_dir`` and return what was written.

    ``scale`` 1 is about 630 counties over 412 days (2020-01-21 .. 2021-03-07); days and
    counties per state both grow with ``sqrt(scale)``. Existing objects are overwritten.
    """
    out_dir = Path(out_dir)
    plan = make_plan(scale, seed)
    con = duckdb.connect()
    try:
        build_tables(con, plan)
        rows, damaged = _write_all(con, plan, out_dir)
        truths = _last_day_totals(con, plan, damaged[KEYS["us_county_tail"]])
    finally:
        con.close()
    return CovidSampleSummary(
        out_dir=str(out_dir),
        scale=scale,
        seed=seed,
        objects={key: (out_dir / key).stat().st_size for key in KEYS.values()},
        rows=rows,
        set_aside=[(key, d.bad_line, d.reason) for key, d in damaged.items()],
        counties=len(plan.counties),
        states=len({c.state_fips for c in plan.counties}),
        days=plan.n_days,
        first_date=plan.first_date,
        last_date=plan.last_date,
        county_days=rows[KEYS["us_county"]] + rows[KEYS["us_county_tail"]],
        state_days=rows[KEYS["states_daily"]],
        hospitals=rows[KEYS["hospital_beds"]],
        **truths,
    )


def _write_all(
    con: duckdb.DuckDBPyConnection, plan: Plan, out: Path
) -> tuple[dict[str, int], dict[str, files.Damage]]:
    """Write every object; return complete rows per key and the damaged objects."""
    rows = _write_nyt(con, plan, out) | _write_testing(con, out) | _write_static(con, plan, out)
    damaged = {KEYS["us_county_tail"]: files.cut_last_record(out / KEYS["us_county_tail"])}
    jhu_rows, damaged[KEYS["jhu_tail"]] = _write_jhu(con, plan, out)
    rows |= jhu_rows | {key: damage.complete_rows for key, damage in damaged.items()}
    return {key: rows[key] for key in KEYS.values()}, damaged


def _write_nyt(con: duckdb.DuckDBPyConnection, plan: Plan, out: Path) -> dict[str, int]:
    split = plan.tail_start_day
    return {
        KEYS["us_county"]: files.copy_csv(
            con, _US_COUNTY.format(where=f"day < {split}"), out / KEYS["us_county"]
        ),
        KEYS["us_county_tail"]: files.copy_csv(
            con, _US_COUNTY.format(where=f"day >= {split}"), out / KEYS["us_county_tail"]
        ),
        KEYS["us_states"]: files.copy_csv(con, _US_STATES, out / KEYS["us_states"]),
        KEYS["us_states_json"]: files.copy_jsonl(con, _US_STATES, out / KEYS["us_states_json"]),
    }


def _write_testing(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    queries = {
        "states_daily": 'SELECT * FROM states_daily ORDER BY "date" DESC, "state"',
        "us_daily": 'SELECT * FROM us_daily ORDER BY "date" DESC',
        "us_total_latest": "SELECT * FROM us_total",
    }
    return {KEYS[name]: files.copy_csv(con, sql, out / KEYS[name]) for name, sql in queries.items()}


def _write_static(con: duckdb.DuckDBPyConnection, plan: Plan, out: Path) -> dict[str, int]:
    return {
        KEYS["county_population"]: files.copy_csv(
            con, _COUNTY_POPULATION, out / KEYS["county_population"]
        ),
        KEYS["hospital_beds"]: static.write_hospitals(
            out / KEYS["hospital_beds"], plan.counties, plan.seed
        ),
        KEYS["country_codes"]: static.write_country_codes(out / KEYS["country_codes"]),
        KEYS["states_abv"]: static.write_states_abv(out / KEYS["states_abv"]),
    }


def _write_jhu(
    con: duckdb.DuckDBPyConnection, plan: Plan, out: Path
) -> tuple[dict[str, int], files.Damage]:
    """The main gzip object, then the last snapshots as a gzip stream cut short."""
    split = plan.jhu_tail_days()[0]
    main, tail = out / KEYS["jhu"], out / KEYS["jhu_tail"]
    staging = main.with_name(".staging-jhu.csv")
    try:
        main_rows = files.copy_csv(con, _JHU.format(op="<", split=split), staging)
        main.write_bytes(files.gzip_bytes(staging.read_bytes()))
        files.copy_csv(con, _JHU.format(op=">=", split=split), staging)
        truncated, damage = files.truncated_gzip(staging.read_bytes())
        tail.write_bytes(truncated)
    finally:
        staging.unlink(missing_ok=True)
    return {KEYS["jhu"]: main_rows}, damage


def _last_day_totals(
    con: duckdb.DuckDBPyConnection, plan: Plan, cut: files.Damage
) -> dict[str, int]:
    """Cases and deaths on the last day over complete us_county records.

    The record cut short is the last row of the last day, so its numbers are taken off.
    """
    row = con.execute(
        "SELECT sum(cases)::BIGINT, sum(deaths)::BIGINT FROM county_daily WHERE day = ?",
        [plan.n_days - 1],
    ).fetchone()
    cases, deaths = row if row else (0, 0)
    lost = next(csv.reader([cut.lost_record]))  # date, county, state, fips, cases, deaths
    return {
        "total_cases_last_day": cases - int(lost[4]),
        "total_deaths_last_day": deaths - int(lost[5]),
    }
