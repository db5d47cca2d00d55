"""Assemble dashboard pages: one self-contained HTML file per dashboard YAML file.

Every chart becomes ``<section class="chart" data-chart="NAME" data-kind="KIND">``
holding an inline SVG (line, bar, area), a number tile (kpi) or an HTML table (table).
A chart whose query fails, returns no rows or cannot be drawn shows the reason in its
section; the rest of the page is unaffected and the problem is listed at the top of the
page and on the value returned by `build_dashboards` (`BuiltDashboards.problems`).

The page has no external references (inline CSS, inline SVG, a Content-Security-Policy
that forbids network loads), so it opens from file:// and can be mailed as one file.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from lakeferry.dashboard.render import format_number, render_svg, vega_lite_spec
from lakeferry.dashboard.spec import (
    ChartSpec,
    DashboardSpec,
    DashboardSpecError,
    load_dashboard_spec,
)

__all__ = ["BuiltDashboards", "ChartProblem", "ChartResult", "build_dashboards", "render_chart"]

log = logging.getLogger(__name__)

RunQuery = Callable[[str], pa.Table]

# Rows kept from a query result when the chart sets no `limit` (the query's order is kept).
DEFAULT_ROW_LIMITS = {"table": 500, "kpi": 1, "line": 10_000, "bar": 10_000, "area": 10_000}
MAX_MESSAGE_CHARS = 2_000

# The browser enforces "no network": only inline styles and data: images may load.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class ChartProblem:
    """A chart drawn as a message instead of data."""

    dashboard: str  # the dashboard file's stem, which is also the page's file name
    chart: str
    title: str
    status: Literal["error", "empty"]
    message: str

    def __str__(self) -> str:
        return f"{self.dashboard}/{self.chart}: {self.message}"


class BuiltDashboards(list[Path]):
    """The pages written by `build_dashboards`, in input order.

    A plain list of paths, plus `problems`: every chart (of every page) that shows an
    error or "no data" instead of a chart. Empty when every chart rendered.
    """

    def __init__(self, paths: Iterable[Path] = (), problems: Iterable[ChartProblem] = ()):
        super().__init__(paths)
        self.problems: list[ChartProblem] = list(problems)


@dataclass
class ChartResult:
    """One chart, rendered: its HTML body, or the problem that replaced it."""

    chart: ChartSpec
    body_html: str = ""
    status: Literal["ok", "error", "empty"] = "ok"
    message: str = ""
    note: str = ""  # e.g. "Showing the first 500 of 2,345 rows."
    vega_lite: dict[str, Any] | None = field(default=None, repr=False)  # for interactivity


def build_dashboards(
    dashboard_files: list[Path],
    run_query: RunQuery,
    out_dir: Path,
    meta: dict[str, str],
) -> BuiltDashboards:
    """Render each dashboard YAML file to ``out_dir/<file stem>.html``; return the paths.

    Every file is validated before any page is written, so a bad file raises
    `DashboardSpecError` and leaves the previous pages in place. Each page is written
    atomically. Charts that fail at query or render time do not raise: they show their
    error in the page and are listed in the returned value's `.problems`.
    """
    specs = [(path, load_dashboard_spec(path)) for path in dashboard_files]
    _check_unique_stems([path for path, _ in specs])
    out_dir.mkdir(parents=True, exist_ok=True)
    built = BuiltDashboards()
    for path, spec in specs:
        results = [render_chart(chart, run_query) for chart in spec.charts]
        problems = [_problem(path.stem, result) for result in results if result.status != "ok"]
        page = render_page(spec, results, meta)
        built.append(_write_atomic(out_dir / f"{path.stem}.html", page))
        built.problems.extend(problems)
    for problem in built.problems:
        log.warning("dashboard chart not drawn: %s", problem)
    return built


def _check_unique_stems(paths: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem in seen:
            raise DashboardSpecError(
                f"{path}: same page name {path.stem + '.html'!r} as {seen[path.stem]}; rename one"
            )
        seen[path.stem] = path


def _problem(dashboard: str, result: ChartResult) -> ChartProblem:
    status: Literal["error", "empty"] = "empty" if result.status == "empty" else "error"
    chart = result.chart
    return ChartProblem(dashboard, chart.name, chart.title, status, result.message)


# ---------------------------------------------------------------- one chart


def render_chart(chart: ChartSpec, run_query: RunQuery) -> ChartResult:
    """Run a chart's query and render it; failures become a `ChartResult` with a message."""
    try:
        table = run_query(chart.query)
    except Exception as exc:  # any backend error: the page must still be built
        return ChartResult(chart, status="error", message=f"Query failed: {_exc_text(exc)}")
    if table.num_rows == 0:
        return ChartResult(chart, status="empty", message="No data: the query returned no rows.")
    try:
        return _draw(chart, _match_columns(chart, table))
    except Exception as exc:
        return ChartResult(chart, status="error", message=f"Cannot draw chart: {_exc_text(exc)}")


def _draw(chart: ChartSpec, table: pa.Table) -> ChartResult:
    limit = chart.limit or DEFAULT_ROW_LIMITS[chart.kind]
    note = ""
    if table.num_rows > limit and chart.kind != "kpi":
        note = f"Showing the first {limit:,} of {table.num_rows:,} rows."
    table = table.slice(0, limit)
    if chart.kind == "kpi":
        return _kpi(chart, table)
    if chart.kind == "table":
        return ChartResult(chart, body_html=_table_html(chart, table), note=note)
    spec = vega_lite_spec(chart, table)
    svg = render_svg(spec, id_prefix=f"chart-{chart.name}")
    return ChartResult(chart, body_html=svg, note=note, vega_lite=spec)


def _match_columns(chart: ChartSpec, table: pa.Table) -> pa.Table:
    """Check the spec's columns exist, matching case-insensitively.

    PostgreSQL and Redshift fold unquoted aliases to lower case while DuckDB keeps them,
    so `y: newCases` must find `newcases` too. Matched columns take the spec's spelling.
    """
    names = list(table.column_names)
    lower = {name.lower(): i for i, name in enumerate(names)}
    for key in ("x", "y", "color", "value"):
        wanted = getattr(chart, key)
        if wanted is None or wanted in names:
            continue
        if wanted.lower() not in lower:
            available = ", ".join(table.column_names)
            raise ValueError(
                f"{key}: column {wanted!r} is not in the query result (columns: {available})"
            )
        names[lower[wanted.lower()]] = wanted
    return table.rename_columns(names)


def _kpi(chart: ChartSpec, table: pa.Table) -> ChartResult:
    assert chart.value
    value = table.column(chart.value)[0].as_py()
    if value is None:
        return ChartResult(chart, status="empty", message="No data: the value is empty (NULL).")
    text = _cell_text(value, chart.number_format)
    return ChartResult(chart, body_html=f'<p class="kpi-value">{html.escape(text)}</p>')


def _table_html(chart: ChartSpec, table: pa.Table) -> str:
    numeric = [_is_numeric(column.type) for column in table.schema]
    formats = [chart.column_formats.get(name, chart.number_format) for name in table.column_names]
    head = "".join(
        f'<th{_num_class(num)} scope="col">{html.escape(_label(name))}</th>'
        for name, num in zip(table.column_names, numeric, strict=True)
    )
    rows = []
    for row in table.to_pylist():  # bounded by DEFAULT_ROW_LIMITS["table"]
        cells = "".join(
            f"<td{_num_class(num)}>{html.escape(_cell_text(value, fmt))}</td>"
            for value, num, fmt in zip(row.values(), numeric, formats, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _is_numeric(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)


def _num_class(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _cell_text(value: Any, fmt: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return format_number(value, fmt)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _label(name: str) -> str:
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def _exc_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + " …"


# ---------------------------------------------------------------- the page


def render_page(spec: DashboardSpec, results: list[ChartResult], meta: dict[str, str]) -> str:
    """The complete HTML document of one dashboard."""
    title = html.escape(spec.title)
    project = meta.get("project")
    page_title = f"{title} · {html.escape(project)}" if project else title
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="generator" content="lakeferry">\n'
        f"<title>{page_title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{_header_html(spec, meta)}{_problems_html(results)}"
        f"<main>\n{''.join(_groups_html(results))}</main>\n"
        "<footer>Built by lakeferry. Charts are static; each query is under “Query”.</footer>\n"
        "</body>\n</html>\n"
    )


def _header_html(spec: DashboardSpec, meta: dict[str, str]) -> str:
    items = "".join(
        f"<div><dt>{html.escape(_label(key))}</dt><dd>{html.escape(str(value))}</dd></div>"
        for key, value in meta.items()
    )
    description = (
        f'<p class="description">{html.escape(spec.description)}</p>' if spec.description else ""
    )
    return (
        f'<header class="page">\n<h1>{html.escape(spec.title)}</h1>\n{description}'
        f'<dl class="meta">{items}</dl>\n</header>\n'
    )


def _problems_html(results: list[ChartResult]) -> str:
    failed = [r for r in results if r.status != "ok"]
    if not failed:
        return ""
    items = "".join(
        f'<li><a href="#chart-{html.escape(r.chart.name)}">{html.escape(r.chart.title)}</a>: '
        f"{html.escape(r.message)}</li>"
        for r in failed
    )
    count = f"{len(failed)} of {len(results)} charts"
    return (
        f'<aside class="problems" role="alert"><strong>{count} could not be drawn.</strong>'
        f"<ul>{items}</ul></aside>\n"
    )


def _groups_html(results: list[ChartResult]) -> Iterator[str]:
    """Consecutive KPI tiles share a row of small cards; other charts share a grid."""
    group: list[ChartResult] = []
    for result in results:
        if group and (group[0].chart.kind == "kpi") != (result.chart.kind == "kpi"):
            yield _group_html(group)
            group = []
        group.append(result)
    if group:
        yield _group_html(group)


def _group_html(group: list[ChartResult]) -> str:
    css_class = "kpis" if group[0].chart.kind == "kpi" else "charts"
    sections = "".join(_section_html(result) for result in group)
    return f'<div class="{css_class}">\n{sections}</div>\n'


def _section_html(result: ChartResult) -> str:
    chart = result.chart
    name = html.escape(chart.name)
    heading = f"<h2>{html.escape(chart.title)}</h2>"
    if result.status == "ok":
        body = f'<div class="chart-body">{result.body_html}</div>'
    else:
        body = f'<p class="chart-message">{html.escape(result.message)}</p>'
    # a KPI tile reads number first, label second
    parts = [body, heading] if chart.kind == "kpi" and result.status == "ok" else [heading, body]
    if chart.description:
        parts.insert(parts.index(heading) + 1, _tag("p", "chart-description", chart.description))
    if result.note:
        parts.append(_tag("p", "chart-note", result.note))
    parts.append(
        f"<details><summary>Query</summary><pre>{html.escape(chart.query)}</pre></details>"
    )
    return (
        f'<section class="chart" id="chart-{name}" data-chart="{name}" '
        f'data-kind="{chart.kind}" data-status="{result.status}">\n'
        + "\n".join(parts)
        + "\n</section>\n"
    )


def _tag(tag: str, css_class: str, text: str) -> str:
    return f'<{tag} class="{css_class}">{html.escape(text)}</{tag}>'


def _write_atomic(path: Path, text: str) -> Path:
    """Write `text` to a temp file beside `path`, then swap it in with one rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a page is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


_CSS = """
:root{--bg:#f5f7fa;--card:#fff;--text:#1f2933;--muted:#616e7c;--line:#e4e7eb;
--accent:#2563eb;--bad:#b42318;--bad-bg:#fef3f2;--warn-line:#fecdca}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.page{padding:24px 32px 8px}
h1{margin:0;font-size:1.6rem;line-height:1.25}
.description{margin:4px 0 0;color:var(--muted);max-width:70ch}
.meta{display:flex;flex-wrap:wrap;gap:2px 24px;margin:12px 0 0;font-size:.8rem;color:var(--muted)}
.meta div{display:flex;gap:6px}.meta dt{font-weight:600}.meta dd{margin:0}
main{padding:16px 32px 32px;display:grid;gap:16px}
.kpis{display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(200px,1fr))}
.charts{display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(min(100%,600px),1fr))}
.chart{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:16px 20px;min-width:0;box-shadow:0 1px 2px rgba(31,41,51,.05)}
.chart h2{margin:0 0 8px;font-size:1rem;font-weight:600}
.chart-description{margin:-4px 0 8px;color:var(--muted);font-size:.85rem}
.chart svg{display:block;max-width:100%;height:auto}
.chart[data-kind=table]{grid-column:1/-1}
.chart[data-kind=kpi] h2{margin:2px 0 0;color:var(--muted);font-weight:500;font-size:.9rem}
.kpi-value{margin:0;font-size:2.1rem;font-weight:650;line-height:1.2;
font-variant-numeric:tabular-nums;color:var(--accent)}
.chart-message{margin:8px 0;padding:10px 12px;border-radius:6px;background:var(--bad-bg);
color:var(--bad);border:1px solid var(--warn-line);white-space:pre-wrap;overflow-wrap:anywhere}
.chart[data-status=empty] .chart-message{background:#f5f7fa;color:var(--muted);
border-color:var(--line)}
.chart-note{margin:6px 0 0;color:var(--muted);font-size:.8rem}
details{margin-top:8px;font-size:.8rem;color:var(--muted)}
summary{cursor:pointer}
pre{margin:6px 0 0;padding:8px;background:#f5f7fa;border-radius:6px;overflow:auto;
white-space:pre-wrap;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.table-wrap{overflow:auto;max-height:480px}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{position:sticky;top:0;background:var(--card);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:hover{background:#f5f7fa}
.problems{margin:8px 32px 0;padding:12px 16px;border-radius:8px;background:var(--bad-bg);
border:1px solid var(--warn-line);color:var(--bad);font-size:.9rem}
.problems ul{margin:6px 0 0;padding-left:20px}.problems a{color:inherit}
footer{padding:0 32px 24px;color:var(--muted);font-size:.75rem}
@media print{body{background:#fff}.chart{break-inside:avoid;box-shadow:none}details{display:none}}
"""
