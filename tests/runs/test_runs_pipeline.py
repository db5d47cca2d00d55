"""``lakeferry run``: every run recorded step by step, partial runs, failures that stop the
run where they happen, and ``lakeferry runs`` to read the record."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lakeferry import Project
from lakeferry.cli import app
from lakeferry.errors import RunError
from lakeferry.etl import read_manifest
from lakeferry.runs.pipeline import STEPS, select_steps
from lakeferry.storage import S3Uri

TABLES = [
    "dim_date",
    "dim_region",
    "dim_hospital",
    "fact_covid_county_daily",
    "fact_covid_state_testing_daily",
]


def manifest_runs(project: Project) -> set[str]:
    found = [read_manifest(project.store, project.processed, t) for t in TABLES]
    return {m["run_id"] for m in found if m}


def loads(project: Project) -> int:
    return project.warehouse_query("SELECT count(*) AS n FROM lakeferry_loads").to_pylist()[0]["n"]


def cli(project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["-p", str(project.root), *args])


def test_a_run_is_recorded_step_by_step(covid_done: Project) -> None:
    run = covid_done.run_store.last()
    assert run is not None and run["status"] == "succeeded" and run["ended_at"]
    steps = {s["step"]: s for s in run["steps"]}
    assert [s["step"] for s in run["steps"]] == list(STEPS)
    assert all(
        s["status"] == "ok" and s["seconds"] is not None and s["seconds"] >= 0
        for s in steps.values()
    )
    total = sum(read_manifest(covid_done.store, covid_done.processed, t)["rows"] for t in TABLES)  # type: ignore[index]
    assert steps["transform"]["rows_out"] == steps["load"]["rows_out"] == total
    assert steps["transform"]["rows_in"] > total and steps["transform"]["set_aside"] == 2
    assert steps["crawl"]["rows_in"] == 13 and steps["crawl"]["bytes"] > 0
    assert steps["check"]["rows_in"] == len(steps["check"]["detail"]) > 0
    assert steps["dashboard"]["detail"][0].endswith("covid.html")
    assert manifest_runs(covid_done) == {run["run_id"]}


def test_from_load_runs_only_the_later_steps(done_copy: Project) -> None:
    before = manifest_runs(done_copy)
    summary = done_copy.run(from_step="load")
    assert summary.status == "succeeded"
    assert [s.step for s in summary.steps] == ["load", "check", "dashboard"]
    assert manifest_runs(done_copy) == before  # no new transform
    recorded = done_copy.run_store.get(summary.run_id)
    assert [s["step"] for s in recorded["steps"]] == ["load", "check", "dashboard"]
    assert recorded["status"] == "succeeded"


def test_steps_option_runs_only_those(done_copy: Project) -> None:
    loads_before = loads(done_copy)
    result = cli(done_copy, "run", "--steps", "crawl,transform", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "succeeded"
    assert [s["step"] for s in doc["steps"]] == ["crawl", "transform"]
    assert manifest_runs(done_copy) == {doc["run_id"]}
    assert loads(done_copy) == loads_before  # nothing loaded
    recorded = done_copy.run_store.get(doc["run_id"])
    assert [(s["step"], s["status"]) for s in recorded["steps"]] == [
        ("crawl", "ok"),
        ("transform", "ok"),
    ]


def test_failing_step_stops_the_run(done_copy: Project) -> None:
    before = manifest_runs(done_copy)
    (done_copy.root / "transforms" / "dim_date.sql").write_text(
        "SELECT date_key, FROM FROM covid.us_county\n"
    )
    summary = done_copy.run()
    assert summary.status == "failed"
    assert [(s.step, s.status) for s in summary.steps] == [("crawl", "ok"), ("transform", "failed")]
    assert "dim_date.sql" in (summary.steps[-1].error or "")
    assert manifest_runs(done_copy) == before  # the previous output stays in force

    recorded = done_copy.run_store.get(summary.run_id)
    assert recorded["status"] == "failed" and recorded["ended_at"]
    failed = recorded["steps"][-1]
    assert (failed["step"], failed["status"]) == ("transform", "failed")
    assert "dim_date.sql" in failed["error"]
    assert [s["step"] for s in recorded["steps"]] == ["crawl", "transform"]

    result = cli(done_copy, "run", "--from", "transform")
    assert result.exit_code == 1
    assert "transform" in result.output and "failed" in result.output


def test_unexpected_error_still_records_the_run_as_failed(done_copy: Project) -> None:
    # the object disappears after the crawl recorded it: not a lakeferry error today
    raw = S3Uri.parse("s3://covid19-lake/static-datasets/csv/state-abv/states_abv.csv")
    Path(done_copy.store.duckdb_path(raw)).unlink()
    summary = None
    with contextlib.suppress(Exception):  # raised or returned: either way it must be on record
        summary = done_copy.run(steps=["transform"])
    run = done_copy.run_store.last()
    assert run is not None
    assert run["status"] == "failed" and run["ended_at"]
    [step] = run["steps"]
    assert (step["step"], step["status"]) == ("transform", "failed")
    assert "states_abv.csv" in step["error"]
    if summary is not None:
        assert summary.status == "failed"


def test_runs_command_lists_and_shows_runs(done_copy: Project) -> None:
    summary = done_copy.run(steps=["load", "check"])
    listing = cli(done_copy, "runs", "--format", "json")
    assert listing.exit_code == 0, listing.output
    runs = json.loads(listing.stdout)
    assert [r["run_id"] for r in runs][:1] == [summary.run_id]  # newest first
    assert len(runs) == 2 and {r["status"] for r in runs} == {"succeeded"}

    shown = cli(done_copy, "runs", summary.run_id, "--format", "json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["run_id"] == summary.run_id and doc["status"] == "succeeded"
    assert [s["step"] for s in doc["steps"]] == ["load", "check"]
    for s in doc["steps"]:
        assert s["status"] == "ok" and isinstance(s["seconds"], float)
    assert doc["steps"][0]["rows_out"] == sum(r["rows"] for r in doc["steps"][0]["detail"])

    table = cli(done_copy, "runs", summary.run_id)
    assert table.exit_code == 0 and "load" in table.output and "check" in table.output
    missing = cli(done_copy, "runs", "no-such-run")
    assert missing.exit_code == 1 and "no run" in missing.output


def test_unknown_steps_are_refused() -> None:
    assert select_steps(["transform", "crawl"], None) == ["crawl", "transform"]
    assert select_steps(None, "check") == ["check", "dashboard"]
    with pytest.raises(RunError, match="transfrom"):
        select_steps(["transfrom"], None)
    with pytest.raises(RunError, match="unknown step"):
        select_steps(None, "lod")
