"""A small, hand-made covid star schema in an in-memory DuckDB warehouse.

Six states (so "top five by tests" has one to drop), eight counties, four hospitals and
twenty days, with values simple enough to check by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

COVID_YML = (
    Path(__file__).resolve().parents[2] / "src/lakeferry/examples/covid/dashboards/covid.yml"
)
DAYS = 20

STAR_SCHEMA_SQL = f"""
CREATE TABLE dim_date (
  date_key INTEGER PRIMARY KEY, date DATE, year INTEGER, quarter INTEGER, month INTEGER,
  day INTEGER, day_of_week INTEGER, is_weekend BOOLEAN);
INSERT INTO dim_date
SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER), CAST(d AS DATE), year(d), quarter(d),
       month(d), day(d), dayofweek(d), dayofweek(d) IN (0, 6)
FROM range(TIMESTAMP '2020-03-01', TIMESTAMP '2020-03-01' + INTERVAL {DAYS} DAY,
           INTERVAL 1 DAY) AS t(d);

CREATE TABLE dim_region (
  fips VARCHAR(5) PRIMARY KEY, county VARCHAR, state VARCHAR, state_abbr VARCHAR(2),
  state_fips VARCHAR(2), latitude DOUBLE, longitude DOUBLE, population BIGINT);
INSERT INTO dim_region VALUES
  ('53033', 'King', 'Washington', 'WA', '53', 47.49, -121.83, 2233163),
  ('53061', 'Snohomish', 'Washington', 'WA', '53', 48.05, -121.72, 818700),
  ('06037', 'Los Angeles', 'California', 'CA', '06', 34.32, -118.22, 10039107),
  ('36061', 'New York', 'New York', 'NY', '36', 40.78, -73.97, 1628706),
  ('17031', 'Cook', 'Illinois', 'IL', '17', 41.84, -87.82, 5150233),
  ('12086', 'Miami-Dade', 'Florida', 'FL', '12', 25.61, -80.50, 2716940),
  ('04013', 'Maricopa', 'Arizona', 'AZ', '04', 33.35, -112.49, 4485414),
  ('02013', 'Aleutians East', 'Alaska', 'AK', '02', 55.24, -161.95, NULL);

CREATE TABLE dim_hospital (
  hospital_key INTEGER PRIMARY KEY, name VARCHAR, type VARCHAR, address VARCHAR,
  city VARCHAR, state_abbr VARCHAR(2), zip VARCHAR(5), fips VARCHAR(5), licensed_beds INTEGER,
  staffed_beds INTEGER, icu_beds INTEGER, ventilator_usage DOUBLE);
INSERT INTO dim_hospital VALUES
  (1, 'Harborview', 'Short Term Acute Care Hospital', '325 9th Ave', 'Seattle', 'WA',
   '98104', '53033', 413, 413, 80, 12.0),
  (2, 'Cedars-Sinai', 'Short Term Acute Care Hospital', '8700 Beverly Blvd', 'Los Angeles',
   'CA', '90048', '06037', 886, 886, 150, 30.0),
  (3, 'Bellevue', 'Short Term Acute Care Hospital', '462 1st Ave', 'New York', 'NY',
   '10016', '36061', 844, 828, 120, 25.0),
  (4, 'Rush', 'Short Term Acute Care Hospital', '1653 W Congress Pkwy', 'Chicago', 'IL',
   '60612', '17031', 664, 664, 90, 18.0);

CREATE TABLE fact_covid_county_daily (
  date_key INTEGER, fips VARCHAR(5), cases BIGINT, deaths BIGINT, new_cases BIGINT,
  new_deaths BIGINT, PRIMARY KEY (date_key, fips));
INSERT INTO fact_covid_county_daily
SELECT d.date_key, r.fips, (i + 1) * k * 10, (i + 1) * k, k * 10, k
FROM (SELECT date_key, row_number() OVER (ORDER BY date_key) - 1 AS i FROM dim_date) d
CROSS JOIN (SELECT fips, row_number() OVER (ORDER BY fips) AS k FROM dim_region) r;

CREATE TABLE fact_covid_state_testing_daily (
  date_key INTEGER, state_abbr VARCHAR(2), state_fips VARCHAR(2), positive BIGINT,
  negative BIGINT, total_test_results BIGINT, hospitalized_currently BIGINT,
  in_icu_currently BIGINT, on_ventilator_currently BIGINT, deaths BIGINT,
  PRIMARY KEY (date_key, state_abbr));
INSERT INTO fact_covid_state_testing_daily
SELECT d.date_key, s.state_abbr, s.state_fips, (i + 1) * k * 50, (i + 1) * k * 950,
       (i + 1) * k * 1000, k * 20, k * 5, k * 2, (i + 1) * k
FROM (SELECT date_key, row_number() OVER (ORDER BY date_key) - 1 AS i FROM dim_date) d
CROSS JOIN (SELECT DISTINCT state_abbr, state_fips,
                   dense_rank() OVER (ORDER BY state_abbr) AS k FROM dim_region) s;
"""


@pytest.fixture
def covid_yml() -> Path:
    """The covid example's dashboard file, as shipped in the package."""
    return COVID_YML


@pytest.fixture
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding the star schema."""
    con = duckdb.connect()
    con.execute(STAR_SCHEMA_SQL)
    yield con
    con.close()


@pytest.fixture
def run_query(warehouse: duckdb.DuckDBPyConnection) -> Callable[[str], pa.Table]:
    """The `run_query` callable build_dashboards expects, backed by the test warehouse."""

    def run(sql: str) -> pa.Table:
        return warehouse.execute(sql).to_arrow_table()

    return run
