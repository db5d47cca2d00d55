"""Verification after a load: every check passes on a good run; a row planted in the
warehouse makes exactly the check it breaks fail, with a count and sample rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lakeferry import Project
from lakeferry.cli import app

TABLES = [
    "dim_date",
    "dim_region",
    "dim_hospital",
    "fact_covid_county_daily",
    "fact_covid_state_testing_daily",
]
FOREIGN_KEYS = {
    ("foreign_key:fips->dim_region", "dim_hospital"),
    ("foreign_key:date_key->dim_date", "fact_covid_county_daily"),
    ("foreign_key:fips->dim_region", "fact_covid_county_daily"),
    ("foreign_key:date_key->dim_date", "fact_covid_state_testing_daily"),
}


@pytest.fixture
def done_copy(covid_done: Project, tmp_path: Path) -> Project:
    root = tmp_path / "covid-done"
    shutil.copytree(covid_done.root, root)
    return Project(root)


def plant(project: Project, *statements: str) -> None:
    """Change the warehouse file behind lakeferry's back."""
    con = duckdb.connect(str(project.root / project.profile.warehouse.path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def by_name(report: object) -> dict[tuple[str, str], object]:
    return {(r.name, r.table): r for r in report.results}  # type: ignore[attr-defined]


def test_all_checks_pass_on_a_good_run(covid_done: Project) -> None:
    report = covid_done.check()
    checks = by_name(report)
    assert report.passed and report.failed == []
    for table in TABLES:
        for name in ("rows_reconcile", "primary_key_not_null", "primary_key_unique"):
            assert checks[(name, table)].status == "pass", (name, table)
    assert set(checks) >= FOREIGN_KEYS
    assert checks[("no_negative_new_cases", "")].status == "pass"
    aside = checks[("set_aside", "star_schema")]
    assert (aside.status, aside.count) == ("warn", 2)
    assert "_quarantine/star_schema/" in aside.description
    assert {r.status for r in report.results} == {"pass", "warn"}
    assert all(r.count == 0 for r in report.results if r.status == "pass")


def test_orphan_row_fails_its_foreign_key(done_copy: Project) -> None:
    plant(
        done_copy,
        "INSERT INTO fact_covid_county_daily VALUES (20200401, '99999', 5, 0, -3, 0)",
    )
    report = done_copy.check()
    failed = {(r.name, r.table): r for r in report.failed}
    assert set(failed) == {
        ("foreign_key:fips->dim_region", "fact_covid_county_daily"),
        ("rows_reconcile", "fact_covid_county_daily"),
        ("no_negative_new_cases", ""),
    }
    orphan = failed[("foreign_key:fips->dim_region", "fact_covid_county_daily")]
    assert orphan.count == 1
    assert [(r["date_key"], r["fips"]) for r in orphan.sample] == [(20200401, "99999")]
    assert failed[("rows_reconcile", "fact_covid_county_daily")].count == 1
    custom = failed[("no_negative_new_cases", "")]
    assert custom.count == 1 and custom.sample[0]["new_cases"] == -3
    assert not report.passed

    result = CliRunner().invoke(app, ["-p", str(done_copy.root), "check"])
    assert result.exit_code == 1
    assert "99999" in result.output


def test_duplicate_key_fails_primary_key_unique(done_copy: Project) -> None:
    # the loaded table enforces its key, so rebuild it without one first
    plant(
        done_copy,
        "CREATE TABLE dim_region_loose AS SELECT * FROM dim_region",
        "DROP TABLE dim_region",
        "ALTER TABLE dim_region_loose RENAME TO dim_region",
        "INSERT INTO dim_region SELECT * FROM dim_region ORDER BY fips LIMIT 1",
    )
    first_fips = done_copy.warehouse_query("SELECT min(fips) AS f FROM dim_region").to_pylist()[0][
        "f"
    ]
    report = done_copy.check()
    failed = {(r.name, r.table): r for r in report.failed}
    assert set(failed) == {("primary_key_unique", "dim_region"), ("rows_reconcile", "dim_region")}
    dup = failed[("primary_key_unique", "dim_region")]
    assert dup.count == 1
    assert dup.sample == [{"fips": first_fips, "duplicate_rows": 2}]

    result = CliRunner().invoke(app, ["-p", str(done_copy.root), "check", "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["passed"] is False
    [row] = [
        c for c in doc["checks"] if c["name"] == "primary_key_unique" and c["table"] == "dim_region"
    ]
    assert (row["status"], row["count"]) == ("fail", 1)


def test_check_json_lists_every_check(covid_done: Project) -> None:
    result = CliRunner().invoke(app, ["-p", str(covid_done.root), "check", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["passed"] is True
    expected = {(r.name, r.table, r.status, r.count) for r in covid_done.check().results}
    assert {(c["name"], c["table"], c["status"], c["count"]) for c in doc["checks"]} == expected
    assert len(doc["checks"]) == len(expected) == 3 * len(TABLES) + len(FOREIGN_KEYS) + 2
    assert all({"name", "table", "status", "count", "description"} <= set(c) for c in doc["checks"])


def test_missing_table_fails_reconciliation(done_copy: Project) -> None:
    plant(done_copy, "DROP TABLE dim_hospital")
    report = done_copy.check()
    checks = by_name(report)
    reconcile = checks[("rows_reconcile", "dim_hospital")]
    assert reconcile.status == "fail" and "lakeferry load" in reconcile.description
    assert reconcile.count == 409
    assert checks[("primary_key_unique", "dim_hospital")].status == "fail"
