"""Build the covid sample's tables in DuckDB from a plan.

Per-day noise comes from ``u01(a, b, salt)``, a MurmurHash3 finaliser written in SQL:
it depends only on its arguments, so results do not depend on threads or on DuckDB's
own ``hash()``. Cumulative series are window sums of non-negative integer increments,
so they never decrease and sum exactly.

Tables built (all in the connection given):

- ``county``, ``reporting``, ``days``, ``snapshot`` — the plan
- ``county_daily(fips, day, date, cases, deaths)`` — the truth, one row per county-day
- ``state_daily(state_fips, day, date, cases, deaths)`` — sums over counties
- ``states_daily`` / ``us_daily`` / ``us_total`` — the testing tables, final columns
- ``jhu(day, …)`` — Enigma-JHU rows, final columns plus ``day``
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import duckdb
import pyarrow as pa

from lakeferry.samples.covid_model import Plan
from lakeferry.samples.covid_reference import NON_US_PLACES

_MACROS = """
CREATE MACRO _xs(h, s) AS xor(h, h >> s);
CREATE MACRO _mul(h, k) AS (h * k::UBIGINT) % 4294967296::UBIGINT;
CREATE MACRO fmix(h) AS
    _xs(_mul(_xs(_mul(_xs(h::UBIGINT % 4294967296::UBIGINT, 16), 2246822507), 13),
             3266489909), 16);
CREATE MACRO u01(a, b, salt) AS
    fmix(fmix(a::UBIGINT * 2654435761::UBIGINT + salt::UBIGINT) + b::UBIGINT)
    / 4294967296.0;
CREATE MACRO fl(x) AS floor(x)::BIGINT;
CREATE MACRO checked_at(d, hh, mi) AS CASE
    WHEN hh = 24 THEN strftime(d, '%Y-%m-%d') || 'T24:00:00Z'
    ELSE strftime(d + to_minutes((hh * 60 + mi)::BIGINT), '%Y-%m-%dT%H:%M:%SZ') END;
"""

_COUNTY_DAILY = """
CREATE TABLE county_new AS
SELECT c.fips, d.day, d.date,
       (d.day = c.start_day)::BIGINT
       + fl(c.population * c.attack / ({n} - c.start_day)
            * (0.35 + 0.9 * pow(sin(pi() * 1.6 * d.day / {n}), 2) + 1.4 * pow(d.day / {n}, 3))
            * (0.4 + 1.2 * u01(c.fips, d.day, {s1}))
            + u01(c.fips, d.day, {s14})) AS new_cases
FROM county c JOIN days d ON d.day >= c.start_day;

CREATE TABLE county_daily AS
SELECT fips, day, date, cases,
       fl(coalesce(lag(cases, 14) OVER (PARTITION BY fips ORDER BY day), 0) * death_rate)
           AS deaths
FROM (SELECT n.*, (sum(new_cases) OVER (PARTITION BY fips ORDER BY day))::BIGINT AS cases
      FROM county_new n)
JOIN county USING (fips);

CREATE TABLE state_daily AS
SELECT state_fips, day, any_value(date) AS date,
       sum(cases)::BIGINT AS cases, sum(deaths)::BIGINT AS deaths
FROM county_daily JOIN county USING (fips)
GROUP BY state_fips, day;
"""

_TESTING_BASE = """
CREATE TABLE testing AS
SELECT *,
       (sum(fl(new_pos * (3 + 9 * u01(state_fips, day, {s2})) + 20)) OVER w)::BIGINT AS neg,
       (sum(fl(new_pos * 0.05)) OVER w)::BIGINT AS hosp_cum,
       CASE WHEN age >= 14 AND u01(state_fips, day, {s3}) > 0.03
            THEN fl(active14 * (0.03 + 0.02 * u01(state_fips, day, {s4}))) END AS hosp_cur,
       CASE WHEN day = {last} THEN 24 ELSE 18 + fl(7 * u01(state_fips, day, {s5})) END AS hh,
       CASE WHEN hh = 24 THEN 0 ELSE fl(60 * u01(state_fips, day, {s6})) END AS mi
FROM (
    SELECT s.*, r.*, c.abbr,
           s.cases - coalesce(lag(s.cases) OVER w, 0) AS new_pos,
           s.deaths - coalesce(lag(s.deaths) OVER w, 0) AS new_death,
           s.cases - coalesce(lag(s.cases, 14) OVER w, 0) AS active14,
           coalesce(lag(s.cases, 21) OVER w, 0) AS p21,
           row_number() OVER w - 1 AS age
    FROM state_daily s
    JOIN reporting r USING (state_fips)
    JOIN (SELECT DISTINCT state_fips, state_abbr AS abbr FROM county) c USING (state_fips)
    WINDOW w AS (PARTITION BY s.state_fips ORDER BY s.day))
WINDOW w AS (PARTITION BY state_fips ORDER BY day);
"""

_STATES_DAILY = """
CREATE TABLE states_daily AS
SELECT
    strftime(date, '%Y%m%d')::INTEGER AS "date", abbr AS "state", cases AS "positive",
    CASE WHEN probable THEN fl(cases * 0.04) END AS "probableCases",
    neg AS "negative",
    CASE WHEN u01(state_fips, day, {s7}) < 0.08
         THEN fl(900 * u01(state_fips, day, {s8})) END AS "pending",
    CASE WHEN viral THEN 'totalTestsViral' ELSE 'posNeg' END AS "totalTestResultsSource",
    cases + neg AS "totalTestResults",
    hosp_cur AS "hospitalizedCurrently",
    CASE WHEN hosp_cumulative THEN hosp_cum END AS "hospitalizedCumulative",
    CASE WHEN icu THEN fl(hosp_cur * 0.24) END AS "inIcuCurrently",
    CASE WHEN icu AND hosp_cumulative THEN fl(hosp_cum * 0.2) END AS "inIcuCumulative",
    CASE WHEN ventilator THEN fl(hosp_cur * 0.09) END AS "onVentilatorCurrently",
    CASE WHEN ventilator AND hosp_cumulative THEN fl(hosp_cum * 0.07) END
        AS "onVentilatorCumulative",
    CASE WHEN recovered THEN fl(p21 * 0.93) END AS "recovered",
    strftime(date + to_minutes((hh * 60 + mi - 300)::BIGINT), '%-m/%-d/%Y %H:%M')
        AS "lastUpdateEt",
    checked_at(date, hh, mi) AS "dateModified",
    strftime(date + to_minutes((hh * 60 + mi - 300)::BIGINT), '%m/%d %H:%M') AS "checkTimeEt",
    deaths AS "death",
    CASE WHEN hosp_cumulative THEN hosp_cum END AS "hospitalized",
    CASE WHEN recovered AND hosp_cumulative THEN fl(hosp_cum * 0.7) END
        AS "hospitalizedDischarged",
    checked_at(date, hh, mi) AS "dateChecked",
    CASE WHEN viral THEN cases + neg END AS "totalTestsViral",
    CASE WHEN viral THEN fl(cases * 1.05) END AS "positiveTestsViral",
    CASE WHEN viral THEN neg END AS "negativeTestsViral",
    CASE WHEN viral THEN cases END AS "positiveCasesViral",
    CASE WHEN probable THEN fl(deaths * 0.9) END AS "deathConfirmed",
    CASE WHEN probable THEN deaths - fl(deaths * 0.9) END AS "deathProbable",
    CASE WHEN viral AND antigen THEN fl((cases + neg) * 1.1) END AS "totalTestEncountersViral",
    CASE WHEN viral THEN fl((cases + neg) * 0.7) END AS "totalTestsPeopleViral",
    CASE WHEN antibody THEN fl((cases + neg) * 0.05) END AS "totalTestsAntibody",
    CASE WHEN antibody THEN fl((cases + neg) * 0.005) END AS "positiveTestsAntibody",
    CASE WHEN antibody THEN fl((cases + neg) * 0.05) - fl((cases + neg) * 0.005) END
        AS "negativeTestsAntibody",
    NULL::BIGINT AS "totalTestsPeopleAntibody",
    NULL::BIGINT AS "positiveTestsPeopleAntibody",
    NULL::BIGINT AS "negativeTestsPeopleAntibody",
    CASE WHEN antigen THEN fl((cases + neg) * 0.08) END AS "totalTestsPeopleAntigen",
    CASE WHEN antigen THEN fl((cases + neg) * 0.004) END AS "positiveTestsPeopleAntigen",
    CASE WHEN antigen THEN fl((cases + neg) * 0.09) END AS "totalTestsAntigen",
    CASE WHEN antigen THEN fl((cases + neg) * 0.005) END AS "positiveTestsAntigen",
    lpad(state_fips::VARCHAR, 2, '0') AS "fips",
    new_pos AS "positiveIncrease",
    neg - coalesce(lag(neg) OVER w, 0) AS "negativeIncrease",
    cases + neg AS "total",
    cases + neg - coalesce(lag(cases + neg) OVER w, 0) AS "totalTestResultsIncrease",
    cases + neg AS "posNeg",
    CASE WHEN u01(state_fips, day, {s9}) < 0.5 THEN NULL
         ELSE ['A+', 'A', 'B', 'C', 'D', 'F'][1 + fl(6 * u01(state_fips, day, {s10}))] END
        AS "dataQualityGrade",
    new_death AS "deathIncrease",
    CASE WHEN hosp_cumulative THEN hosp_cum - coalesce(lag(hosp_cum) OVER w, 0) ELSE 0 END
        AS "hospitalizedIncrease",
    sha1(concat_ws('|', abbr, date, cases, neg, deaths)) AS "hash",
    0 AS "commercialScore", 0 AS "negativeRegularScore", 0 AS "negativeScore",
    0 AS "positiveScore", 0 AS "score", NULL::VARCHAR AS "grade"
FROM testing
WINDOW w AS (PARTITION BY state_fips ORDER BY day);
"""

_US_DAILY = """
CREATE TABLE us_daily AS
WITH agg AS (
    SELECT "date", count(*) AS "states",
        sum("positive") AS "positive", sum("negative") AS "negative",
        sum("pending") AS "pending",
        sum("hospitalizedCurrently") AS "hospitalizedCurrently",
        sum("hospitalizedCumulative") AS "hospitalizedCumulative",
        sum("inIcuCurrently") AS "inIcuCurrently", sum("inIcuCumulative") AS "inIcuCumulative",
        sum("onVentilatorCurrently") AS "onVentilatorCurrently",
        sum("onVentilatorCumulative") AS "onVentilatorCumulative",
        sum("death") AS "death", sum("hospitalized") AS "hospitalized",
        sum("totalTestResults") AS "totalTestResults", sum("recovered") AS "recovered",
        sum("total") AS "total", sum("posNeg") AS "posNeg",
        sum("deathIncrease") AS "deathIncrease",
        sum("hospitalizedIncrease") AS "hospitalizedIncrease",
        sum("negativeIncrease") AS "negativeIncrease",
        sum("positiveIncrease") AS "positiveIncrease",
        sum("totalTestResultsIncrease") AS "totalTestResultsIncrease"
    FROM states_daily GROUP BY "date"),
hours AS (
    SELECT *,
        CASE WHEN "date" = (SELECT max("date") FROM agg) THEN 24
             ELSE 18 + fl(7 * u01(0, "date", {s11})) END AS hh
    FROM agg),
timed AS (
    SELECT *, CASE WHEN hh = 24 THEN 0 ELSE fl(60 * u01(0, "date", {s12})) END AS mi
    FROM hours)
SELECT "date", "states", "positive", "negative", "pending", "hospitalizedCurrently",
    "hospitalizedCumulative", "inIcuCurrently", "inIcuCumulative", "onVentilatorCurrently",
    "onVentilatorCumulative",
    checked_at(strptime("date"::VARCHAR, '%Y%m%d')::DATE, hh, mi) AS "dateChecked",
    "death", "hospitalized", "totalTestResults",
    checked_at(strptime("date"::VARCHAR, '%Y%m%d')::DATE, hh, mi) AS "lastModified",
    "recovered", "total", "posNeg", "deathIncrease", "hospitalizedIncrease",
    "negativeIncrease", "positiveIncrease", "totalTestResultsIncrease",
    sha1(concat_ws('|', 'US', "date", "positive", "negative")) AS "hash"
FROM timed;
"""

_US_TOTAL = """
CREATE TABLE us_total AS
SELECT "positive", "negative", "pending", "hospitalizedCurrently", "hospitalizedCumulative",
    "inIcuCurrently", "inIcuCumulative", "onVentilatorCurrently", "onVentilatorCumulative",
    "recovered", "hash", "lastModified", "death", "hospitalized", "total",
    "totalTestResults", "posNeg",
    'NOTE: "total", "posNeg", "hospitalized" are deprecated, use "totalTestResults", '
    || '"hospitalizedCumulative" instead' AS "notes"
FROM us_daily WHERE "date" = (SELECT max("date") FROM us_daily);
"""

_JHU = """
CREATE TABLE jhu AS
SELECT d.day, 0 AS place,
    c.fips::DOUBLE AS fips, c.name AS admin2, c.state AS province_state,
    'US' AS country_region,
    strftime(d.date + to_minutes((1380 + fl(59 * u01(c.fips, d.day, {s13})))::BIGINT),
             '%Y-%m-%dT%H:%M:%S') AS last_update,
    c.lat AS latitude, c.lon AS longitude, d.cases AS confirmed, d.deaths AS deaths,
    0 AS recovered, d.cases - d.deaths AS active,
    c.name || ', ' || c.state || ', US' AS combined_key
FROM county_daily d JOIN county c USING (fips) JOIN snapshot s USING (day)
UNION ALL
SELECT s.day, p.place, NULL, NULL, p.province, p.country,
    strftime(s.date + to_minutes((1380 + fl(59 * u01(p.place, s.day, {s13})))::BIGINT),
             '%Y-%m-%dT%H:%M:%S'),
    p.lat, p.lon, x.confirmed, fl(x.confirmed * 0.03), fl(x.confirmed * 0.6),
    x.confirmed - fl(x.confirmed * 0.03) - fl(x.confirmed * 0.6),
    concat_ws(', ', p.province, p.country)
FROM place p CROSS JOIN snapshot s
CROSS JOIN LATERAL (SELECT fl(p.size * pow((s.day + 1) / {n}, 1.6)) AS confirmed) x;
"""


def build_tables(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create every table of the sample in ``con`` (see the module docstring)."""
    _load_plan(con, plan)
    params = _params(plan)
    for sql in (_MACROS, _COUNTY_DAILY, _TESTING_BASE, _STATES_DAILY, _US_DAILY, _US_TOTAL, _JHU):
        con.execute(sql.format(**params) if sql is not _MACROS else sql)


def _params(plan: Plan) -> dict[str, int]:
    """SQL parameters: sizes and one noise salt per use, all derived from the seed."""
    params = {"n": plan.n_days, "last": plan.n_days - 1}
    for k in range(1, 15):
        params[f"s{k}"] = (plan.seed * 7919 + k * 104_729) % 4_294_967_296
    return params


def _load_plan(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    tables = {
        "county": pa.Table.from_pylist([asdict(c) for c in plan.counties]),
        "reporting": pa.Table.from_pylist([asdict(r) for r in plan.reporting]),
        "days": pa.table(
            {
                "day": list(range(plan.n_days)),
                "date": [plan.first_date + timedelta(days=d) for d in range(plan.n_days)],
            }
        ),
        "place": pa.Table.from_pylist(
            [{"place": i + 1, **p._asdict()} for i, p in enumerate(NON_US_PLACES)]
        ),
    }
    for name, table in tables.items():
        con.register(f"_{name}_src", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}_src")
        con.unregister(f"_{name}_src")
    snapshot = ",".join(f"({d})" for d in plan.snapshot_days())
    con.execute(
        f"CREATE TABLE snapshot AS SELECT v.day, d.date "
        f"FROM (VALUES {snapshot}) v(day) JOIN days d USING (day)"
    )
