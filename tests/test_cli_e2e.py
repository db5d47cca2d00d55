"""The whole covid pipeline through the command line, as a user types it."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lakeferry.cli import app

TABLES = [
    "dim_date",
    "dim_region",
    "dim_hospital",
    "fact_covid_county_daily",
    "fact_covid_state_testing_daily",
]
SCALE = "0.1"


def lf(*args: str) -> tuple[int, str, str]:
    """Run ``lakeferry ARGS``; return the exit code, stdout, and stdout+stderr."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})
    return result.exit_code, result.stdout, result.output


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]


def row_counts(project: Path) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        code, out, both = lf(
            "-p",
            str(project),
            "warehouse",
            "query",
            f"SELECT count(*) AS n FROM {table}",
            "--format",
            "json",
        )
        assert code == 0, both
        rows = json.loads(out)
        assert isinstance(rows, list) and len(rows) == 1, out
        counts[table] = rows[0]["n"]
    return counts


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """init → sample → run, by the command line."""
    root = tmp_path_factory.mktemp("e2e") / "covid"
    code, _, both = lf("init", str(root))
    assert code == 0, both
    assert (root / "lakeferry.yml").is_file()
    code, _, both = lf("-p", str(root), "sample", "covid", "s3://covid19-lake/", "--scale", SCALE)
    assert code == 0, both
    code, _, both = lf("-p", str(root), "run")
    assert code == 0, both
    assert "succeeded" in both
    return root


def test_run_fills_every_star_schema_table(project: Path) -> None:
    counts = row_counts(project)
    assert all(n > 0 for n in counts.values()), counts


def test_check_passes(project: Path) -> None:
    code, out, both = lf("-p", str(project), "check", "--format", "json")
    assert code == 0, both
    assert json.loads(out)["passed"] is True


def test_dashboard_is_self_contained(project: Path) -> None:
    html = project / "target" / "dashboards" / "covid.html"
    assert html.is_file()
    parser = _Links()
    parser.feed(html.read_text(encoding="utf-8"))
    assert parser.tags > 10
    remote = [
        link
        for link in parser.links
        if link.strip().lower().startswith(("http://", "https://", "//"))
    ]
    assert remote == []


def test_second_run_leaves_identical_counts(project: Path) -> None:
    before = row_counts(project)
    code, _, both = lf("-p", str(project), "run")
    assert code == 0, both
    assert row_counts(project) == before
    code, _, both = lf("-p", str(project), "check")
    assert code == 0, both


def test_demo(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    code, out, both = lf("demo", str(target), "--scale", SCALE)
    assert code == 0, both
    dashboard = target / "target" / "dashboards" / "covid.html"
    assert dashboard.is_file()
    assert f"dashboard: {dashboard.resolve()}" in out
