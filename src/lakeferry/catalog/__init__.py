"""The catalog (Glue's shape) and the crawler that fills it."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, nearest
from .base import Catalog, Column, Table, TableObject
from .sqlite import SqliteCatalog

BACKENDS = ("sqlite",)

__all__ = ["BACKENDS", "Catalog", "Column", "SqliteCatalog", "Table", "TableObject", "open_catalog"]


def open_catalog(kind: str, *, path: Path) -> SqliteCatalog:
    """The catalog backend named ``kind`` (as in lakeferry.yml)."""
    if kind == "sqlite":
        return SqliteCatalog(path)
    close = nearest(kind, BACKENDS)
    raise ConfigError(
        f"unknown catalog backend {kind!r}",
        hint=f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(BACKENDS)}",
    )
