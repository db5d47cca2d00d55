"""The small objects written from Python: hospital beds, country codes, state abbreviations.

Hospital beds are JSON lines with the source's quirks: ``NUM_LICENSED_BEDS`` is a string
on every 7th hospital, ``NUM_STAFFED_BEDS`` is written with an exponent
(``2.5E2``) on every 5th, ``Potential_Increase_In_Bed_Capac`` is a string on every 11th,
and the longitude key is misspelled ``longtitude``. The rules key on ``OBJECTID`` so every
sample, however small, has each quirk.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from lakeferry.samples.covid_model import County
from lakeferry.samples.covid_reference import (
    CITY_NAMES,
    COUNTRIES,
    HOSPITAL_NAME_PATTERNS,
    HOSPITAL_TYPES,
    STATES,
    STREETS,
)

BOM = "\ufeff"


class Raw(str):
    """A JSON token written as is (a number in exponent notation)."""


def exponent_notation(value: int) -> Raw:
    """``250`` → ``2.5E2``: the same number, written the way a careless export does."""
    digits = str(value)
    mantissa = digits[0] + "." + (digits[1:].rstrip("0") or "0")
    return Raw(f"{mantissa}E{len(digits) - 1}")


def json_line(record: dict[str, object]) -> str:
    """One compact JSON object; ``Raw`` values are written without quoting."""
    parts = (
        f"{json.dumps(key)}:{value if isinstance(value, Raw) else json.dumps(value)}"
        for key, value in record.items()
    )
    return "{" + ",".join(parts) + "}"


def write_hospitals(path: Path, counties: tuple[County, ...], seed: int) -> int:
    """Write one JSON line per hospital (one to four per county); return the count."""
    rng = random.Random(f"hospitals-{seed}")
    lines = [json_line(record) for record in _hospitals(counties, rng)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _hospitals(counties: tuple[County, ...], rng: random.Random) -> Iterator[dict[str, object]]:
    object_id = 0
    for county in counties:
        for _ in range(1 + rng.randrange(3) + (county.population > 200_000)):
            object_id += 1
            yield _hospital(object_id, county, rng)


def _hospital(object_id: int, county: County, rng: random.Random) -> dict[str, object]:
    city = rng.choice(CITY_NAMES)
    pattern = HOSPITAL_NAME_PATTERNS[object_id % len(HOSPITAL_NAME_PATTERNS)]
    licensed = rng.randrange(10, 600)
    staffed = None if object_id % 13 == 6 else licensed - rng.randrange(0, licensed // 3 + 1)
    icu = round(licensed * rng.uniform(0.0, 0.15))
    pedi = rng.randrange(0, icu // 4 + 1) if rng.random() < 0.5 else None
    record: dict[str, object] = {
        "OBJECTID": object_id,
        "HOSPITAL_NAME": pattern.format(county=county.name, city=city),
        "HOSPITAL_TYPE": rng.choice(HOSPITAL_TYPES),
        "HQ_ADDRESS": f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}",
        "HQ_ADDRESS1": "Suite 100" if rng.random() < 0.1 else None,
        "HQ_CITY": city,
        "HQ_STATE": county.state_abbr,
        "HQ_ZIP_CODE": f"{(county.fips * 7 + object_id) % 100_000:05d}",
        "COUNTY_NAME": county.name,
        "STATE_NAME": county.state,
        "STATE_FIPS": f"{county.state_fips:02d}",
        "CNTY_FIPS": f"{county.fips % 1000:03d}",
        "FIPS": f"{county.fips:05d}",
        "NUM_LICENSED_BEDS": licensed,
        "NUM_STAFFED_BEDS": staffed,
        "NUM_ICU_BEDS": icu,
        "ADULT_ICU_BEDS": icu - (pedi or 0),
        "PEDI_ICU_BEDS": pedi,
        "BED_UTILIZATION": None if rng.random() < 0.2 else round(rng.uniform(0.2, 0.95), 6),
        "AVG_VENTILATOR_USAGE": None if rng.random() < 0.3 else float(rng.randrange(0, 40)),
        "Potential_Increase_In_Bed_Capac": licensed - (staffed or licensed),
        "latitude": round(county.lat + rng.uniform(-0.2, 0.2), 7),
        "longtitude": round(county.lon + rng.uniform(-0.2, 0.2), 7),
    }
    return _quirks(object_id, record)


def _quirks(object_id: int, record: dict[str, object]) -> dict[str, object]:
    if object_id % 7 == 3:
        record["NUM_LICENSED_BEDS"] = str(record["NUM_LICENSED_BEDS"])
    if object_id % 5 == 2 and isinstance(record["NUM_STAFFED_BEDS"], int):
        record["NUM_STAFFED_BEDS"] = exponent_notation(record["NUM_STAFFED_BEDS"])
    if object_id % 11 == 4:
        record["Potential_Increase_In_Bed_Capac"] = str(record["Potential_Increase_In_Bed_Capac"])
    return record


def write_country_codes(path: Path) -> int:
    """Write CountryCodeQS.csv, starting with a UTF-8 byte-order mark; return the rows."""
    rows = [
        [c.name, c.alpha2, c.alpha3, c.numeric, c.lat, c.lon]
        for c in sorted(COUNTRIES, key=lambda c: c.name)
    ]
    header = ["Country", "Alpha-2 code", "Alpha-3 code", "Numeric code", "Latitude", "Longitude"]
    _write_csv(path, header, rows, prefix=BOM)
    return len(rows)


def write_states_abv(path: Path) -> int:
    """Write states_abv.csv (two text columns, so the header looks like data)."""
    rows = [[s.name, s.abbr] for s in sorted(STATES, key=lambda s: s.name)]
    _write_csv(path, ["State", "Abbreviation"], rows)
    return len(rows)


def _write_csv(
    path: Path, header: list[str], rows: Sequence[Sequence[object]], prefix: str = ""
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((prefix + buffer.getvalue()).encode("utf-8"))
