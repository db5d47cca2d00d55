"""ETL jobs: SQL models run in DuckDB over staged sources, published to the processed zone.

A job is a list of SQL files, one ``SELECT`` per output table (the file's stem). A model
reads catalog tables as ``database.table`` and other models by name; those references
order the models. Sources are staged first (bad rows quarantined), then each model
becomes a table, is conformed to the relational model's columns and types when the
model declares that table, and is published with a manifest.
"""

from __future__ import annotations

import glob
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..catalog.base import Catalog
from ..config import Job
from ..errors import QuarantineThresholdExceeded, TransformError
from ..naming import quote_ident, quote_literal
from ..query import translate
from ..storage.base import ObjectStore, S3Uri
from .publish import Published, publish_table
from .sources import QUARANTINE_DDL, StagedSource, quarantine_summary, stage_source


@dataclass
class SqlModel:
    """One output table and the SQL that builds it."""

    name: str
    path: Path
    sql: str
    sources: list[tuple[str, str]] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)


@dataclass
class JobResult:
    """What one job did."""

    job: str
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    bytes_read: int = 0
    outputs: dict[str, Published] = field(default_factory=dict)
    quarantine_location: str | None = None
    quarantine_sample: list[dict[str, object]] = field(default_factory=list)
    sources: list[StagedSource] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (``transform --format json``)."""
        return {
            "job": self.job,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_quarantined": self.rows_quarantined,
            "seconds": round(self.seconds, 3),
            "outputs": {
                t: {"manifest": p.manifest, "rows": p.rows} for t, p in self.outputs.items()
            },
            "quarantine": self.quarantine_location,
            "sources": [s.__dict__ for s in self.sources],
        }


def load_models(job: Job, project_dir: Path) -> list[SqlModel]:
    """The job's SQL models, in dependency order."""
    models: dict[str, SqlModel] = {}
    for pattern in job.sql:
        matches = sorted(glob.glob(str(project_dir / pattern)))
        if not matches:
            raise TransformError(
                f"job {job.name!r}: no SQL file matches {pattern!r} in {project_dir}"
            )
        for match in matches:
            path = Path(match)
            models[path.stem] = SqlModel(path.stem, path, path.read_text(encoding="utf-8"))
    for model in models.values():
        try:
            tree = translate.parse(model.sql, "duckdb")
        except Exception as exc:
            raise TransformError(f"{model.path}: {exc}") from exc
        for db, name in translate.referenced_tables(tree):
            if db is None and name in models:
                model.depends_on.append(name)
            elif db is not None:
                model.sources.append((db, name))
            else:
                raise TransformError(
                    f"{model.path}: table {name!r} is neither a model of job {job.name!r}"
                    " nor database.table",
                    hint=f"models: {', '.join(sorted(models))}",
                )
    return _ordered(models)


def _ordered(models: dict[str, SqlModel]) -> list[SqlModel]:
    done: list[SqlModel] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in path:
            raise TransformError(
                f"models depend on each other in a cycle: {' -> '.join((*path, name))}"
            )
        for dep in models[name].depends_on:
            visit(dep, (*path, name))
        seen.add(name)
        done.append(models[name])

    for name in sorted(models):
        visit(name, ())
    return done


class Transformer:
    """Runs jobs on the DuckDB engine."""

    def __init__(
        self,
        store: ObjectStore,
        catalog: Catalog,
        *,
        processed: str,
        quarantine: str,
        work_dir: Path,
        conform: Any = None,
        sort_keys: dict[str, list[str]] | None = None,
    ):
        self.store = store
        self.catalog = catalog
        self.processed = S3Uri.parse(processed).as_prefix()
        self.quarantine = S3Uri.parse(quarantine).as_prefix()
        self.work_dir = work_dir
        self.conform = conform  # callable(con, table_name) -> None, from the relational model
        self.sort_keys = (
            sort_keys or {}
        )  # table -> columns that order its files (deterministic output)

    def run(self, job: Job, project_dir: Path, run_id: str) -> JobResult:
        """Run one job end to end; the previous output stays in force if anything fails."""
        start = time.perf_counter()
        models = load_models(job, project_dir)
        result = JobResult(job.name)
        con = self._connect()
        try:
            self._stage(con, models, result)
            for model in models:
                self._build(con, model)
            # The quarantine is written even when the job then fails on its threshold,
            # so the rows that failed it can be inspected; no output is published then.
            self._write_quarantine(con, job, run_id, result)
            self._check_threshold(job, result)
            for model in models:
                published = publish_table(
                    con,
                    self.store,
                    self.processed,
                    model.name,
                    formats=list(job.formats),
                    job=job.name,
                    run_id=run_id,
                    order_by=self.sort_keys.get(model.name),
                )
                result.outputs[model.name] = published
                result.rows_written += published.rows
        finally:
            con.close()
        result.seconds = time.perf_counter() - start
        return result

    def _connect(self) -> duckdb.DuckDBPyConnection:
        spill = self.work_dir / "spill"
        spill.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            config={"temp_directory": str(spill), "preserve_insertion_order": True}
        )
        self.store.configure_duckdb(con)
        con.execute(QUARANTINE_DDL)
        return con

    def _stage(
        self, con: duckdb.DuckDBPyConnection, models: list[SqlModel], result: JobResult
    ) -> None:
        sources = sorted({s for m in models for s in m.sources})
        for database, name in sources:
            staged = stage_source(
                con, self.store, self.catalog, database, name, self.work_dir / "cache"
            )
            result.sources.append(staged)
            result.rows_read += staged.rows_read
            result.rows_quarantined += staged.quarantined
            result.bytes_read += staged.bytes

    def _build(self, con: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE {quote_ident(model.name)}"
                f" AS {model.sql.strip().rstrip(';')}"
            )
            if self.conform is not None:
                self.conform(con, model.name)
        except duckdb.Error as exc:
            raise TransformError(f"model {model.name} ({model.path}) failed: {exc}") from exc

    def _check_threshold(self, job: Job, result: JobResult) -> None:
        bad, total = result.rows_quarantined, max(result.rows_read, 1)
        if job.max_quarantine_rows is not None and bad > job.max_quarantine_rows:
            raise QuarantineThresholdExceeded(
                f"job {job.name!r} set aside {bad} rows, more than"
                f" max_quarantine_rows={job.max_quarantine_rows}",
                hint=f"the rows are listed in {result.quarantine_location}",
            )
        if job.max_quarantine_pct is not None and 100.0 * bad / total > job.max_quarantine_pct:
            raise QuarantineThresholdExceeded(
                f"job {job.name!r} set aside {100.0 * bad / total:.2f}% of rows,"
                f" more than max_quarantine_pct={job.max_quarantine_pct}",
                hint=f"the rows are listed in {result.quarantine_location}",
            )

    def _write_quarantine(
        self, con: duckdb.DuckDBPyConnection, job: Job, run_id: str, result: JobResult
    ) -> None:
        count = con.execute("SELECT count(*) FROM __quarantine").fetchone()
        if not count or not count[0]:
            return
        result.quarantine_sample = quarantine_summary(con)
        target = self.quarantine.join(job.name, f"{run_id}.csv")
        local = self.work_dir / f"quarantine-{run_id}.csv"
        con.execute(
            "COPY (SELECT * FROM __quarantine ORDER BY source, object, line)"
            f" TO {quote_literal(str(local))}"
            " (FORMAT csv, HEADER)"
        )
        self.store.put_file(local, target)
        local.unlink()
        result.quarantine_location = str(target)
