"""Printing data: ``--format table|csv|json`` on every command that prints rows."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True, soft_wrap=True)
PAGE = 50


class Format(StrEnum):
    """Output formats."""

    table = "table"
    csv = "csv"
    json = "json"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_rows(data: pa.Table | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as dictionaries of JSON-friendly values."""
    rows = data.to_pylist() if isinstance(data, pa.Table) else data
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def emit(
    data: pa.Table | list[dict[str, Any]] | dict[str, Any],
    fmt: Format,
    *,
    title: str | None = None,
    full_result: str | None = None,
) -> None:
    """Print rows (or one document) in the chosen format."""
    if isinstance(data, dict):
        if fmt is Format.json:
            print(json.dumps(data, indent=2, default=str))
            return
        data = [
            {"key": k, "value": v if not isinstance(v, dict | list) else json.dumps(v, default=str)}
            for k, v in data.items()
        ]
    total = data.num_rows if isinstance(data, pa.Table) else len(data)
    if isinstance(data, pa.Table) and fmt is Format.csv:
        _arrow_csv(data)
        return
    if isinstance(data, pa.Table) and fmt is Format.table:
        data = data.slice(0, PAGE)  # convert only the page that is shown
    rows = to_rows(data)
    columns = (
        list(data.column_names) if isinstance(data, pa.Table) else (list(rows[0]) if rows else [])
    )
    if fmt is Format.json:
        print(json.dumps(rows, indent=2, default=str))
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _table(rows, columns, title, full_result, total)


def _arrow_csv(table: pa.Table) -> None:
    """CSV straight from Arrow, in bulk."""
    import pyarrow.csv as pacsv

    sys.stdout.flush()
    pacsv.write_csv(table, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def _table(
    rows: list[dict[str, Any]], columns: list[str], title: str | None, full: str | None, total: int
) -> None:
    table = Table(title=title, show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows[:PAGE]:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)
    if total > PAGE:
        where = f"; the full result is in {full}" if full else ""
        console.print(f"[dim]showing {PAGE} of {total} rows{where}[/dim]")
