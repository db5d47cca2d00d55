"""CLI smoke tests for ``query`` and ``query history`` (typer's CliRunner)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from typer.testing import CliRunner

from lakeferry import Project
from lakeferry.cli import app

runner = CliRunner()
TOP3 = "SELECT state, max(cases) AS c FROM covid.us_states GROUP BY state ORDER BY c DESC LIMIT 3"


def cli(project: Project, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["-p", str(project.root), *args])
    assert result.exit_code == code, result.output
    return result.output


def test_query_json(covid_lake: Project) -> None:
    rows: list[dict[str, Any]] = json.loads(cli(covid_lake, "query", "--format", "json", TOP3))
    assert rows == [{k: v for k, v in r.items()} for r in covid_lake.query(TOP3).rows]
    assert len(rows) == 3 and set(rows[0]) == {"state", "c"}


def test_query_csv(covid_lake: Project) -> None:
    rows = list(csv.reader(io.StringIO(cli(covid_lake, "query", "--format", "csv", TOP3))))
    assert rows[0] == ["state", "c"]
    assert [(s, int(c)) for s, c in rows[1:]] == [
        (r["state"], r["c"]) for r in covid_lake.query(TOP3).rows
    ]


def test_query_table_says_where_the_result_is(covid_lake: Project) -> None:
    out = cli(covid_lake, "query", TOP3)
    assert "3 rows" in out
    assert "s3://covid19-query-results/athena/" in out.replace("\n", "")


def test_query_json_with_the_option_after_the_sql(covid_lake: Project) -> None:
    rows = json.loads(cli(covid_lake, "query", TOP3, "--format", "json"))
    assert len(rows) == 3


def test_query_history_json(covid_lake: Project) -> None:
    cli(covid_lake, "query", "--format", "json", "SELECT 40 + 2 AS answer")
    history = json.loads(cli(covid_lake, "query", "history", "--format", "json"))
    assert history[0]["state"] == "SUCCEEDED"
    assert history[0]["query"] == "SELECT 40 + 2 AS answer"


def test_query_errors_exit_1_with_the_message(covid_lake: Project) -> None:
    out = cli(covid_lake, "query", "SELECT * FROM covid.us_countys", code=1)
    assert "no table covid.us_countys" in out and "nearest: covid.us_county" in out
    out = cli(covid_lake, "query", "SELECT state\nFROM covid.us_states\nWHERE", code=1)
    assert "SQL syntax error at line 3" in out
    failed = covid_lake.lake().history(limit=1)[0]
    assert failed["state"] == "FAILED"
