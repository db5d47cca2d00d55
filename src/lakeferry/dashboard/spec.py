"""The dashboard YAML file: pydantic models and a loader whose errors name file, line and key.

A dashboard file looks like::

    title: COVID-19 in the US
    description: Cases, tests and hospital capacity.   # optional
    charts:
      - name: total_cases            # unique in the file; letters, digits, _ and -
        title: Total cases
        kind: kpi                    # kpi | line | bar | area | table
        query: SELECT SUM(cases) AS value FROM fact_covid_county_daily
        value: value                 # kpi: the column holding the number
        format: ",.0f"               # d3 format; `number_format` is the same key
      - name: cases_over_time
        title: New cases per day
        kind: line
        query: SELECT d.date, SUM(f.new_cases) AS new_cases FROM ...
        x: date
        y: new_cases
        color: state                 # optional series column (line, bar, area)
        x_title: Date
        y_title: Cases (new, per day)
        number_format: ",.0f"        # d3 format for the value axis, tiles and table cells

Other optional keys: `description` (a caption under the title), `color_title` (legend
title), `limit` (keep at most N rows of the result, in the query's order; line, bar,
area, table), `sort` (bar only: `-y` biggest first, the default; `y`, `x`, `-x`, or
`none` for the query's order), `orientation` (bar only: `horizontal`, the default for
text categories, or `vertical`) and `column_formats` (table only: column -> d3 format).
Column names are matched case-insensitively (PostgreSQL folds unquoted aliases).

Errors raise `DashboardSpecError` (a `ValueError`) with messages such as
``covid.yml:14: charts[2] (top_counties).kind: Input should be 'kpi', 'line', …``.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import ConfigError

__all__ = [
    "D3_FORMAT_RE",
    "ChartKind",
    "ChartSpec",
    "DashboardSpec",
    "DashboardSpecError",
    "load_dashboard_spec",
]

ChartKind = Literal["kpi", "line", "bar", "area", "table"]
SortOrder = Literal["x", "-x", "y", "-y", "none"]

# d3-format specifier: [[fill]align][sign][symbol][0][width][,][.precision][~][type]
# https://github.com/d3/d3-format#locale_format
D3_FORMAT_RE = re.compile(
    r"^(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+( ])?(?P<symbol>[$#])?(?P<zero>0)?"
    r"(?P<width>\d+)?(?P<comma>,)?(?:\.(?P<precision>\d+))?(?P<trim>~)?(?P<type>[efgrsp%d])?$"
)

_XY_KINDS = ("line", "bar", "area")


class DashboardSpecError(ConfigError, ValueError):
    """A dashboard YAML file is missing, unreadable or does not match the schema."""


def _check_format(value: str | None) -> str | None:
    if value is not None and not D3_FORMAT_RE.match(value):
        raise ValueError(
            f"{value!r} is not a d3 number format (examples: ',.0f', '.1%', '.3s', ',d')"
        )
    return value


class ChartSpec(BaseModel):
    """One chart: a warehouse query and how to draw its result."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)
    title: str = Field(min_length=1)
    kind: ChartKind
    query: str = Field(min_length=1)
    description: str | None = None
    x: str | None = None
    y: str | None = None
    value: str | None = None
    color: str | None = None
    x_title: str | None = None
    y_title: str | None = None
    color_title: str | None = None
    number_format: str | None = Field(
        None, validation_alias=AliasChoices("number_format", "format")
    )
    column_formats: dict[str, str] = Field(default_factory=dict)
    orientation: Literal["horizontal", "vertical"] | None = None
    limit: int | None = Field(None, gt=0)
    sort: SortOrder | None = None

    @field_validator("number_format")
    @classmethod
    def _valid_format(cls, value: str | None) -> str | None:
        return _check_format(value)

    @field_validator("column_formats")
    @classmethod
    def _valid_column_formats(cls, value: dict[str, str]) -> dict[str, str]:
        for fmt in value.values():
            _check_format(fmt)
        return value

    @model_validator(mode="after")
    def _check_kind_keys(self) -> ChartSpec:
        for key, needed in _required_keys(self.kind).items():
            if needed and getattr(self, key) is None:
                raise ValueError(f"key {key!r} is required when kind is {self.kind!r}")
        for key, kinds in _KEY_KINDS.items():
            if getattr(self, key) not in (None, {}) and self.kind not in kinds:
                allowed = " or ".join(repr(k) for k in kinds)
                raise ValueError(f"key {key!r} only applies to kind {allowed}")
        return self


def _required_keys(kind: str) -> dict[str, bool]:
    return {"value": kind == "kpi", "x": kind in _XY_KINDS, "y": kind in _XY_KINDS}


# Keys that only make sense for some kinds; giving them elsewhere is a mistake worth naming.
_KEY_KINDS: dict[str, tuple[str, ...]] = {
    "value": ("kpi",),
    "x": _XY_KINDS,
    "y": _XY_KINDS,
    "color": _XY_KINDS,
    "x_title": _XY_KINDS,
    "y_title": _XY_KINDS,
    "color_title": _XY_KINDS,
    "orientation": ("bar",),
    "sort": ("bar",),
    "limit": ("line", "bar", "area", "table"),
    "column_formats": ("table",),
}


class DashboardSpec(BaseModel):
    """A dashboard page: a title, an optional description and its charts in page order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    description: str | None = None
    charts: list[ChartSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> DashboardSpec:
        seen: set[str] = set()
        for chart in self.charts:
            if chart.name in seen:
                raise ValueError(f"chart name {chart.name!r} is used more than once")
            seen.add(chart.name)
        return self


def load_dashboard_spec(path: Path) -> DashboardSpec:
    """Read and validate one dashboard YAML file.

    Raises `DashboardSpecError` naming the file, the line and the key at fault.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DashboardSpecError(f"{path}: cannot read dashboard file: {exc}") from exc
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise DashboardSpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DashboardSpecError(f"{path}: expected a mapping with 'title' and 'charts'")
    try:
        return DashboardSpec.model_validate(data)
    except ValidationError as exc:
        raise DashboardSpecError(_describe(path, data, root, exc)) from exc


def _describe(
    path: Path, data: dict[str, Any], root: yaml.Node | None, exc: ValidationError
) -> str:
    lines = [f"{path}: invalid dashboard ({exc.error_count()} problem(s))"]
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = _line_of(root, loc)
        where = f"{path.name}:{line}" if line else path.name
        lines.append(f"  {where}: {_loc_text(data, loc)}: {_message(err, loc)}")
    return "\n".join(lines)


def _loc_text(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if not loc:
        return "(top level)"
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                parts.append(f" ({node['name']})")
        else:
            parts.append(f".{item}" if parts else str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def _message(err: Any, loc: tuple[Any, ...]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        fields = ChartSpec.model_fields if len(loc) > 1 else DashboardSpec.model_fields
        close = difflib.get_close_matches(loc[-1], [*fields, "format"], n=1)
        msg = f"unknown key {loc[-1]!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    elif err["type"] == "missing":
        msg = f"key {loc[-1]!r} is required"
    elif err["type"] == "literal_error":
        msg = f"{msg} (got {err['input']!r})"
    return msg


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at `loc`, or of its deepest existing ancestor."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for item in loc:
        child = _child(node, item)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node, item: Any) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(item, int) and item < len(node.value):
        element: yaml.Node = node.value[item]
        return element
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == item:
                child: yaml.Node = value
                return child
    return None
