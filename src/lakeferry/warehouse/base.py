"""The warehouse protocol: create tables from the model, load manifests, answer SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import pyarrow as pa

LEDGER = "lakeferry_loads"


@dataclass
class LoadResult:
    """What one table's load did."""

    table: str
    status: str  # loaded | unchanged
    rows: int
    files: int
    load_id: str
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Warehouse(Protocol):
    """What every warehouse backend offers."""

    dialect: ClassVar[str]

    def query(self, sql: str) -> pa.Table:
        """Run SQL in the warehouse; return the rows."""
        ...

    def load(self, model: Any, manifest: dict[str, Any], file_paths: list[str]) -> LoadResult:
        """Replace a table's rows with a manifest's files, atomically and idempotently."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
