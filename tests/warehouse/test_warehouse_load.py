"""Loading the processed manifests into the DuckDB warehouse: counts, idempotence,
replacement, the load ledger, and rollback of a load that fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lakeferry import Project
from lakeferry.errors import WarehouseError
from lakeferry.etl import read_manifest
from lakeferry.warehouse import LEDGER

TABLES = [
    "dim_date",
    "dim_region",
    "dim_hospital",
    "fact_covid_county_daily",
    "fact_covid_state_testing_daily",
]


def manifest(project: Project, table: str) -> dict[str, Any]:
    found = read_manifest(project.store, project.processed, table)
    assert found is not None
    return found


def one(project: Project, sql: str) -> Any:
    return project.warehouse_query(sql).to_pylist()[0]


def counts(project: Project) -> dict[str, int]:
    return {t: one(project, f"SELECT count(*) AS n FROM {t}")["n"] for t in TABLES}


def assert_keys_unique(project: Project) -> None:
    for t in TABLES:
        key = ", ".join(project.model.table(t).primary_key)
        dup = one(
            project,
            f"SELECT count(*) AS n FROM (SELECT {key} FROM {t} GROUP BY ALL HAVING count(*) > 1)",
        )
        assert dup["n"] == 0, f"{t} holds duplicate keys"


def ledger(project: Project) -> list[dict[str, Any]]:
    return project.warehouse_query(
        f"SELECT * FROM {LEDGER} ORDER BY loaded_at, table_name"
    ).to_pylist()


def parquet_sha(project: Project, table: str) -> str:
    return ",".join(
        sorted(f["sha256"] for f in manifest(project, table)["files"] if f["format"] == "parquet")
    )


def test_every_model_table_is_loaded_with_the_manifest_counts(covid_done: Project) -> None:
    assert counts(covid_done) == {t: manifest(covid_done, t)["rows"] for t in TABLES}
    for t in TABLES:
        columns = covid_done.warehouse_query(f"SELECT * FROM {t} LIMIT 0").column_names
        assert columns == covid_done.model.table(t).column_names()
    assert_keys_unique(covid_done)


def test_ledger_records_each_load(covid_done: Project) -> None:
    rows = ledger(covid_done)
    assert {r["table_name"] for r in rows} == set(TABLES)
    for r in rows:
        current = manifest(covid_done, r["table_name"])
        assert r["manifest_run_id"] == current["run_id"]
        assert r["rows"] == current["rows"] and r["files"] == 1
        assert (
            r["manifest_fingerprint"]
            == f"{current['rows']}:{parquet_sha(covid_done, r['table_name'])}"
        )


def test_loading_again_without_change_is_unchanged(done_copy: Project) -> None:
    before, ledger_before = counts(done_copy), ledger(done_copy)
    results = done_copy.load()
    assert [r.table for r in results] == TABLES
    assert {r.status for r in results} == {"unchanged"}
    assert [r.rows for r in results] == [before[t] for t in TABLES]
    assert counts(done_copy) == before
    assert ledger(done_copy) == ledger_before
    assert_keys_unique(done_copy)


def test_load_after_a_new_transform_replaces_rows(done_copy: Project) -> None:
    sql = done_copy.root / "transforms" / "dim_hospital.sql"
    sql.write_text(sql.read_text().replace("hospital_name AS name", "upper(hospital_name) AS name"))
    before = counts(done_copy)
    done_copy.transform(run_id="run-two")
    results = {r.table: r for r in done_copy.load()}

    assert results["dim_hospital"].status == "loaded"
    assert counts(done_copy) == before == {t: manifest(done_copy, t)["rows"] for t in TABLES}
    assert_keys_unique(done_copy)
    assert (
        one(done_copy, "SELECT count(*) AS n FROM dim_hospital WHERE name <> upper(name)")["n"] == 0
    )
    latest = {r["table_name"]: r for r in ledger(done_copy)}  # ordered by time: the last wins
    for t in TABLES:
        assert latest[t]["manifest_fingerprint"].endswith(parquet_sha(done_copy, t)), t
    assert latest["dim_hospital"]["manifest_run_id"] == "run-two"
    # outputs are ordered by primary key, so tables whose data did not change are not reloaded
    assert {t: r.status for t, r in results.items() if t != "dim_hospital"} == {
        t: "unchanged" for t in TABLES if t != "dim_hospital"
    }
    assert latest["dim_hospital"]["load_id"] == results["dim_hospital"].load_id


def test_load_one_table(done_copy: Project) -> None:
    sql = done_copy.root / "transforms" / "dim_region.sql"
    sql.write_text(sql.read_text().replace("c.county,", "upper(c.county) AS county,"))
    done_copy.transform(run_id="run-two")
    results = done_copy.load(["dim_region"])
    assert [(r.table, r.status) for r in results] == [("dim_region", "loaded")]
    assert (
        one(done_copy, "SELECT count(*) AS n FROM dim_region WHERE county <> upper(county)")["n"]
        == 0
    )


@pytest.mark.parametrize("damage", ["missing", "corrupted"])
def test_failing_load_rolls_back(done_copy: Project, damage: str) -> None:
    sql = done_copy.root / "transforms" / "dim_region.sql"
    sql.write_text(sql.read_text().replace("c.county,", "upper(c.county) AS county,"))
    before, ledger_before = counts(done_copy), ledger(done_copy)
    old_names = one(
        done_copy, "SELECT count(*) AS n FROM dim_region WHERE county <> upper(county)"
    )["n"]
    assert old_names > 0
    done_copy.transform(run_id="run-two")
    [parquet] = [f for f in manifest(done_copy, "dim_region")["files"] if f["format"] == "parquet"]
    path = Path(
        done_copy.store.duckdb_path(
            done_copy.processed.join("dim_region", "run-two", "part-00000.parquet")
        )
    )
    assert parquet["uri"].endswith("dim_region/run-two/part-00000.parquet") and path.is_file()
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"PAR1 this is not a parquet file PAR1")

    with pytest.raises(WarehouseError, match="dim_region"):
        done_copy.load()

    assert counts(done_copy) == before
    assert (
        one(done_copy, "SELECT count(*) AS n FROM dim_region WHERE county <> upper(county)")["n"]
        == old_names
    )
    assert [r for r in ledger(done_copy) if r["table_name"] == "dim_region"] == [
        r for r in ledger_before if r["table_name"] == "dim_region"
    ]
    leftovers = done_copy.warehouse_query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%lakeferry_stage%'"
    )
    assert leftovers.num_rows == 0


def test_manifest_that_disagrees_with_its_files_is_refused(done_copy: Project) -> None:
    sql = done_copy.root / "transforms" / "dim_date.sql"
    sql.write_text(sql.read_text() + "ORDER BY date DESC\n")
    done_copy.transform(run_id="run-two")
    uri = done_copy.processed.join("dim_date", "_manifest.json")
    found = manifest(done_copy, "dim_date")
    found["rows"] += 1
    done_copy.store.put_bytes(json.dumps(found).encode(), uri)
    before = counts(done_copy)
    with pytest.raises(WarehouseError, match="manifest says"):
        done_copy.load(["dim_date"])
    assert counts(done_copy) == before
