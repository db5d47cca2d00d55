"""Dashboard YAML validation: good files parse, bad ones name the file, line and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lakeferry.dashboard import DashboardSpecError, load_dashboard_spec

GOOD_LINE = """
  - name: cases
    title: Cases
    kind: line
    query: SELECT 1
    x: date
    y: cases
"""


def write(tmp_path: Path, body: str, name: str = "board.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_covid_dashboard_parses(covid_yml: Path) -> None:
    spec = load_dashboard_spec(covid_yml)
    kinds = {chart.kind for chart in spec.charts}
    names = {chart.name for chart in spec.charts}
    assert {"kpi", "line", "bar", "table"} <= kinds
    assert {"cases_over_time", "top_counties", "test_positivity", "icu_beds_by_state"} <= names


def test_kpi_accepts_format_as_number_format(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        title: T
        charts:
          - {name: n, title: N, kind: kpi, query: SELECT 1 AS v, value: v, format: ",.0f"}
        """,
    )
    assert load_dashboard_spec(path).charts[0].number_format == ",.0f"


# (chart YAML under `charts:`, text the error must contain besides the file name)
BAD_CHARTS = [
    ("- {name: a, title: A, kind: pie, query: q}", ["charts[0] (a).kind", "'pie'"]),
    ("- {name: a, title: A, kind: line, query: q, x: d}", ["charts[0] (a)", "'y' is required"]),
    (
        "- {name: a, title: A, kind: line, query: q, x: d, y: v, colour: s}",
        ["charts[0] (a).colour", "did you mean 'color'"],
    ),
    ("- {name: a, title: A, kind: kpi, query: q}", ["charts[0] (a)", "'value' is required"]),
    ("- {name: a, title: A, kind: kpi, query: q, value: v, format: ',.0q'}", ["format", "d3"]),
    ("- {name: a, title: A, kind: kpi, query: q, value: v, color: s}", ["'color' only applies"]),
    ("- {name: a, title: A, kind: bar, x: c, y: v}", ["charts[0] (a).query", "required"]),
    ("- {name: 'a b', title: A, kind: table, query: q}", ["charts[0] (a b).name"]),
    ("- {name: a, title: A, kind: table, query: q, limit: 0}", ["charts[0] (a).limit"]),
    ("- {name: a, title: A, kind: table, query: q, sort: -y}", ["'sort' only applies", "'bar'"]),
]


@pytest.mark.parametrize(("chart_yaml", "expected"), BAD_CHARTS)
def test_invalid_chart_names_file_and_key(
    tmp_path: Path, chart_yaml: str, expected: list[str]
) -> None:
    path = write(tmp_path, f"title: T\ncharts:\n  {chart_yaml}\n", name="sales.yml")
    with pytest.raises(DashboardSpecError) as info:
        load_dashboard_spec(path)
    message = str(info.value)
    assert "sales.yml:3" in message  # file and line of the chart
    for text in expected:
        assert text in message


def test_error_points_at_the_line_of_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "title: T\ncharts:" + GOOD_LINE + "    sort: sideways\n")
    with pytest.raises(DashboardSpecError, match=r"board\.yml:9: charts\[0\] \(cases\)\.sort"):
        load_dashboard_spec(path)


def test_duplicate_chart_names(tmp_path: Path) -> None:
    path = write(tmp_path, "title: T\ncharts:" + GOOD_LINE + GOOD_LINE)
    with pytest.raises(DashboardSpecError, match="'cases' is used more than once"):
        load_dashboard_spec(path)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("charts: []\n", "title"),
        ("title: T\n", "'charts' is required"),
        ("- just\n- a list\n", "expected a mapping"),
        ("title: [unclosed\n", "not valid YAML"),
        ("title: T\ncharts:" + GOOD_LINE + "extra: 1\n", "unknown key 'extra'"),
    ],
)
def test_invalid_dashboard(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(DashboardSpecError, match=r"board\.yml") as info:
        load_dashboard_spec(path)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DashboardSpecError, match=r"nope\.yml"):
        load_dashboard_spec(tmp_path / "nope.yml")
