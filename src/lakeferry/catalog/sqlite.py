"""The embedded catalog: one SQLite file with Glue's shape.

Tables are stored as rows plus a JSON document per table version, so the history of a
schema is kept and a crash mid-write leaves the previous version (one transaction).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CatalogError, TableNotFound, nearest
from .base import Column, Table, TableObject, version_diffs

_SCHEMA = """
CREATE TABLE IF NOT EXISTS databases (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tables (
    database TEXT NOT NULL REFERENCES databases(name),
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (database, name)
);
CREATE TABLE IF NOT EXISTS table_versions (
    database TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    columns TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (database, name, version)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteCatalog:
    """The embedded catalog backend."""

    name = "sqlite"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as con:
                con.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CatalogError(
                f"the catalog file {self.path} is unreadable: {exc}",
                hint="move it aside and run `lakeferry crawl` to rebuild the catalog",
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        return con

    def create_database(self, name: str) -> None:
        """Create a database if it does not exist."""
        with self._connect() as con:
            con.execute(
                "INSERT OR IGNORE INTO databases(name, created_at) VALUES (?, ?)", (name, _now())
            )

    def list_databases(self) -> list[str]:
        """Database names, sorted."""
        with self._connect() as con:
            return [r[0] for r in con.execute("SELECT name FROM databases ORDER BY name")]

    def put_table(self, table: Table) -> Table:
        """Create or update a table in one transaction; a changed schema bumps the version."""
        self.create_database(table.database)
        with self._connect() as con:
            row = con.execute(
                "SELECT version, document FROM tables WHERE database=? AND name=?",
                (table.database, table.name),
            ).fetchone()
            version = 1
            if row:
                previous = _from_document(json.loads(row[1]))
                same = previous.schema_signature() == table.schema_signature()
                version = row[0] if same else row[0] + 1
            table.version = version
            table.updated_at = _now()
            con.execute(
                "INSERT OR REPLACE INTO tables(database, name, version, document, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (table.database, table.name, version, json.dumps(asdict(table)), table.updated_at),
            )
            con.execute(
                "INSERT OR IGNORE INTO table_versions VALUES (?, ?, ?, ?, ?)",
                (
                    table.database,
                    table.name,
                    version,
                    json.dumps([asdict(c) for c in [*table.columns, *table.partition_keys]]),
                    table.updated_at,
                ),
            )
        return table

    def get_table(self, database: str, name: str) -> Table:
        """A table by database and name; a miss lists the nearest names."""
        with self._connect() as con:
            row = con.execute(
                "SELECT document FROM tables WHERE database=? AND name=?", (database, name)
            ).fetchone()
        if row:
            return _from_document(json.loads(row[0]))
        known = [t.qualified_name for t in self.list_tables()]
        close = nearest(f"{database}.{name}", known)
        raise TableNotFound(
            f"no table {database}.{name} in the catalog",
            hint=f"nearest: {', '.join(close)}" if close else "run `lakeferry crawl` first",
        )

    def list_tables(self, database: str | None = None) -> list[Table]:
        """Every table (of one database), sorted by name."""
        sql = "SELECT document FROM tables"
        args: tuple[Any, ...] = ()
        if database:
            sql += " WHERE database=?"
            args = (database,)
        with self._connect() as con:
            rows = con.execute(sql + " ORDER BY database, name", args).fetchall()
        return [_from_document(json.loads(r[0])) for r in rows]

    def delete_table(self, database: str, name: str) -> None:
        """Remove a table and its history in one transaction; a missing table is a no-op."""
        with self._connect() as con:
            for sql_table in ("tables", "table_versions"):
                sql = f"DELETE FROM {sql_table} WHERE database=? AND name=?"
                con.execute(sql, (database, name))

    def history(self, database: str, name: str) -> list[dict[str, Any]]:
        """Every schema version, oldest first, with the columns added/removed/changed."""
        self.get_table(database, name)
        with self._connect() as con:
            rows = con.execute(
                "SELECT version, columns, created_at FROM table_versions"
                " WHERE database=? AND name=? ORDER BY version",
                (database, name),
            ).fetchall()
        return version_diffs(
            [
                (v, created, {c["name"]: c["type"] for c in json.loads(cols)})
                for v, cols, created in rows
            ]
        )


def _from_document(doc: dict[str, Any]) -> Table:
    doc = dict(doc)
    doc["columns"] = [Column(**c) for c in doc["columns"]]
    doc["partition_keys"] = [Column(**c) for c in doc.get("partition_keys", [])]
    doc["objects"] = [TableObject(**o) for o in doc.get("objects", [])]
    return Table(**doc)
