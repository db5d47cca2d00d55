"""Dashboards: YAML chart specs → warehouse queries → one self-contained HTML page each.

    from lakeferry.dashboard import build_dashboards

    pages = build_dashboards(
        [Path("dashboards/covid.yml")], run_query=warehouse.query, out_dir=Path("site"),
        meta={"project": "covid", "run_id": run_id},
    )
    for problem in pages.problems:   # charts shown as an error or "no data"
        print(problem)

Chart kinds: kpi (number tile), line, bar, area (stacked), table. Line, bar and area
charts are Vega-Lite specs rendered to inline SVG by vl_convert; the page needs no
network. Errors: `DashboardSpecError` (a ValueError) for an invalid YAML file.
"""

from lakeferry.dashboard.build import BuiltDashboards, ChartProblem, build_dashboards
from lakeferry.dashboard.spec import (
    ChartSpec,
    DashboardSpec,
    DashboardSpecError,
    load_dashboard_spec,
)

__all__ = [
    "BuiltDashboards",
    "ChartProblem",
    "ChartSpec",
    "DashboardSpec",
    "DashboardSpecError",
    "build_dashboards",
    "load_dashboard_spec",
]
