"""``lakeferry transform`` on the command line: JSON report, and errors exit 1."""

from __future__ import annotations

import json
from collections.abc import Callable

from typer.testing import CliRunner

from lakeferry import Project
from lakeferry.cli import app
from lakeferry.etl import read_manifest
from lakeferry.storage import S3Uri

TABLES = {
    "dim_date",
    "dim_region",
    "dim_hospital",
    "fact_covid_county_daily",
    "fact_covid_state_testing_daily",
}


def test_transform_json_reports_each_job(done_copy: Project) -> None:
    result = CliRunner().invoke(app, ["-p", str(done_copy.root), "transform", "--format", "json"])
    assert result.exit_code == 0, result.output
    [job] = json.loads(result.stdout)["jobs"]
    assert job["job"] == "star_schema"
    assert job["rows_read"] == sum(s["rows_read"] for s in job["sources"]) > 0
    assert job["rows_quarantined"] == sum(s["quarantined"] for s in job["sources"]) == 2
    assert set(job["outputs"]) == TABLES
    assert job["rows_written"] == sum(o["rows"] for o in job["outputs"].values())
    for table, output in job["outputs"].items():
        assert output["manifest"] == f"s3://covid19-processed/star/{table}/_manifest.json"
        manifest = read_manifest(done_copy.store, done_copy.processed, table)
        assert manifest is not None and manifest["rows"] == output["rows"]
    quarantine = S3Uri.parse(job["quarantine"])
    assert quarantine.key.startswith("star/_quarantine/star_schema/")
    assert done_copy.store.open(quarantine).read().count(b"\n") == 3  # header + 2 rows
    assert {s["name"] for s in job["sources"]} >= {"covid.us_county", "covid.enigma_jhu"}
    assert len(job["quarantine_sample"]) == 2


def test_transform_failure_exits_1_with_the_reason(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    (project.root / "transforms" / "a.sql").write_text("SELECT * FROM b\n")
    (project.root / "transforms" / "b.sql").write_text("SELECT * FROM a\n")
    result = CliRunner().invoke(app, ["-p", str(project.root), "transform", "--format", "json"])
    assert result.exit_code == 1
    assert "cycle" in result.output and "a -> b -> a" in result.output
    assert result.stdout == ""
