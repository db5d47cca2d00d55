"""Bad input is named (object, line, column, value, expectation) and set aside; thresholds
fail the job and leave the previous output in force."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from lakeferry import Project
from lakeferry.errors import QuarantineThresholdExceeded
from lakeferry.etl import read_manifest
from lakeferry.storage import S3Uri

ORDERS = "s3://raw/orders/orders.csv"


def quarantine_rows(project: Project, result_location: str) -> list[dict[str, str]]:
    with open(project.store.duckdb_path(S3Uri.parse(result_location)), newline="") as fh:
        return list(csv.DictReader(fh))


def published(project: Project) -> dict:
    found = read_manifest(project.store, project.processed, "orders_clean")
    assert found is not None
    return found


def parquet_rows(project: Project, found: dict) -> list[tuple]:
    paths = [
        project.store.duckdb_path(S3Uri.parse(f["uri"]))
        for f in found["files"]
        if f["format"] == "parquet"
    ]
    return duckdb.sql(
        f"SELECT id, customer, amount FROM read_parquet({paths!r}) ORDER BY id"
    ).fetchall()


def test_value_that_does_not_parse_is_quarantined(
    tiny_project: Callable[..., Project], orders_csv: Callable[..., str]
) -> None:
    project = tiny_project(orders_csv(40, bad={25: "abc"}))
    assert project.catalog.get_table("shop", "orders").columns[2].type == "bigint"
    [result] = project.transform()
    assert (result.rows_read, result.rows_written, result.rows_quarantined) == (40, 39, 1)
    assert result.quarantine_location is not None
    [row] = quarantine_rows(project, result.quarantine_location)
    # line 1 is the header, so order 25 is on line 26
    assert row["object"] == ORDERS
    assert (row["line"], row["column"], row["value"]) == ("26", "amount", "abc")
    assert row["reason"] == "expected bigint"
    assert json.loads(row["record"])["amount"] == "abc"
    assert [r[0] for r in parquet_rows(project, published(project))] == [
        i for i in range(1, 41) if i != 25
    ]


def test_line_numbers_count_quoted_newlines_and_rejected_records(
    tiny_project: Callable[..., Project],
) -> None:
    lines = ["id,customer,amount"] + [f"{i},c{i},{i}" for i in range(1, 13)]
    lines += ['13,"two', 'lines",130']  # one record on two lines
    lines += ["14,c14,140,surplus"]  # DuckDB rejects it (too many fields)
    lines += ["15,c15,oops"]
    text = "\n".join(lines) + "\n"
    project = tiny_project(text)
    [result] = project.transform()
    by_line = {
        int(r["line"]): r for r in quarantine_rows(project, result.quarantine_location or "")
    }
    assert set(by_line) == {16, 17}, by_line
    assert by_line[16]["value"].startswith("14,c14,140,surplus")
    assert (by_line[17]["column"], by_line[17]["value"]) == ("amount", "oops")
    assert text.splitlines()[17 - 1] == "15,c15,oops"
    assert result.rows_written == 13


def test_csv_output_quotes_commas_and_quotes(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    project.transform()
    found = published(project)
    [csv_file] = [f for f in found["files"] if f["format"] == "csv"]
    text = Path(project.store.duckdb_path(S3Uri.parse(csv_file["uri"]))).read_text(encoding="utf-8")
    assert text.splitlines()[1] == '1,"Smith, ""J"" 1",10'
    rows = list(csv.reader(text.splitlines(), strict=True))
    assert rows[0] == ["id", "customer", "amount"]
    assert rows[1:] == [[str(i), f'Smith, "J" {i}', str(i * 10)] for i in range(1, 41)]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_quarantine_rows": 0}, "max_quarantine_rows=0"),
        ({"max_quarantine_pct": 1.0}, "max_quarantine_pct=1.0"),
    ],
)
def test_threshold_exceeded_keeps_the_previous_output(
    tiny_project: Callable[..., Project],
    orders_csv: Callable[..., str],
    put_orders: Callable[[Project, str], None],
    options: dict[str, object],
    message: str,
) -> None:
    project = tiny_project(orders_csv(40), **options)
    project.transform(run_id="run-good")
    before = published(project)
    good_rows = parquet_rows(project, before)
    assert before["run_id"] == "run-good" and len(good_rows) == 40

    put_orders(project, orders_csv(40, bad={20: "abc", 30: "x1"}))  # 2 of 40 rows = 5 %
    with pytest.raises(QuarantineThresholdExceeded, match=message):
        project.transform(run_id="run-bad")

    assert published(project) == before
    assert parquet_rows(project, before) == good_rows
    for entry in before["files"]:
        assert Path(project.store.duckdb_path(S3Uri.parse(entry["uri"]))).is_file()
    written = [i.key for i in project.store.list(S3Uri.parse("s3://processed/out/"))]
    # Only the quarantine of the failed run is written (for inspection), no output.
    bad_run = [k for k in written if "run-bad" in k]
    assert bad_run and all("/_quarantine/" in k for k in bad_run), written
    assert [r.rows for r in project.load()] == [40]


def test_threshold_not_exceeded_publishes(
    tiny_project: Callable[..., Project], orders_csv: Callable[..., str]
) -> None:
    project = tiny_project(
        orders_csv(40, bad={20: "abc"}), max_quarantine_rows=1, max_quarantine_pct=5
    )
    [result] = project.transform(run_id="run-ok")
    assert result.rows_quarantined == 1
    assert published(project)["run_id"] == "run-ok"
