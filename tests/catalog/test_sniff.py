"""Sniffing one object's first bytes, and inferring column types from text samples."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import duckdb
import pytest

from lakeferry.catalog.sniff import (
    SAMPLE_BYTES,
    columns_for,
    gzip_cut_short,
    has_header,
    infer_type,
    infer_types,
    sniff_bytes,
)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("cases", ["3", "5", "-1", ""], ("bigint", None)),
        ("fips", ["01001", "53061"], ("string", None)),  # zeros are kept
        ("fips", ["53061.0", "1001.0"], ("double", None)),
        ("population", ["2.8755524E7", "1061101"], ("double", None)),
        ("date", ["20200529", "20200301"], ("date", "%Y%m%d")),
        ("positive", ["20200529", "20200301"], ("bigint", None)),  # not named like a date
        ("date", ["2020-03-01", "2020-12-31"], ("date", None)),
        ("dateChecked", ["2020-05-29T24:00:00Z", "2020-05-28T13:05:00Z"], ("timestamp", None)),
        ("last_update", ["2020-02-14T23:06:00", "2020-02-14 23:39:00"], ("timestamp", None)),
        ("lastUpdateEt", ["3/5/2021 03:59", "12/31/2020 19:00"], ("timestamp", "%m/%d/%Y %H:%M")),
        ("day", ["3/5/2021", "12/31/2020"], ("date", "%m/%d/%Y")),
        ("flag", ["true", "False", "TRUE"], ("boolean", None)),
        ("mixed", ["1", "x"], ("string", None)),
        ("empty", ["", " ", ""], ("string", None)),
        ("none", [], ("string", None)),
        ("checkTimeEt", ["05/29 19:00"], ("string", None)),
        ("bad_date", ["2020-13-45"], ("string", None)),
    ],
)
def test_infer_type(
    con: duckdb.DuckDBPyConnection, name: str, values: list[str], expected: tuple[str, str | None]
) -> None:
    assert infer_type(con, name, values) == expected


def test_infer_types_in_one_batch_equals_one_by_one(con: duckdb.DuckDBPyConnection) -> None:
    names = ["a", "date", "c", "d", "e"]
    columns = [["1", "2"], ["20200101", ""], [], ["x", "1"], ["1.5", "2"]]
    assert infer_types(con, names, columns) == [
        infer_type(con, n, v) for n, v in zip(names, columns, strict=True)
    ]
    assert infer_types(con, ["a", "b"], [[], []]) == [("string", None), ("string", None)]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["State", "Abbreviation"], ["Alabama", "AL"], ["Alaska", "AK"]], True),
        ([["Alabama", "AL"], ["Alaska", "AK"], ["Arizona", "AZ"]], False),
        ([["date", "cases"], ["2020-01-01", "3"]], True),
        ([["1", "2"], ["3", "4"]], False),
        ([["a", "a"], ["x", "y"]], False),  # repeated names are not a header
        ([["a", ""], ["x", "y"]], False),  # nor are missing ones
        ([["positive", "negative"]], True),  # one row of words
        ([["12", "13"]], False),
    ],
)
def test_has_header(con: duckdb.DuckDBPyConnection, rows: list[list[str]], expected: bool) -> None:
    assert has_header(con, rows) is expected


def test_sniff_csv_with_bom() -> None:
    sniff = sniff_bytes("\ufeffCountry,Alpha-2 code\nFrance,FR\n".encode(), sample_rows=100)
    assert (sniff.format, sniff.bom, sniff.delimiter) == ("csv", True, ",")
    assert sniff.rows[0] == ["Country", "Alpha-2 code"]


def test_sniff_json_lines_keys_in_first_seen_order() -> None:
    data = b'{"b": 1, "a": "x"}\n{"a": "y", "c": 2.5E1}\nnot json\n'
    sniff = sniff_bytes(data, sample_rows=100)
    assert sniff.format == "json"
    assert sniff.json_keys == ["b", "a", "c"]
    assert sniff.rows == [["1", "x", ""], ["", "y", "25.0"]]
    assert sniff.problems == ["line 3: not a JSON object (Expecting value)"]


def test_sniff_gzip_and_the_partial_last_line_of_a_sample() -> None:
    sniff = sniff_bytes(gzip.compress(b"a,b\n1,2\n3,"), sample_rows=100)
    assert (sniff.format, sniff.compression) == ("csv", "gzip")
    assert sniff.rows == [["a", "b"], ["1", "2"]]


def test_sample_rows_bounds_the_sample() -> None:
    data = b"a,b\n" + b"1,2\n" * 1000
    assert len(sniff_bytes(data, sample_rows=10).rows) == 11


def test_parquet_by_magic() -> None:
    assert sniff_bytes(b"PAR1\x00\x00", sample_rows=10).format == "parquet"


def test_gzip_cut_short() -> None:
    whole = gzip.compress(b"x,y\n" * 100_000)
    assert gzip_cut_short(whole) is False
    assert gzip_cut_short(whole + gzip.compress(b"1,2\n")) is False
    assert gzip_cut_short(whole[:-8]) is True  # trailer gone
    assert gzip_cut_short(whole[: len(whole) // 2]) is True


def test_a_small_gzip_that_inflates_past_the_sample_is_not_cut_short() -> None:
    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * (SAMPLE_BYTES // 2))
    assert len(bomb) < SAMPLE_BYTES
    assert sniff_bytes(bomb, sample_rows=10).problems == []


def test_columns_for_json_keep_original_names(con: duckdb.DuckDBPyConnection) -> None:
    sniff = sniff_bytes(b'{"HOSPITAL_NAME": "A", "longtitude": -86.5}\n', sample_rows=10)
    columns, header = columns_for(con, sniff)
    assert header is False
    assert [(c.name, c.original_name, c.type) for c in columns] == [
        ("hospital_name", "HOSPITAL_NAME", "string"),
        ("longtitude", "longtitude", "double"),
    ]
