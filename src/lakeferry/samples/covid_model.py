"""The covid sample's plan: how many days and counties, and each county's parameters.

Everything random is drawn here from ``random.Random`` seeded with the sample's seed, in a
fixed order, so one seed always gives the same plan. The daily series are built from the
plan in DuckDB (``covid_sql``).

Size: both the number of days and the number of counties per state grow with
``sqrt(scale)``, so the county-day tables grow about linearly with ``scale``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from lakeferry.errors import ConfigError
from lakeferry.samples.covid_reference import COUNTY_NAMES, COUNTY_SUFFIX, STATES, State

FIRST_DATE = date(2020, 1, 21)  # the first US case in the NYT series
BASE_DAYS = 412  # 2020-01-21 .. 2021-03-07, the COVID Tracking Project's last day
MIN_DAYS = 28
COUNTY_DIVISOR = 5  # scale 1 has about a fifth of the real 3,143 counties
TAIL_SHARE = 0.1  # share of days written to the suffixed us_county object
JHU_STEP = 7  # Enigma-JHU has one snapshot a week, ending on the last day
JHU_START_SHARE = 61 / BASE_DAYS  # JHU county rows start on 2020-03-22
JHU_TAIL_SHARE = 0.2  # share of JHU snapshots written to the truncated gzip object


@dataclass(frozen=True)
class County:
    """One synthetic county and the parameters of its epidemic curve."""

    fips: int
    state_fips: int
    state_abbr: str
    state: str
    name: str
    full_name: str
    population: int
    lat: float
    lon: float
    start_day: int
    attack: float
    death_rate: float


@dataclass(frozen=True)
class Reporting:
    """Which optional columns a state reports in the testing data (the rest stay empty)."""

    state_fips: int
    hosp_cumulative: bool
    icu: bool
    ventilator: bool
    recovered: bool
    viral: bool
    antibody: bool
    antigen: bool
    probable: bool


@dataclass(frozen=True)
class Plan:
    """Sizes, dates and per-county parameters for one (scale, seed)."""

    scale: float
    seed: int
    n_days: int
    counties: tuple[County, ...]
    reporting: tuple[Reporting, ...]

    @property
    def first_date(self) -> date:
        """The first calendar day of every daily series."""
        return FIRST_DATE

    @property
    def last_date(self) -> date:
        """The last calendar day of every daily series."""
        return FIRST_DATE + timedelta(days=self.n_days - 1)

    @property
    def tail_start_day(self) -> int:
        """First day (0-based) whose us_county rows go to the suffixed object."""
        return self.n_days - max(2, round(self.n_days * TAIL_SHARE))

    def snapshot_days(self) -> list[int]:
        """Enigma-JHU snapshot days, ascending, the last one on the last day."""
        start = round(self.n_days * JHU_START_SHARE)
        return list(range(self.n_days - 1, start - 1, -JHU_STEP))[::-1]

    def jhu_tail_days(self) -> list[int]:
        """The snapshot days written to the truncated gzip object."""
        days = self.snapshot_days()
        return days[-max(1, round(len(days) * JHU_TAIL_SHARE)) :]


def make_plan(scale: float, seed: int) -> Plan:
    """Draw the plan for ``scale`` and ``seed``; raises ``ConfigError`` on a bad scale."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ConfigError(f"sample scale must be a positive number, got {scale!r}")
    n_days = max(MIN_DAYS, round(BASE_DAYS * math.sqrt(scale)))
    rng = random.Random(seed)
    counties = tuple(
        county for state in STATES for county in _state_counties(state, scale, n_days, rng)
    )
    reporting = tuple(_reporting(state.fips, rng) for state in STATES)
    return Plan(scale, seed, n_days, counties, reporting)


def counties_in(state: State, scale: float) -> int:
    """How many counties ``state`` gets at ``scale`` (at least one)."""
    return max(1, round(state.counties / COUNTY_DIVISOR * math.sqrt(scale)))


def county_name(state: State, index: int) -> tuple[str, str]:
    """(NYT-style name, census-style name) of the ``index``-th county of ``state``."""
    if state.counties == 1:  # DC is its own county equivalent
        return state.name, state.name
    base = COUNTY_NAMES[index % len(COUNTY_NAMES)]
    lap = index // len(COUNTY_NAMES)
    name = f"{base} {lap + 1}" if lap else base
    return name, f"{name} {COUNTY_SUFFIX.get(state.abbr, 'County')}"


def _state_counties(state: State, scale: float, n_days: int, rng: random.Random) -> list[County]:
    out = []
    for index in range(counties_in(state, scale)):
        name, full_name = county_name(state, index)
        # Washington's first county has the first case on the first day, as in 2020.
        first = state.abbr == "WA" and index == 0
        start_share = 0.0 if first else 0.08 + 0.2 * rng.random()
        population = int(min(4_000_000, max(800, rng.lognormvariate(10.2, 1.2))))
        county = County(
            fips=state.fips * 1000 + 2 * index + 1,
            state_fips=state.fips,
            state_abbr=state.abbr,
            state=state.name,
            name=name,
            full_name=full_name,
            population=population,
            lat=round(state.lat + rng.uniform(-1.5, 1.5), 7),
            lon=round(state.lon + rng.uniform(-2.0, 2.0), 7),
            start_day=round(n_days * start_share),
            attack=rng.uniform(0.04, 0.14),
            death_rate=rng.uniform(0.008, 0.025),
        )
        out.append(county)
    return out


def _reporting(state_fips: int, rng: random.Random) -> Reporting:
    flags = [rng.random() < share for share in (0.6, 0.5, 0.4, 0.7, 0.6, 0.3, 0.2, 0.4)]
    return Reporting(state_fips, *flags)
