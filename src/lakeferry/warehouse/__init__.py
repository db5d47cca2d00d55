"""The warehouse: tables from the relational model, loaded from processed manifests."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, nearest
from .base import LEDGER, LoadResult, Warehouse
from .duckdb import DuckDBWarehouse

BACKENDS = ("duckdb",)

__all__ = ["BACKENDS", "LEDGER", "DuckDBWarehouse", "LoadResult", "Warehouse", "open_warehouse"]


def open_warehouse(kind: str, *, path: Path, read_only: bool = False) -> DuckDBWarehouse:
    """The warehouse backend named ``kind`` (as in lakeferry.yml or LAKEFERRY_WAREHOUSE_URL)."""
    if kind == "duckdb":
        return DuckDBWarehouse(path, read_only=read_only)
    close = nearest(kind, BACKENDS)
    raise ConfigError(
        f"unknown warehouse backend {kind!r}",
        hint=f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(BACKENDS)}",
    )
