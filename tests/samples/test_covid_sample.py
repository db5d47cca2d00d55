"""The covid sample generator: layout, columns, irregularities and the summary's truths.

Expected headers are copied from /work/shared/covid-lake.md, not imported from the
generator, so a drift on either side fails here.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import json
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from lakeferry.errors import ConfigError
from lakeferry.samples.covid import (
    KEYS,
    CovidSampleSummary,
    generate_covid,
    write_summary_json,
)

SCALE = 0.1

HEADERS: dict[str, str] = {
    "enigma-jhu/csv/Enigma-JHU.csv.gz": "fips, admin2, province_state, country_region, "
    "last_update, latitude, longitude, confirmed, deaths, recovered, active, combined_key",
    "enigma-nytimes-data-in-usa/csv/us_county/us_county.csv": "date, county, state, fips, "
    "cases, deaths",
    "enigma-nytimes-data-in-usa/csv/us_states/us_states.csv": "date, state, fips, cases, deaths",
    "rearc-covid-19-testing-data/csv/states_daily/states_daily.csv": "date, state, positive, "
    "probableCases, negative, pending, totalTestResultsSource, totalTestResults, "
    "hospitalizedCurrently, hospitalizedCumulative, inIcuCurrently, inIcuCumulative, "
    "onVentilatorCurrently, onVentilatorCumulative, recovered, lastUpdateEt, dateModified, "
    "checkTimeEt, death, hospitalized, hospitalizedDischarged, dateChecked, totalTestsViral, "
    "positiveTestsViral, negativeTestsViral, positiveCasesViral, deathConfirmed, "
    "deathProbable, totalTestEncountersViral, totalTestsPeopleViral, totalTestsAntibody, "
    "positiveTestsAntibody, negativeTestsAntibody, totalTestsPeopleAntibody, "
    "positiveTestsPeopleAntibody, negativeTestsPeopleAntibody, totalTestsPeopleAntigen, "
    "positiveTestsPeopleAntigen, totalTestsAntigen, positiveTestsAntigen, fips, "
    "positiveIncrease, negativeIncrease, total, totalTestResultsIncrease, posNeg, "
    "dataQualityGrade, deathIncrease, hospitalizedIncrease, hash, commercialScore, "
    "negativeRegularScore, negativeScore, positiveScore, score, grade",
    "rearc-covid-19-testing-data/csv/us_daily/us_daily.csv": "date, states, positive, "
    "negative, pending, hospitalizedCurrently, hospitalizedCumulative, inIcuCurrently, "
    "inIcuCumulative, onVentilatorCurrently, onVentilatorCumulative, dateChecked, death, "
    "hospitalized, totalTestResults, lastModified, recovered, total, posNeg, deathIncrease, "
    "hospitalizedIncrease, negativeIncrease, positiveIncrease, totalTestResultsIncrease, hash",
    "rearc-covid-19-testing-data/csv/us-total-latest/us.csv": "positive, negative, pending, "
    "hospitalizedCurrently, hospitalizedCumulative, inIcuCurrently, inIcuCumulative, "
    "onVentilatorCurrently, onVentilatorCumulative, recovered, hash, lastModified, death, "
    "hospitalized, total, totalTestResults, posNeg, notes",
    "rearc-usa-hospital-beds/json/usa-hospital-beds.geojson": "OBJECTID, HOSPITAL_NAME, "
    "HOSPITAL_TYPE, HQ_ADDRESS, HQ_ADDRESS1, HQ_CITY, HQ_STATE, HQ_ZIP_CODE, COUNTY_NAME, "
    "STATE_NAME, STATE_FIPS, CNTY_FIPS, FIPS, NUM_LICENSED_BEDS, NUM_STAFFED_BEDS, "
    "NUM_ICU_BEDS, ADULT_ICU_BEDS, PEDI_ICU_BEDS, BED_UTILIZATION, AVG_VENTILATOR_USAGE, "
    "Potential_Increase_In_Bed_Capac, latitude, longtitude",
    "static-datasets/csv/CountyPopulation/County_Population.csv": "Id, Id2, County, State, "
    "Population Estimate 2018",
    "static-datasets/csv/countrycode/CountryCodeQS.csv": "Country, Alpha-2 code, "
    "Alpha-3 code, Numeric code, Latitude, Longitude",
    "static-datasets/csv/state-abv/states_abv.csv": "State, Abbreviation",
}
JSON_US_STATES_FOLDER = "enigma-nytimes-data-in-usa/json/us_states/"
US_COUNTY = KEYS["us_county"]
US_COUNTY_TAIL = "enigma-nytimes-data-in-usa/csv/us_county/us_county.csv.fDde7E2b"
JHU = KEYS["jhu"]
JHU_TAIL = "enigma-jhu/csv/Enigma-JHU.csv.gz.014c84bE.gz"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[CovidSampleSummary, Path]:
    out = tmp_path_factory.mktemp("covid19-lake")
    return generate_covid(out, scale=SCALE, seed=7), out


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _text(path: Path) -> str:
    data = path.read_bytes()
    data = gzip.decompress(data) if path.name.endswith(".csv.gz") else data
    return data.decode("utf-8-sig")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(path))))


def _header(path: Path) -> list[str]:
    first_line = _text(path).split("\n", 1)[0]
    if path.suffix in (".json", ".geojson"):
        return list(json.loads(first_line))
    return next(csv.reader([first_line]))


def _complete_tail_rows(out: Path) -> list[list[str]]:
    """us_county's suffixed object without its cut-short last line."""
    lines = (out / US_COUNTY_TAIL).read_text().split("\n")
    return list(csv.reader(lines[1:-1]))


def _tail_jhu_lines(out: Path) -> tuple[list[bytes], BaseException | None]:
    lines: list[bytes] = []
    try:
        with gzip.open(out / JHU_TAIL) as stream:
            lines.extend(stream)
    except EOFError as exc:
        return lines, exc
    return lines, None


# --- determinism and layout -------------------------------------------------------------


def test_same_seed_and_scale_give_identical_bytes(lake, tmp_path: Path) -> None:
    summary, out = lake
    again = generate_covid(tmp_path / "again", scale=SCALE, seed=7)
    assert _digest(tmp_path / "again") == _digest(out)
    assert again.to_dict() | {"out_dir": ""} == summary.to_dict() | {"out_dir": ""}


def test_another_seed_gives_other_numbers(lake, tmp_path: Path) -> None:
    summary, out = lake
    other = generate_covid(tmp_path / "other", scale=SCALE, seed=8)
    assert other.total_cases_last_day != summary.total_cases_last_day
    assert (tmp_path / "other" / US_COUNTY).read_bytes() != (out / US_COUNTY).read_bytes()


def test_every_listed_object_exists_and_nothing_else(lake) -> None:
    summary, out = lake
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    expected = set(HEADERS) | {US_COUNTY_TAIL, JHU_TAIL}
    json_keys = {k for k in on_disk if k.startswith(JSON_US_STATES_FOLDER)}
    assert len(json_keys) == 1
    assert re.fullmatch(r"part-00000-[0-9a-f-]+\.json", json_keys.pop().rsplit("/", 1)[1])
    assert on_disk == expected | {KEYS["us_states_json"]}
    assert summary.objects == {k: (out / k).stat().st_size for k in on_disk}
    assert all(size > 0 for size in summary.objects.values())


@pytest.mark.parametrize("key", sorted(HEADERS))
def test_headers_are_exactly_as_documented(lake, key: str) -> None:
    _, out = lake
    assert _header(out / key) == HEADERS[key].split(", ")


def test_suffixed_objects_share_their_table_header(lake) -> None:
    _, out = lake
    assert _header(out / US_COUNTY_TAIL) == _header(out / US_COUNTY)
    lines, _ = _tail_jhu_lines(out)
    assert lines[0].decode().rstrip("\n").split(",") == HEADERS[JHU].split(", ")
    json_row = json.loads((out / KEYS["us_states_json"]).read_text().split("\n", 1)[0])
    assert list(json_row) == HEADERS[KEYS["us_states"]].split(", ")


# --- irregularities ---------------------------------------------------------------------


def test_country_codes_start_with_a_bom(lake) -> None:
    _, out = lake
    data = (out / KEYS["country_codes"]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfCountry,")
    countries = _rows(out / KEYS["country_codes"])
    usa = next(r for r in countries if r["Alpha-3 code"] == "USA")
    assert (usa["Country"], usa["Alpha-2 code"], usa["Numeric code"]) == (
        "United States",
        "US",
        "840",
    )
    assert any("," in r["Country"] for r in countries)


def test_states_abv_is_all_text_with_a_header_row(lake) -> None:
    _, out = lake
    lines = (out / KEYS["states_abv"]).read_text().splitlines()
    assert lines[0] == "State,Abbreviation"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == 51
    assert all(re.fullmatch(r"[A-Z]{2}", abbr) for _, abbr in rows)
    assert all(not value.replace(".", "").isdigit() for row in rows for value in row)
    assert ["District of Columbia", "DC"] in rows


def test_main_jhu_gzip_is_valid(lake) -> None:
    summary, out = lake
    rows = _rows(out / JHU)
    assert len(rows) == summary.rows[JHU]
    assert all(len(r) == 12 and None not in r.values() for r in rows)


def test_jhu_tail_ends_before_the_gzip_trailer(lake) -> None:
    summary, out = lake
    with pytest.raises(EOFError):
        gzip.decompress((out / JHU_TAIL).read_bytes())
    lines, error = _tail_jhu_lines(out)
    assert isinstance(error, EOFError)
    assert len(lines) - 1 == summary.rows[JHU_TAIL] >= 100
    assert all(line.endswith(b"\n") for line in lines)
    assert all(len(r) == 12 for r in csv.reader(line.decode() for line in lines))
    assert (JHU_TAIL, len(lines) + 1) in [(k, n) for k, n, _ in summary.set_aside]


def test_jhu_tail_continues_after_the_main_object(lake) -> None:
    _, out = lake
    main_last = max(r["last_update"][:10] for r in _rows(out / JHU))
    lines, _ = _tail_jhu_lines(out)
    tail_rows = list(csv.DictReader(line.decode() for line in lines))
    assert min(r["last_update"][:10] for r in tail_rows) > main_last


def test_us_county_tail_stops_mid_record(lake) -> None:
    summary, out = lake
    data = (out / US_COUNTY_TAIL).read_bytes()
    assert not data.endswith(b"\n")
    lines = data.decode().split("\n")
    assert all(len(r) == 6 for r in csv.reader(lines[:-1]))
    last = next(csv.reader([lines[-1]]))
    assert 1 < len(last) < 6
    assert summary.set_aside[0][:2] == (US_COUNTY_TAIL, len(lines))
    assert (out / US_COUNTY).read_bytes().endswith(b"\n")
    assert summary.rows[US_COUNTY_TAIL] == len(lines) - 2


@pytest.mark.parametrize("name", ["states_daily", "us_daily"])
def test_testing_dates_are_yyyymmdd_integers(lake, name: str) -> None:
    summary, out = lake
    dates = [r["date"] for r in _rows(out / KEYS[name])]
    assert all(re.fullmatch(r"20\d{6}", d) for d in dates)
    assert max(dates) == summary.last_date.strftime("%Y%m%d")
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(("name", "column"), [("states_daily", "dateChecked"),
                                              ("us_daily", "lastModified")])  # fmt: skip
def test_midnight_is_written_t24(lake, name: str, column: str) -> None:
    _, out = lake
    stamps = [r[column] for r in _rows(out / KEYS[name])]
    t24 = [s for s in stamps if s.endswith("T24:00:00Z")]
    assert t24 and len(t24) < len(stamps)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT([01]\d|2[0-3]):\d\d:00Z", s)
               for s in stamps if s not in t24)  # fmt: skip


def test_last_update_et_is_us_style(lake) -> None:
    _, out = lake
    rows = _rows(out / KEYS["states_daily"])
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/20\d\d \d\d:\d\d", r["lastUpdateEt"]) for r in rows)


def test_states_daily_has_many_empty_fields(lake) -> None:
    _, out = lake
    rows = _rows(out / KEYS["states_daily"])
    for column in ("pending", "hospitalizedCurrently", "probableCases", "grade"):
        empty = sum(r[column] == "" for r in rows)
        assert empty > len(rows) // 10, column
    assert sum(r["pending"] != "" for r in rows) > 0


def test_quoted_commas_and_doubled_quotes_parse(lake) -> None:
    _, out = lake
    raw = (out / KEYS["us_total_latest"]).read_text()
    assert '"NOTE: ""total"", ""posNeg""' in raw
    (row,) = _rows(out / KEYS["us_total_latest"])
    assert row["notes"].startswith('NOTE: "total", "posNeg"')
    assert len(row) == 18
    jhu_text = _text(out / JHU)
    assert '"Adams, Alabama, US"' in jhu_text
    rows = _rows(out / JHU)
    assert {"Adams, Alabama, US", "Korea, South"} <= {r["combined_key"] for r in rows}


def test_fips_forms_differ_between_files(lake) -> None:
    _, out = lake
    county_fips = {r["fips"] for r in _rows(out / US_COUNTY)}
    assert "1001" in county_fips and "01001" not in county_fips
    jhu = _rows(out / JHU)
    us_fips = {r["fips"] for r in jhu if r["country_region"] == "US"}
    assert "1001.0" in us_fips and all(f.endswith(".0") for f in us_fips)
    non_us = [r for r in jhu if r["country_region"] != "US"]
    assert non_us and all(r["fips"] == "" and r["admin2"] == "" for r in non_us)
    json_rows = [json.loads(x) for x in (out / KEYS["us_states_json"]).read_text().splitlines()]
    assert {"01", "53"} <= {r["fips"] for r in json_rows}
    assert {r["fips"] for r in _rows(out / KEYS["us_states"])} >= {"01", "11", "56"}


def test_hospital_beds_quirks(lake) -> None:
    summary, out = lake
    text = (out / KEYS["hospital_beds"]).read_text()
    lines = text.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == summary.hospitals == summary.rows[KEYS["hospital_beds"]]
    assert re.search(r'"NUM_LICENSED_BEDS":"\d+"', text)
    exponent = re.findall(r'"NUM_STAFFED_BEDS":(\d\.\d+E\d+)', text)
    assert exponent and all(float(v).is_integer() for v in exponent)
    assert any(isinstance(r["NUM_STAFFED_BEDS"], float) for r in records)
    assert all(re.fullmatch(r"\d{5}", r["FIPS"]) for r in records)
    assert all(r["FIPS"] == r["STATE_FIPS"] + r["CNTY_FIPS"] for r in records)
    assert all("longtitude" in r and "longitude" not in r for r in records)
    population_fips = {int(r["Id2"]) for r in _rows(out / KEYS["county_population"])}
    assert {int(r["FIPS"]) for r in records} <= population_fips


def test_county_population_ids(lake) -> None:
    summary, out = lake
    rows = _rows(out / KEYS["county_population"])
    assert len(rows) == summary.counties
    first = rows[0]
    assert (first["Id"], first["Id2"], first["State"]) == ("0500000US01001", "1001", "Alabama")
    assert first["County"].endswith(" County")
    assert all(r["Id"] == "0500000US" + r["Id2"].zfill(5) for r in rows)
    assert {r["County"] for r in rows if r["State"] == "District of Columbia"} == {
        "District of Columbia"
    }


# --- internal consistency and the summary's truths --------------------------------------


def test_us_county_grain_and_summary_truths(lake) -> None:
    summary, out = lake
    main = [(r["date"], r["fips"], int(r["cases"])) for r in _rows(out / US_COUNTY)]
    tail = [(r[0], r[3], int(r[4])) for r in _complete_tail_rows(out)]
    keys = [(d, f) for d, f, _ in main + tail]
    assert len(keys) == len(set(keys)) == summary.county_days
    assert not {(d, f) for d, f, _ in main} & {(d, f) for d, f, _ in tail}
    last = summary.last_date.isoformat()
    assert sum(c for d, _, c in tail if d == last) == summary.total_cases_last_day
    assert max(d for d, _, _ in main) < min(d for d, _, _ in tail)


def test_county_series_never_decrease(lake) -> None:
    _, out = lake
    series: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for r in _rows(out / US_COUNTY):
        series[r["fips"]].append((r["date"], int(r["cases"]), int(r["deaths"])))
    for points in series.values():
        points.sort()
        assert all(a[1] <= b[1] and a[2] <= b[2] for a, b in itertools.pairwise(points))


def test_recounts_match_summary_rows(lake) -> None:
    summary, out = lake
    con = duckdb.connect()
    for key in (US_COUNTY, KEYS["us_states"], KEYS["states_daily"], KEYS["us_daily"]):
        (count,) = con.execute(f"SELECT count(*) FROM read_csv('{out / key}')").fetchone()
        assert count == summary.rows[key], key
    (state_days,) = con.execute(
        f"SELECT count(DISTINCT (date, state)) FROM read_csv('{out / KEYS['states_daily']}')"
    ).fetchone()
    assert state_days == summary.state_days
    assert summary.rows[KEYS["us_states_json"]] == summary.rows[KEYS["us_states"]]
    assert summary.days == (summary.last_date - summary.first_date).days + 1
    assert summary.states == 51 and summary.counties >= 51


def test_states_are_sums_of_counties_and_us_of_states(lake) -> None:
    _, out = lake
    con = duckdb.connect()
    mismatches = con.execute(f"""
        WITH c AS (SELECT date, state, sum(cases) AS cases, sum(deaths) AS deaths
                   FROM read_csv('{out / US_COUNTY}') GROUP BY ALL)
        SELECT count(*) FROM c JOIN read_csv('{out / KEYS["us_states"]}') s USING (date, state)
        WHERE c.cases <> s.cases OR c.deaths <> s.deaths""").fetchone()
    assert mismatches == (0,)
    us = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE u.positive <> s.positive OR u.death <> s.death)
        FROM read_csv('{out / KEYS["us_daily"]}') u
        JOIN (SELECT date, sum(positive) AS positive, sum(death) AS death
              FROM read_csv('{out / KEYS["states_daily"]}') GROUP BY date) s USING (date)
        """).fetchone()
    assert us is not None and us[0] > 0 and us[1] == 0


def test_small_scale_still_writes_every_object(tmp_path: Path) -> None:
    small = generate_covid(tmp_path, scale=0.02, seed=3)
    assert all(rows > 0 for rows in small.rows.values())
    states = {r["State"] for r in _rows(tmp_path / KEYS["county_population"])}
    assert len(states) == small.states == 51 and small.county_days > 0
    assert len(small.set_aside) == 2


def test_scale_grows_the_county_days(lake, tmp_path: Path) -> None:
    summary, _ = lake
    bigger = generate_covid(tmp_path, scale=SCALE * 2, seed=7)
    assert 1.6 < bigger.county_days / summary.county_days < 2.6
    assert bigger.counties > summary.counties and bigger.days > summary.days


@pytest.mark.parametrize("scale", [0, -1, float("nan")])
def test_bad_scale_is_a_config_error(tmp_path: Path, scale: float) -> None:
    with pytest.raises(ConfigError):
        generate_covid(tmp_path, scale=scale)
    assert not any(tmp_path.iterdir())


def test_summary_json_round_trips(lake, tmp_path: Path) -> None:
    summary, _ = lake
    path = tmp_path / "summary.json"
    write_summary_json(summary, path)
    data = json.loads(path.read_text())
    assert data["county_days"] == summary.county_days
    assert data["last_date"] == summary.last_date.isoformat()
    assert [tuple(item) for item in data["set_aside"]] == summary.set_aside
