"""Whole pages: real DuckDB queries, real vl_convert rendering, the HTML checked as text."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
import sqlglot

from lakeferry.dashboard import DashboardSpecError, build_dashboards, load_dashboard_spec

RunQuery = Callable[[str], pa.Table]
META = {
    "project": "covid",
    "run_id": "run-0042",
    "built_at": "2024-05-01T10:00:00Z",
    "data_freshness": "2020-03-20",
}

BOARD = """
title: Test board <&>
description: Everything a page can hold.
charts:
  - name: cases_total
    title: Total cases
    kind: kpi
    query: SELECT SUM(cases) AS total FROM fact_covid_county_daily WHERE date_key = 20200320
    value: total
    format: ",.0f"
  - name: positivity
    title: Positivity
    kind: kpi
    query: SELECT 0.0734 AS p
    value: p
    format: ".1%"
  - name: cases_by_state
    title: Cases by state
    kind: area
    query: |
      SELECT d.date, r.state_abbr AS state, SUM(f.new_cases) AS new_cases
      FROM fact_covid_county_daily f
      JOIN dim_date d ON d.date_key = f.date_key
      JOIN dim_region r ON r.fips = f.fips
      GROUP BY d.date, r.state_abbr
    x: date
    y: new_cases
    color: state
    y_title: Cases (new per day)
  - name: deaths_over_time
    title: Deaths
    kind: line
    query: |
      SELECT d.date, SUM(f.deaths) AS deaths
      FROM fact_covid_county_daily f JOIN dim_date d ON d.date_key = f.date_key
      GROUP BY d.date ORDER BY d.date
    x: date
    y: deaths
    y_title: Deaths (cumulative)
  - name: beds
    title: ICU beds
    kind: bar
    query: SELECT state_abbr, SUM(icu_beds) AS beds FROM dim_hospital GROUP BY state_abbr
    x: state_abbr
    y: beds
  - name: hospitals
    title: Hospitals
    kind: table
    query: SELECT name, state_abbr, icu_beds FROM dim_hospital ORDER BY hospital_key
"""
NETWORK_REF = re.compile(
    r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I
)


def sections(page: str) -> dict[str, str]:
    """data-chart name -> the section's HTML."""
    found = re.findall(r'<section class="chart"[^>]*data-chart="([^"]+)".*?</section>', page, re.S)
    bodies = re.findall(r'(<section class="chart".*?</section>)', page, re.S)
    return dict(zip(found, bodies, strict=True))


@pytest.fixture
def board(tmp_path: Path) -> Path:
    path = tmp_path / "dashboards" / "board.yml"
    path.parent.mkdir()
    path.write_text(BOARD, encoding="utf-8")
    return path


def test_page_has_one_section_per_chart(board: Path, run_query: RunQuery, tmp_path: Path) -> None:
    out = tmp_path / "site"
    paths = build_dashboards([board], run_query, out, META)
    assert paths == [out / "board.html"] and paths.problems == []
    page = paths[0].read_text(encoding="utf-8")
    found = sections(page)
    assert list(found) == [
        "cases_total",
        "positivity",
        "cases_by_state",
        "deaths_over_time",
        "beds",
        "hospitals",
    ]
    for name in ("cases_by_state", "deaths_over_time", "beds"):
        assert "<svg" in found[name] and re.search(r"<(path|rect)\b", found[name]), name
    assert 'data-kind="area"' in found["cases_by_state"]
    assert "<td>Harborview</td>" in found["hospitals"]
    assert "Test board &lt;&amp;&gt;" in page
    assert not list(out.glob(".*.tmp"))


def test_kpi_numbers_are_formatted(board: Path, run_query: RunQuery, tmp_path: Path) -> None:
    page = build_dashboards([board], run_query, tmp_path, META)[0].read_text()
    found = sections(page)
    # cases on day 20: 20 * 10 * (1 + … + 8) = 7,200
    assert '<p class="kpi-value">7,200</p>' in found["cases_total"]
    assert '<p class="kpi-value">7.3%</p>' in found["positivity"]


def test_meta_is_shown(board: Path, run_query: RunQuery, tmp_path: Path) -> None:
    page = build_dashboards([board], run_query, tmp_path, META)[0].read_text()
    header = page.split("</header>")[0]
    for key, value in (("Run id", "run-0042"), ("Data freshness", "2020-03-20")):
        assert f"<dt>{key}</dt><dd>{value}</dd>" in header


def test_page_makes_no_network_references(
    board: Path, covid_yml: Path, run_query: RunQuery, tmp_path: Path
) -> None:
    for path in build_dashboards([board, covid_yml], run_query, tmp_path, META):
        page = path.read_text(encoding="utf-8")
        assert not NETWORK_REF.search(page)
        assert "<script" not in page and "<link" not in page
        assert "default-src 'none'" in page


def test_failing_query_shows_error_and_other_charts_render(
    board: Path, run_query: RunQuery, tmp_path: Path
) -> None:
    board.write_text(
        board.read_text().replace("FROM dim_hospital ORDER BY", "FROM no_such_table ORDER BY"),
        encoding="utf-8",
    )
    built = build_dashboards([board], run_query, tmp_path, META)
    found = sections(built[0].read_text())
    assert 'data-status="error"' in found["hospitals"]
    assert "Query failed" in found["hospitals"] and "no_such_table" in found["hospitals"]
    assert "<svg" in found["beds"] and "<svg" in found["deaths_over_time"]
    assert [(p.chart, p.status) for p in built.problems] == [("hospitals", "error")]
    assert 'class="problems"' in built[0].read_text()


def test_empty_result_and_missing_column(board: Path, run_query: RunQuery, tmp_path: Path) -> None:
    text = board.read_text().replace(
        "GROUP BY d.date ORDER BY", "GROUP BY d.date HAVING false ORDER BY"
    )
    board.write_text(text.replace("y: beds", "y: bed_count"))
    built = build_dashboards([board], run_query, tmp_path, META)
    problems = {p.chart: p for p in built.problems}
    assert problems["deaths_over_time"].status == "empty"
    assert "bed_count" in problems["beds"].message and "beds" in problems["beds"].message
    found = sections(built[0].read_text())
    assert "No data" in found["deaths_over_time"] and "<svg" not in found["deaths_over_time"]


def test_error_text_is_escaped(tmp_path: Path) -> None:
    board = tmp_path / "x.yml"
    board.write_text("title: X\ncharts:\n  - {name: a, title: A, kind: table, query: q}\n")

    def failing(sql: str) -> pa.Table:
        raise RuntimeError("<script>alert(1)</script>")

    page = build_dashboards([board], failing, tmp_path, META)[0].read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_invalid_file_writes_nothing(board: Path, run_query: RunQuery, tmp_path: Path) -> None:
    bad = board.with_name("bad.yml")
    bad.write_text(
        textwrap.dedent("""\
        title: Bad
        charts:
          - {name: a, title: A, kind: pie, query: q}
    """)
    )
    out = tmp_path / "site"
    with pytest.raises(DashboardSpecError, match=r"bad\.yml:3: charts\[0\] \(a\)\.kind"):
        build_dashboards([board, bad], run_query, out, META)
    assert not out.exists()


def test_rebuild_replaces_the_page(board: Path, run_query: RunQuery, tmp_path: Path) -> None:
    first = build_dashboards([board], run_query, tmp_path, META)[0]
    board.write_text(board.read_text().replace("Test board", "Renamed board"))
    second = build_dashboards([board], run_query, tmp_path, META)[0]
    assert first == second and "Renamed board" in second.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.html", "dashboards"]


def test_covid_dashboard_queries_run_and_render(
    covid_yml: Path, run_query: RunQuery, tmp_path: Path
) -> None:
    for chart in load_dashboard_spec(covid_yml).charts:
        assert run_query(chart.query).num_rows > 0, chart.name
    built = build_dashboards([covid_yml], run_query, tmp_path, META)
    assert built.problems == []
    found = sections(built[0].read_text())
    for name in ("cases_over_time", "top_counties", "test_positivity", "icu_beds_by_state"):
        assert "<svg" in found[name], name
    assert found["test_positivity"].count('class="mark-line role-mark') >= 1
    assert "<td>WA</td>" in found["latest_by_state"]


def test_covid_top_states_and_counties(covid_yml: Path, run_query: RunQuery) -> None:
    charts = {c.name: c for c in load_dashboard_spec(covid_yml).charts}
    states = run_query(charts["test_positivity"].query).column("state").to_pylist()
    assert sorted(set(states)) == ["CA", "FL", "IL", "NY", "WA"]  # AK and AZ have fewer tests
    counties = run_query(charts["top_counties"].query).column("county").to_pylist()
    assert len(counties) == 7 and "Aleutians East, AK" not in counties  # no population


@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
def test_covid_sql_parses_in_warehouse_dialects(covid_yml: Path, dialect: str) -> None:
    for chart in load_dashboard_spec(covid_yml).charts:
        sqlglot.parse_one(chart.query, read=dialect)
