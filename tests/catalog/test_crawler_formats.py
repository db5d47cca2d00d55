"""Parquet (schema from the footer), JSON arrays, bzip2 and zstd: classified by content,
catalogued, and read back by the lake reader in real DuckDB."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from lakeferry import Project

YML = """\
name: formats
zones: {raw: s3://raw-lake/, processed: s3://proc-lake/, query_results: s3://res-lake/}
crawlers:
  - name: raw
    database: db
    targets: [{path: "s3://raw-lake/"}]
"""
CSV = "id,city,amount\n" + "".join(f"{i},c{i},{i}.5\n" for i in range(1, 41))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("formats")
    (root / "lakeferry.yml").write_text(YML, encoding="utf-8")
    lake = root / "lake/raw-lake"
    for folder in ("pq", "arr", "bz", "zs"):
        (lake / folder).mkdir(parents=True)
    duckdb.sql(
        "COPY (SELECT range AS id, 'n' || range AS name, range * 0.5 AS score,"
        " DATE '2024-01-01' + range::INT AS day, range % 2 = 0 AS even FROM range(100))"
        f" TO '{lake / 'pq/part-0.parquet'}' (FORMAT parquet)"
    )
    rows = [{"id": i, "tag": f"t{i}", "when": f"2024-02-0{i}"} for i in range(1, 6)]
    (lake / "arr/items.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    (lake / "bz/data.csv.bz2").write_bytes(bz2.compress(CSV.encode()))
    (lake / "zs/data.dat").write_bytes(pa.compress(CSV.encode(), codec="zstd", asbytes=True))
    p = Project(root)
    p.crawl()
    return p


def test_parquet_schema_comes_from_the_footer(project: Project) -> None:
    table = project.catalog.get_table("db", "pq")
    assert table.format == "parquet"
    assert [(c.name, c.type) for c in table.columns] == [
        ("id", "bigint"),
        ("name", "string"),
        ("score", "double"),
        ("day", "date"),
        ("even", "boolean"),
    ]
    rows = project.query("SELECT count(*) AS n, max(day) AS d FROM db.pq").rows
    assert rows == [{"n": 100, "d": __import__("datetime").date(2024, 4, 9)}]


def test_json_array_is_classified_and_read(project: Project) -> None:
    table = project.catalog.get_table("db", "arr")
    assert (table.format, table.serde.get("json_layout")) == ("json", "array")
    assert [(c.name, c.type) for c in table.columns] == [
        ("id", "bigint"),
        ("tag", "string"),
        ("when", "date"),
    ]
    assert project.query("SELECT sum(id) AS s FROM db.arr").rows == [{"s": 15}]


@pytest.mark.parametrize(("name", "compression"), [("bz", "bzip2"), ("zs", "zstd")])
def test_bzip2_and_zstd_by_magic_bytes(project: Project, name: str, compression: str) -> None:
    table = project.catalog.get_table("db", name)
    assert (table.format, table.compression) == ("csv", compression)
    assert [(c.name, c.type) for c in table.columns] == [
        ("id", "bigint"),
        ("city", "string"),
        ("amount", "double"),
    ]
    rows = project.query(f"SELECT count(*) AS n, sum(amount) AS s FROM db.{name}").rows
    assert rows == [{"n": 40, "s": 840.0}]


def test_a_cut_parquet_object_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "lakeferry.yml").write_text(YML, encoding="utf-8")
    folder = tmp_path / "lake/raw-lake/cut"
    folder.mkdir(parents=True)
    whole = folder / "whole.parquet"
    duckdb.sql(f"COPY (SELECT 1 AS a) TO '{whole}' (FORMAT parquet)")
    (folder / "half.parquet").write_bytes(whole.read_bytes()[:-20])
    report = Project(tmp_path).crawl()[0]
    half = next(o for o in report.objects if o.key == "cut/half.parquet")
    assert half.classified_as == "unreadable"
    assert "Parquet footer unreadable" in half.problems[0]
    assert report.tables == {"cut": "created"}
