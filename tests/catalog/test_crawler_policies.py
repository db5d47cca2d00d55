"""Crawler policies: schema change (update | log | fail), deletion (deprecate | delete |
log), manual types that survive recrawls, YAML column overrides, folder partitions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lakeferry import Project
from lakeferry.catalog.crawler import CrawlReport, crawl
from lakeferry.cli import app
from lakeferry.config import CrawlTarget
from lakeferry.errors import ConfigError

from .conftest import BUCKET, MiniLake

INTS = "id,v\n1,10\n2,20\n"
DOUBLES = "id,v\n3,2.5\n"


def run(lake: MiniLake, *, columns: dict[str, Any] | None = None, **policy: str) -> CrawlReport:
    target = CrawlTarget(path=f"s3://{BUCKET}/", columns=columns or {})
    return crawl(lake.store, lake.catalog, database="db", targets=[target], **policy)


def test_update_evolves_adds_columns_and_widens(lake: MiniLake) -> None:
    lake.put("t/a.json", '{"id": 1, "d": "2024-01-01"}\n')
    run(lake)
    lake.put("t/b.json", '{"id": 1.5, "d": "2024-01-01 10:00:00", "extra": "x"}\n')
    report = run(lake, schema_change="update")
    assert report.tables == {"t": "updated"}
    assert lake.columns("t") == [("id", "double"), ("d", "timestamp"), ("extra", "string")]
    assert lake.table("t").version == 2


def test_log_keeps_the_schema_and_reports_the_drift(lake: MiniLake) -> None:
    lake.put("t/a.csv", INTS)
    run(lake)
    lake.put("t/b.csv", DOUBLES)
    report = run(lake, schema_change="log")
    assert report.tables == {"t": "unchanged (drift logged)"}
    assert report.drift == {"t": ["v: bigint -> double"]}
    assert lake.columns("t") == [("id", "bigint"), ("v", "bigint")]
    assert [o.key for o in lake.table("t").objects] == ["t/a.csv", "t/b.csv"]


def test_fail_refuses_that_table_and_crawls_the_others(lake: MiniLake) -> None:
    lake.put("t/a.csv", INTS)
    run(lake)
    lake.put("t/b.csv", DOUBLES)
    lake.put("u/a.csv", INTS)
    report = run(lake, schema_change="fail")
    assert report.tables["u"] == "created"
    assert report.tables["t"].startswith("failed: schema change in db.t refused")
    assert "v: bigint -> double" in report.tables["t"]
    line = next(o for o in report.objects if o.key == "t/b.csv")
    assert line.table is None and "schema_change: fail" in line.problems[-1]
    assert [o.key for o in lake.table("t").objects] == ["t/a.csv"]  # the catalog is as before
    assert lake.columns("t") == [("id", "bigint"), ("v", "bigint")]


@pytest.mark.parametrize(
    ("deletion", "status"),
    [("deprecate", "deprecated"), ("delete", "deleted"), ("log", "gone")],
)
def test_deletion_policy(lake: MiniLake, deletion: str, status: str) -> None:
    lake.put("keep/a.csv", INTS)
    lake.put("gone/a.csv", INTS)
    run(lake)
    lake.delete("gone/a.csv")
    report = run(lake, deletion=deletion)
    assert report.tables["gone"].startswith(status)
    names = {t.name: t for t in lake.catalog.list_tables("db")}
    assert ("gone" in names) == (deletion != "delete")
    if deletion == "deprecate":
        assert names["gone"].deprecated and names["gone"].objects == []
        assert names["gone"].to_dict()["deprecated"] is True
        assert "gone" not in run(lake).tables  # reported once
        lake.put("gone/a.csv", INTS)
        assert run(lake).tables["gone"] == "unchanged"
        assert not lake.table("gone").deprecated
    assert not names["keep"].deprecated


def test_a_yaml_column_type_always_wins(lake: MiniLake) -> None:
    lake.put("t/a.csv", "fips,v\n53033,1\n")
    run(lake, columns={"fips": "string"})
    assert lake.columns("t") == [("fips", "string"), ("v", "bigint")]
    lake.put("t/b.csv", "fips,v\n53061,2\n")
    assert run(lake, columns={"fips": "string"}).tables == {"t": "unchanged"}
    assert lake.columns("t") == [("fips", "string"), ("v", "bigint")]


def test_folders_named_like_values_are_partitions(lake: MiniLake) -> None:
    for year, month in (("2023", "11"), ("2023", "12"), ("2024", "01")):
        lake.put(f"logs/{year}/{month}/a.csv", INTS)
    lake.put("logs/2024/02/b.csv", "other,shape,here\n1,2,3\n")
    lake.put("us_states/a.csv", INTS)  # a word: its own table even with the same schema
    lake.put("us_county/a.csv", INTS)
    report = run(lake)
    assert set(report.tables) == {"logs", "us_states", "us_county"}
    table = lake.table("logs")
    assert [(c.name, c.type) for c in table.partition_keys] == [
        ("partition_0", "bigint"),
        ("partition_1", "string"),
    ]
    assert [p["values"] for p in table.partitions()] == [
        {"partition_0": "2023", "partition_1": "11"},
        {"partition_0": "2023", "partition_1": "12"},
        {"partition_0": "2024", "partition_1": "01"},
    ]
    assert table.partitions()[0]["location"] == f"s3://{BUCKET}/logs/2023/11/"
    odd = next(o for o in report.objects if o.key == "logs/2024/02/b.csv")
    assert odd.table is None and "schema differs" in odd.problems[0]


# --- manual edits through the project and the CLI ------------------------------------------

YML = """\
name: edits
zones: {raw: s3://raw-lake/, processed: s3://proc-lake/, query_results: s3://res-lake/}
crawlers:
  - name: raw
    database: db
    targets: [{path: "s3://raw-lake/"}]
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "lakeferry.yml").write_text(YML, encoding="utf-8")
    folder = tmp_path / "lake/raw-lake/codes"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("code,n\n101,1\n202,2\n", encoding="utf-8")
    p = Project(tmp_path)
    p.crawl()
    return p


def test_set_type_survives_recrawls(project: Project, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["-p", str(tmp_path), "catalog", "set-type", "codes", "code", "string"]
    )
    assert result.exit_code == 0, result.output
    assert "db.codes.code: string (manual) v2" in result.output
    (tmp_path / "lake/raw-lake/codes/b.csv").write_text("code,n\n303,3\n", encoding="utf-8")
    shutil.copy(tmp_path / "lake/raw-lake/codes/a.csv", tmp_path / "lake/raw-lake/codes/c.csv")
    project.crawl()
    table = project.catalog.get_table("db", "codes")
    assert [(c.name, c.type, c.manual) for c in table.columns] == [
        ("code", "string", True),
        ("n", "bigint", False),
    ]
    assert len(table.objects) == 3
    assert project.query("SELECT code FROM db.codes ORDER BY code").rows[0] == {"code": "101"}
    history = project.catalog.history("db", "codes")
    assert history[1]["changed"] == ["code: bigint -> string"]


def test_set_type_errors_name_the_nearest(project: Project) -> None:
    with pytest.raises(ConfigError, match="unknown column type 'bigin'") as caught:
        project.set_column_type("codes", "code", "bigin")
    assert caught.value.hint == "did you mean 'bigint'?"
    with pytest.raises(ConfigError, match="no column 'cod'"):
        project.set_column_type("db.codes", "cod", "string")


def test_a_refused_schema_change_fails_the_crawl_command_and_the_run(tmp_path: Path) -> None:
    (tmp_path / "lakeferry.yml").write_text(
        YML.replace("    database: db\n", "    database: db\n    schema_change: fail\n"),
        encoding="utf-8",
    )
    folder = tmp_path / "lake/raw-lake/codes"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("code,n\n101,1\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["-p", str(tmp_path), "crawl"]).exit_code == 0
    (folder / "b.csv").write_text("code,n\n303,3.5\n", encoding="utf-8")  # n: bigint -> double
    result = CliRunner().invoke(app, ["-p", str(tmp_path), "crawl"])
    assert result.exit_code == 1
    assert "db.codes" in result.output and "schema_change: fail" in result.output
    summary = Project(tmp_path).run(steps=["crawl"])
    assert summary.status == "failed"
    assert "schema_change: fail" in (summary.steps[0].error or "")
    assert Project(tmp_path).catalog.get_table("db", "codes").columns[1].type == "bigint"


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("snake_case", ["hospital_name", "alpha_2_code"]),
        ("lower", ["hospitalname", "alpha-2 code"]),
        ("original", ["HospitalName", "Alpha-2 code"]),
    ],
)
def test_column_name_style_is_configurable(tmp_path: Path, style: str, expected: list[str]) -> None:
    target = f'targets: [{{path: "s3://raw-lake/", column_names: {style}}}]'
    (tmp_path / "lakeferry.yml").write_text(
        YML.replace('targets: [{path: "s3://raw-lake/"}]', target), encoding="utf-8"
    )
    folder = tmp_path / "lake/raw-lake/things"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("HospitalName,Alpha-2 code\nMercy,US\n", encoding="utf-8")
    project = Project(tmp_path)
    project.crawl()
    table = project.catalog.get_table("db", "things")
    assert [c.name for c in table.columns] == expected
    assert [c.original_name for c in table.columns] == ["HospitalName", "Alpha-2 code"]
    quoted = ", ".join('"' + n + '"' for n in expected)
    assert project.query(f"SELECT {quoted} FROM db.things").rows == [
        dict(zip(expected, ["Mercy", "US"], strict=True))
    ]
