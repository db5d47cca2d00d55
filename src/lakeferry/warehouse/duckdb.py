"""The embedded warehouse: one DuckDB file.

A load is one transaction: the new rows go into a staging table built from the
model's DDL, the old table is dropped and the staging table renamed in its place, and
the ledger row is written — all or nothing. (Staging plus rename, not DELETE plus
INSERT, because DuckDB checks unique keys eagerly within a transaction.) Loading a
manifest the ledger already holds for that table changes nothing.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from ..errors import WarehouseError
from ..model import TableModel, create_table_sql
from ..naming import quote_ident, quote_literal
from .base import LEDGER, LoadResult

_LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER} (
    load_id VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    manifest_run_id VARCHAR NOT NULL,
    manifest_fingerprint VARCHAR NOT NULL,
    files INTEGER NOT NULL,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)
"""


class DuckDBWarehouse:
    """A DuckDB file as the warehouse."""

    dialect: ClassVar[str] = "duckdb"

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only and self.path.exists())
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the DuckDB warehouse {self.path}: {exc}") from exc
        if not read_only:
            self.con.execute(_LEDGER_DDL)

    def query(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run SQL; return the rows as Arrow."""
        try:
            return self.con.execute(sql, params or []).to_arrow_table()
        except duckdb.Error as exc:
            raise WarehouseError(f"warehouse query failed: {exc}") from exc

    def load(
        self, model: TableModel, manifest: dict[str, Any], file_paths: list[str]
    ) -> LoadResult:
        """Replace the model's table with the manifest's Parquet files in one transaction."""
        table, columns = model.name, model.column_names()
        start = time.perf_counter()
        fingerprint = _fingerprint(manifest)
        last = self.con.execute(
            f"SELECT load_id, manifest_fingerprint FROM {LEDGER}"
            " WHERE table_name = ? ORDER BY loaded_at DESC LIMIT 1",
            [table],
        ).fetchone()
        if last and last[1] == fingerprint and self._exists(table):
            return LoadResult(table, "unchanged", manifest["rows"], len(file_paths), last[0])
        load_id = str(uuid.uuid4())
        stage = f"{table}__lakeferry_stage"
        cols = ", ".join(quote_ident(c) for c in columns)
        files = "[" + ", ".join(quote_literal(p) for p in file_paths) + "]"
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute(f"DROP TABLE IF EXISTS {quote_ident(stage)}")
            self.con.execute(create_table_sql(model, self.dialect, name=stage, if_not_exists=False))
            self.con.execute(
                f"INSERT INTO {quote_ident(stage)} ({cols})"
                f" SELECT {cols} FROM read_parquet({files})"
            )
            rows = self.con.execute(f"SELECT count(*) FROM {quote_ident(stage)}").fetchone()[0]  # type: ignore[index]
            if rows != manifest["rows"]:
                raise WarehouseError(
                    f"{table}: manifest says {manifest['rows']} rows, files gave {rows}"
                )
            self.con.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
            self.con.execute(f"ALTER TABLE {quote_ident(stage)} RENAME TO {quote_ident(table)}")
            self.con.execute(
                f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, ?, current_timestamp::TIMESTAMP)",
                [load_id, table, manifest["run_id"], fingerprint, len(file_paths), rows],
            )
            self.con.execute("COMMIT")
        except (duckdb.Error, WarehouseError) as exc:
            self.con.execute("ROLLBACK")
            if isinstance(exc, WarehouseError):
                raise
            raise WarehouseError(f"loading {table} failed and was rolled back: {exc}") from exc
        return LoadResult(
            table, "loaded", int(rows), len(file_paths), load_id, time.perf_counter() - start
        )

    def _exists(self, table: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


def _fingerprint(manifest: dict[str, Any]) -> str:
    """What identifies a manifest's content: its row count and its Parquet files' digests."""
    digests = sorted(f["sha256"] for f in manifest["files"] if f["format"] == "parquet")
    return f"{manifest['rows']}:" + ",".join(digests)
