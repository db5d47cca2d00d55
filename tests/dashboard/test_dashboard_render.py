"""Vega-Lite spec building, SVG rendering and d3-style number formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from lakeferry.dashboard import ChartSpec
from lakeferry.dashboard.render import (
    arrow_to_values,
    format_number,
    render_svg,
    vega_lite_spec,
)

FORMATS = [
    (1234567.891, ",.0f", "1,234,568"),
    (1234.6, ",d", "1,235"),
    (0.1234, ".1%", "12.3%"),
    (0.1234, ".0%", "12%"),
    (1234567, ".3s", "1.23M"),
    (1500, "~s", "1.5k"),
    (999999, ".3s", "1.00M"),
    (123456, ".2r", "120000"),
    (0.00123, ".2r", "0.0012"),
    (0.123, ".1p", "10%"),
    (-1234.5, ",.2f", "\u22121,234.50"),
    (-0.0001, ".1f", "0.0"),
    (0.5, ".2~f", "0.5"),
    (42, "$,.2f", "$42.00"),
    (-3, "(.1f", "(3.0)"),
    (3, "+d", "+3"),
    (42, "06d", "000042"),
    (7, "*^5d", "**7**"),
    (1e21, ".2e", "1.00e+21"),
    (12345.678, "", "12345.678"),
    (Decimal("12345678"), None, "12,345,678"),
    (3.14159, None, "3.14"),
    (float("nan"), ",d", "NaN"),
]


@pytest.mark.parametrize(("value", "fmt", "expected"), FORMATS)
def test_format_number_like_d3(value: float, fmt: str | None, expected: str) -> None:
    assert format_number(value, fmt) == expected


def chart(**fields: object) -> ChartSpec:
    base: dict[str, object] = {"name": "c", "title": "Chart", "query": "SELECT 1"}
    return ChartSpec.model_validate(base | fields)


def series_table() -> pa.Table:
    return pa.table(
        {
            "date": pa.array([dt.date(2020, 3, 1), dt.date(2020, 3, 2)] * 2),
            "state": ["WA", "WA", "NY", "NY"],
            "cases": pa.array([Decimal(1), Decimal(5), Decimal(2), Decimal(9)]),
        }
    )


def test_values_are_json_ready() -> None:
    values = arrow_to_values(series_table())
    assert values[0] == {"date": 1583020800000, "state": "WA", "cases": 1.0}


def test_line_spec_with_series() -> None:
    spec = vega_lite_spec(
        chart(
            kind="line",
            x="date",
            y="cases",
            color="state",
            y_title="Cases (cumulative)",
            number_format=",.0f",
            color_title="State",
        ),
        series_table(),
    )
    enc = spec["encoding"]
    assert enc["x"]["type"] == "temporal" and enc["x"]["scale"] == {"type": "utc"}
    assert enc["y"]["title"] == "Cases (cumulative)"
    assert enc["y"]["axis"]["format"] == ",.0f"
    assert enc["color"]["legend"]["title"] == "State"
    assert spec["width"] == 560 and spec["mark"]["type"] == "line"
    assert "title" not in spec and spec["description"] == "Chart"


def test_area_is_stacked() -> None:
    spec = vega_lite_spec(chart(kind="area", x="date", y="cases", color="state"), series_table())
    assert spec["encoding"]["y"]["stack"] == "zero"


def test_bar_defaults_to_horizontal_sorted_by_value() -> None:
    table = pa.table({"county": ["King, WA", "Cook, IL"], "rate": [3.5, 9.0]})
    spec = vega_lite_spec(chart(kind="bar", x="county", y="rate"), table)
    assert spec["encoding"]["y"]["field"] == "county"
    assert spec["encoding"]["y"]["sort"] == "-x"
    assert spec["encoding"]["x"]["type"] == "quantitative"


def test_vertical_bar_keeps_query_order_on_request() -> None:
    table = pa.table({"state": ["WA", "NY"], "beds": [3, 9]})
    spec = vega_lite_spec(
        chart(kind="bar", x="state", y="beds", orientation="vertical", sort="none"), table
    )
    assert spec["encoding"]["x"]["sort"] is None
    assert spec["encoding"]["x"]["axis"] == {"labelAngle": 0}


def test_dotted_column_names_are_escaped() -> None:
    table = pa.table({"a.b": ["x"], "v": [1]})
    spec = vega_lite_spec(chart(kind="bar", x="a.b", y="v"), table)
    assert spec["encoding"]["y"]["field"] == "a\\.b"
    assert "<path" in render_svg(spec)


def test_render_svg_scopes_element_ids() -> None:
    table = pa.table({"x": [1, 2, 3], "y": [1, 4, 9]})
    spec = vega_lite_spec(chart(kind="line", x="x", y="y"), table)
    spec["mark"]["clip"] = True  # clipping makes Vega emit a <clipPath id=…>
    svg = render_svg(spec, id_prefix="chart-c")
    assert 'id="chart-c-clip' in svg and "url(#chart-c-clip" in svg


def test_render_svg_refuses_network_data() -> None:
    spec = {"data": {"url": "https://example.com/x.csv"}, "mark": "bar"}
    with pytest.raises(ValueError, match="not allowed"):
        render_svg(spec)
