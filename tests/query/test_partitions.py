"""A hive-partitioned table: the partition keys are typed columns in lake SQL, as in Athena."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakeferry import Project

YML = """\
name: events
zones: {raw: s3://raw-lake/, processed: s3://proc-lake/, query_results: s3://res-lake/}
crawlers:
  - name: events
    database: ev
    targets: [{path: "s3://raw-lake/events/"}]
"""


@pytest.fixture
def events(tmp_path: Path) -> Project:
    (tmp_path / "lakeferry.yml").write_text(YML, encoding="utf-8")
    files = {
        "year=2020/month=03/a.csv": "id,v\n1,10\n2,20\n",
        "year=2020/month=04/a.csv": "id,v\n3,30\n",
        "year=2021/month=01/a.csv": "id,v\n4,40\n",
    }
    for key, text in files.items():
        path = tmp_path / "lake/raw-lake/events" / key
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    project = Project(tmp_path)
    project.crawl()
    return project


def test_partition_keys_are_queryable(events: Project) -> None:
    rows = events.query(
        "SELECT year, count(*) AS n, sum(v) AS s FROM ev.events GROUP BY year ORDER BY year"
    ).rows
    assert [(r["year"], r["n"], int(r["s"])) for r in rows] == [(2020, 3, 60), (2021, 1, 40)]


def test_select_star_has_data_then_partition_columns(events: Project) -> None:
    result = events.query("SELECT * FROM ev.events WHERE month = '04'")
    assert result.table.column_names == ["id", "v", "year", "month"]
    assert result.rows == [{"id": 3, "v": 30, "year": 2020, "month": "04"}]  # year typed bigint
