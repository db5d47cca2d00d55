"""From a chart spec and an Arrow result to a Vega-Lite spec, an SVG, or a formatted number.

Vega-Lite dicts are built directly (no altair) and rendered to static SVG by `vl_convert`
with network access disabled, so the SVG can be inlined in a page opened from file://.
The same spec can later be handed to vega-embed for interactive charts.

`format_number` implements the d3-format mini-language in Python, so KPI tiles and table
cells use the same `number_format` strings as the chart axes.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import vl_convert

from lakeferry.dashboard.spec import D3_FORMAT_RE, ChartSpec

__all__ = [
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "SYSTEM_FONTS",
    "arrow_to_values",
    "default_format",
    "format_number",
    "render_svg",
    "vega_lite_spec",
]

CHART_WIDTH = 560
CHART_HEIGHT = 300
BAR_STEP = 22  # pixels per bar when bars are horizontal
SYSTEM_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
MINUS = "\u2212"  # d3 writes negative numbers with a true minus sign
_SI_PREFIXES = "yzafpnµm\0kMGTPEZY"  # index 8 is no prefix

_CONFIG: dict[str, Any] = {
    "font": SYSTEM_FONTS,
    "view": {"stroke": None},
    "axis": {
        "labelColor": "#52606d",
        "titleColor": "#323f4b",
        "titleFontWeight": 600,
        "gridColor": "#e4e7eb",
        "domainColor": "#9aa5b1",
        "tickColor": "#9aa5b1",
        "labelFontSize": 11,
        "titleFontSize": 12,
    },
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelColor": "#52606d"},
    "range": {"category": {"scheme": "tableau10"}},
    "mark": {"color": "#2563eb"},
}


# ---------------------------------------------------------------- Vega-Lite specs


def vega_lite_spec(
    chart: ChartSpec, table: pa.Table, *, include_title: bool = False
) -> dict[str, Any]:
    """Build the Vega-Lite spec of a line, bar or area chart with `table` inlined as data.

    The page shows the chart title as HTML, so the spec carries it only when
    `include_title` is set (for a standalone SVG); it always carries it as `description`,
    which becomes the SVG's accessible label.
    """
    if chart.kind not in ("line", "bar", "area"):
        raise ValueError(f"chart kind {chart.kind!r} is not drawn with Vega-Lite")
    build = _bar_spec if chart.kind == "bar" else _series_spec
    spec: dict[str, Any] = {
        "description": chart.title,
        "data": {"values": arrow_to_values(table)},
        **build(chart, table),
        "background": None,
        "config": _CONFIG,
    }
    if include_title:
        spec["title"] = {"text": chart.title, "subtitle": chart.description or ""}
    return spec


def _series_spec(chart: ChartSpec, table: pa.Table) -> dict[str, Any]:
    """Line and stacked-area charts: x is usually a date, one series per `color` value."""
    assert chart.x and chart.y
    x_type = field_type(table.schema.field(chart.x).type)
    x: dict[str, Any] = {
        "field": _field(chart.x),
        "type": x_type,
        "title": chart.x_title or chart.x,
    }
    if x_type == "temporal":
        x["scale"] = {"type": "utc"}  # dates are sent as UTC instants; show them as such
    y = _value_channel(chart)
    if chart.kind == "area":
        y["stack"] = "zero"
        mark: dict[str, Any] = {"type": "area", "opacity": 0.85, "line": True}
    else:
        mark = {"type": "line", "strokeWidth": 2, "point": table.num_rows <= 40}
    return {
        "mark": mark,
        "encoding": {"x": x, "y": y, **_color_channel(chart)},
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
    }


def _bar_spec(chart: ChartSpec, table: pa.Table) -> dict[str, Any]:
    """Bars: categories down the side (horizontal, the default for text) or along the bottom."""
    assert chart.x
    x_type = field_type(table.schema.field(chart.x).type)
    horizontal = (chart.orientation or _default_orientation(x_type)) == "horizontal"
    value_channel, category_channel = ("x", "y") if horizontal else ("y", "x")
    category: dict[str, Any] = {"field": _field(chart.x), "title": chart.x_title or chart.x}
    if x_type == "temporal":
        category |= {"type": "temporal", "timeUnit": "utcyearmonthdate"}
    else:
        category |= {"type": "nominal" if x_type == "nominal" else "ordinal"}
        category["sort"] = _bar_sort(chart.sort or "-y", value_channel)
        if not horizontal and _short_labels(table.column(chart.x)):
            category["axis"] = {"labelAngle": 0}  # e.g. state codes: no need to tilt them
    spec: dict[str, Any] = {
        "mark": {"type": "bar"},
        "encoding": {
            category_channel: category,
            value_channel: _value_channel(chart),
            **_color_channel(chart),
        },
        "width": CHART_WIDTH,
    }
    if horizontal:
        spec |= {"height": {"step": BAR_STEP}, "autosize": {"type": "fit-x", "contains": "padding"}}
    else:
        spec |= {"height": CHART_HEIGHT, "autosize": {"type": "fit", "contains": "padding"}}
    return spec


def _short_labels(column: pa.ChunkedArray, max_chars: int = 4) -> bool:
    longest = pc.max(pc.utf8_length(pc.cast(column, pa.string()))).as_py()
    return longest is not None and longest <= max_chars


def _default_orientation(x_type: str) -> str:
    return "horizontal" if x_type == "nominal" else "vertical"


def _bar_sort(sort: str, value_channel: str) -> str | None:
    """Map the spec's sort (in terms of the x/y columns) onto Vega-Lite's channel names."""
    return {
        "x": "ascending",
        "-x": "descending",
        "y": value_channel,
        "-y": f"-{value_channel}",
        "none": None,  # keep the query's row order
    }[sort]


def _value_channel(chart: ChartSpec) -> dict[str, Any]:
    assert chart.y
    channel: dict[str, Any] = {
        "field": _field(chart.y),
        "type": "quantitative",
        "title": chart.y_title or chart.y,
    }
    if chart.number_format:
        channel["axis"] = {"format": chart.number_format}
    return channel


def _color_channel(chart: ChartSpec) -> dict[str, Any]:
    if not chart.color:
        return {}
    legend = {"title": chart.color_title or chart.color}
    return {"color": {"field": _field(chart.color), "type": "nominal", "legend": legend}}


def _field(name: str) -> str:
    """Escape a column name for Vega-Lite, where '.' and '[' mean nested access."""
    return re.sub(r"([.\[\]\\])", r"\\\1", name)


def field_type(arrow_type: pa.DataType) -> str:
    """The Vega-Lite measurement type of an Arrow column type."""
    if pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type):
        return "temporal"
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return "quantitative"
    if pa.types.is_decimal(arrow_type):
        return "quantitative"
    return "nominal"


def arrow_to_values(table: pa.Table) -> list[dict[str, Any]]:
    """Rows of `table` as JSON-ready dicts, converted column-wise.

    Dates and timestamps become epoch milliseconds (UTC), decimals become floats and any
    other non-JSON type becomes its string form.
    """
    columns = [_json_column(column) for column in table.columns]
    return pa.table(columns, names=table.column_names).to_pylist()


def _json_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return pc.cast(pc.cast(column, pa.timestamp("ms")), pa.int64())
    if pa.types.is_decimal(kind):
        return pc.cast(column, pa.float64())
    if field_type(kind) == "quantitative" or pa.types.is_boolean(kind) or pa.types.is_string(kind):
        return column
    return pc.cast(column, pa.string())


# ---------------------------------------------------------------- SVG


def render_svg(spec: dict[str, Any], id_prefix: str = "") -> str:
    """Render a Vega-Lite spec to an SVG string, refusing any network access.

    Element ids in the SVG (clip paths, gradients) get `id_prefix` so several SVGs can
    share one HTML page without their ids colliding.
    """
    svg: str = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return _scope_ids(svg, id_prefix) if id_prefix else svg


def _scope_ids(svg: str, prefix: str) -> str:
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


# ---------------------------------------------------------------- d3-format in Python


def default_format(value: float | int | Decimal) -> str:
    """The d3 format used when a chart sets none: whole numbers grouped, else 2 decimals."""
    number = float(value)
    return ",d" if math.isfinite(number) and number == int(number) else ",.2~f"


def format_number(value: float | int | Decimal, fmt: str | None = None) -> str:
    """Format a number like d3-format (https://d3js.org/d3-format), e.g. ',.0f', '.1%', '.3s'.

    `fmt=None` uses `default_format`. Supports fill/align, sign, '$', zero padding, width,
    grouping, precision, '~' and the types e f g r s p % d.
    """
    match = D3_FORMAT_RE.match(fmt if fmt is not None else default_format(value))
    if match is None:
        raise ValueError(f"{fmt!r} is not a d3 number format")
    spec = match.groupdict()
    number = float(value)
    if math.isnan(number):
        return "NaN"
    body, suffix = _format_abs(abs(number), spec)
    if spec["trim"] or not spec["type"]:
        body = _trim_zeros(body)
    negative = number < 0 and any(c in "123456789" for c in body)
    sign, closing = _sign(negative, spec["sign"] or "-")
    prefix = sign + ("$" if spec["symbol"] == "$" else "")
    return _pad(prefix, body + suffix + closing, spec)


def _format_abs(x: float, spec: dict[str, str | None]) -> tuple[str, str]:
    """Format a non-negative number: (digits, suffix such as '%', 'k' or 'e+6')."""
    kind = spec["type"] or ""
    precision = int(spec["precision"]) if spec["precision"] is not None else None
    comma = "," if spec["comma"] else ""
    if math.isinf(x):
        return "∞", ""
    if kind == "d":
        return format(round(x), f"{comma}d"), ""
    if kind in ("f", "%"):
        scaled = x * 100 if kind == "%" else x
        return format(scaled, f"{comma}.{_default(precision, 6)}f"), "%" if kind == "%" else ""
    if kind == "e":
        mantissa, exponent = format(x, f".{_default(precision, 6)}e").split("e")
        return mantissa, f"e{exponent[0]}{int(exponent[1:])}"
    if kind in ("r", "p"):
        scaled = x * 100 if kind == "p" else x
        return _significant(
            scaled, _clamp(_default(precision, 6)), comma
        ), "%" if kind == "p" else ""
    if kind == "s":
        return _si(x, _clamp(_default(precision, 6)))
    return format(x, f"{comma}.{_clamp(_default(precision, 12 if not kind else 6))}g"), ""


def _default(precision: int | None, fallback: int) -> int:
    return fallback if precision is None else precision


def _clamp(precision: int) -> int:
    return max(1, min(21, precision))


def _exponent(x: float, digits: int) -> int:
    """Decimal exponent of `x` after rounding to `digits` significant digits."""
    return 0 if x == 0 else int(format(x, f".{digits - 1}e").split("e")[1])


def _significant(x: float, digits: int, comma: str) -> str:
    places = digits - 1 - _exponent(x, digits)  # negative: round left of the point
    return format(round(x, places), f"{comma}.{max(0, places)}f")


def _si(x: float, digits: int) -> tuple[str, str]:
    exponent = _exponent(x, digits)
    power = max(-8, min(8, math.floor(exponent / 3)))
    scaled = x / 10 ** (3 * power)
    decimals = max(0, digits - 1 - (exponent - 3 * power))
    return format(scaled, f".{decimals}f"), _SI_PREFIXES[power + 8].strip("\0")


def _trim_zeros(body: str) -> str:
    if "." not in body or "e" in body:
        return body
    return body.rstrip("0").rstrip(".")


def _sign(negative: bool, style: str) -> tuple[str, str]:
    if style == "(":
        return ("(", ")") if negative else ("", "")
    if negative:
        return MINUS, ""
    return {"+": "+", " ": " "}.get(style, ""), ""


def _pad(prefix: str, rest: str, spec: dict[str, str | None]) -> str:
    width = int(spec["width"] or 0)
    missing = width - len(prefix) - len(rest)
    if missing <= 0:
        return prefix + rest
    fill, align = ("0", "=") if spec["zero"] else (spec["fill"] or " ", spec["align"] or ">")
    if align == "=":
        return prefix + fill * missing + rest
    if align == "<":
        return prefix + rest + fill * missing
    if align == "^":
        half = missing // 2
        return fill * half + prefix + rest + fill * (missing - half)
    return fill * missing + prefix + rest
