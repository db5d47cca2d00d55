"""SQL over the lake: catalog tables as DuckDB views, results saved like Athena's.

Each execution gets an id and a record (state, times, bytes scanned, rows, where the
result is). The result is written as ``<id>.csv`` plus ``<id>.csv.metadata`` under the
project's query-results zone, by DuckDB in bulk.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..catalog.base import Catalog
from ..errors import QueryError, TableNotFound, require
from ..naming import quote_ident, quote_literal
from ..storage.base import ObjectStore, S3Uri
from . import lake, translate


@dataclass
class QueryExecution:
    """Athena's QueryExecution, for one query."""

    id: str
    query: str
    dialect: str
    state: str = "QUEUED"
    submitted_at: str = ""
    completed_at: str | None = None
    bytes_scanned: int = 0
    rows: int = 0
    output_location: str | None = None
    error: str | None = None
    set_aside: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class QueryResult:
    """Rows of a query, convertible to Arrow and pandas, with its execution record."""

    table: pa.Table
    execution: QueryExecution

    def arrow(self) -> pa.Table:
        return self.table

    def df(self) -> Any:
        """The rows as a pandas DataFrame (needs pandas)."""
        require("pandas", "pandas")
        return self.table.to_pandas()

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.table.to_pylist()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class LakeQuery:
    """DuckDB over the catalog's tables."""

    def __init__(
        self,
        store: ObjectStore,
        catalog: Catalog,
        *,
        cache_dir: Path,
        results: str,
        history_file: Path,
        default_database: str | None = None,
    ):
        self.store = store
        self.catalog = catalog
        self.cache_dir = cache_dir
        self.results = S3Uri.parse(results).as_prefix()
        self.history_file = history_file
        self.default_database = default_database

    def execute(self, sql: str, *, dialect: str = "athena", save: bool = True) -> QueryResult:
        """Run one query; record its execution; save its result CSV."""
        execution = QueryExecution(
            id=str(uuid.uuid4()), query=sql, dialect=dialect, submitted_at=_now()
        )
        try:
            tree = translate.parse(sql, dialect)
            con = duckdb.connect()
            self.store.configure_duckdb(con)
            for setting in translate.session_settings(dialect):
                con.execute(setting)
            execution.state = "RUNNING"
            execution.bytes_scanned, aside = self.register(con, translate.referenced_tables(tree))
            execution.set_aside = [a.to_dict() for a in aside]
            table = con.execute(translate.to_duckdb(tree, dialect)).to_arrow_table()
            execution.rows = table.num_rows
            if save:
                execution.output_location = self._save(con, table, execution.id)
            execution.state = "SUCCEEDED"
        except (QueryError, TableNotFound) as exc:
            self._fail(execution, exc)
            raise
        except duckdb.Error as exc:
            self._fail(execution, exc)
            raise QueryError(f"query failed: {exc}") from exc
        except KeyboardInterrupt:
            execution.state = "CANCELLED"
            self._record(execution)
            raise
        execution.completed_at = _now()
        self._record(execution)
        return QueryResult(table, execution)

    def register(
        self, con: duckdb.DuckDBPyConnection, tables: list[tuple[str | None, str]]
    ) -> tuple[int, list[lake.SetAside]]:
        """Create a view per referenced catalog table; return bytes to scan and set-asides."""
        scanned, aside = 0, []
        for database, name in tables:
            db = database or self.default_database
            if db is None:
                continue
            table = self.catalog.get_table(db, name)
            prepared = lake.prepare(self.store, table, self.cache_dir)
            qualified = f"{quote_ident(db)}.{quote_ident(name)}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(db)}")
            con.execute(f"CREATE OR REPLACE VIEW {qualified} AS {lake.typed_select(prepared)}")
            if database is None:
                con.execute(
                    f"CREATE OR REPLACE VIEW {quote_ident(name)} AS SELECT * FROM {qualified}"
                )
            scanned += prepared.bytes_scanned
            aside.extend(prepared.set_aside)
        return scanned, aside

    def _save(self, con: duckdb.DuckDBPyConnection, table: pa.Table, query_id: str) -> str:
        target = self.results.join(f"{query_id}.csv")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "result.csv"
            con.register("__result", table)
            con.execute(f"COPY __result TO {quote_literal(str(path))} (HEADER, DELIMITER ',')")
            self.store.put_file(path, target)
        meta = [{"name": f.name, "type": str(f.type)} for f in table.schema]
        self.store.put_bytes(
            json.dumps({"columns": meta}).encode(), self.results.join(f"{query_id}.csv.metadata")
        )
        return str(target)

    def _fail(self, execution: QueryExecution, exc: BaseException) -> None:
        execution.state = "FAILED"
        execution.error = str(exc)
        execution.completed_at = _now()
        self._record(execution)

    def _record(self, execution: QueryExecution) -> None:
        self.history_file.parent.mkdir(parents=True, exist_ok=True)
        with self.history_file.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(execution)) + "\n")

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest executions, newest first."""
        if not self.history_file.exists():
            return []
        lines = self.history_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in reversed(lines[-limit:])]
