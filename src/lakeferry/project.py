"""The Python API: a ``Project`` is a pipeline folder opened under a profile.

Everything the CLI does is a method here, for notebooks::

    from lakeferry import Project
    p = Project("lakeferry-demo")
    p.crawl()
    p.query("SELECT state, max(cases) FROM covid.us_states GROUP BY 1").df()
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from .catalog import Catalog, Table, open_catalog
from .catalog.crawler import CrawlReport, crawl
from .config import (
    PROJECT_FILE,
    STATE_DIR,
    CrawlTarget,
    ProjectConfig,
    env_overrides,
    load_project_config,
    storage_from_url,
)
from .errors import ConfigError, LakeferryError, TransformError, nearest
from .etl import JobResult, Transformer, read_manifest
from .model import Model, create_table_sql, load_model
from .naming import quote_ident
from .query import LakeQuery, QueryResult
from .runs import RunStore
from .storage import ObjectStore, S3Uri, open_store
from .warehouse import DuckDBWarehouse, LoadResult, open_warehouse

EXAMPLES = ("covid",)


@dataclass
class IngestResult:
    """What ``ingest`` copied into the store."""

    objects: int
    bytes: int
    destination: str


class Project:
    """A lakeferry pipeline project under one profile."""

    def __init__(self, path: str | Path = ".", profile: str = "local"):
        self.root = Path(path).resolve()
        self.config: ProjectConfig = load_project_config(self.root / PROJECT_FILE)
        self.profile_name = profile
        self.profile = self.config.profile(profile)
        self._apply_environment()

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r}, profile={self.profile_name!r})"

    # --- scaffolding ---------------------------------------------------------------

    @classmethod
    def init(cls, directory: str | Path, example: str = "covid", *, force: bool = False) -> Project:
        """Create a project folder from a bundled example (no data)."""
        if example not in EXAMPLES:
            close = nearest(example, EXAMPLES)
            raise ConfigError(
                f"no example {example!r}", hint=f"did you mean {close[0]!r}?" if close else None
            )
        target = Path(directory)
        if (target / PROJECT_FILE).exists() and not force:
            raise ConfigError(
                f"{target / PROJECT_FILE} already exists", hint="pass --force to overwrite it"
            )
        source = resources.files("lakeferry") / "examples" / example
        with resources.as_file(source) as src:
            shutil.copytree(
                src, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        return cls(target)

    # --- backends ------------------------------------------------------------------

    def _apply_environment(self) -> None:
        env = env_overrides()
        url = env.get("LAKEFERRY_WAREHOUSE_URL")
        if url:
            kind, _, rest = url.partition("://")
            self.profile.warehouse.type = kind
            if kind == "duckdb":
                self.profile.warehouse.path = rest
        if env.get("LAKEFERRY_STORAGE_URL"):
            fields = storage_from_url(env["LAKEFERRY_STORAGE_URL"])
            self.profile.storage = self.profile.storage.model_copy(update=fields)

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def target_dir(self) -> Path:
        """Generated artifacts (dashboards)."""
        return self.root / "target"

    @cached_property
    def store(self) -> ObjectStore:
        storage = self.profile.storage
        return open_store(
            storage.type,
            root=self.root / storage.root,
            endpoint_url=storage.endpoint_url,
            region=storage.region,
        )

    @cached_property
    def catalog(self) -> Catalog:
        c = self.profile.catalog
        return open_catalog(
            c.type,
            path=self.root / c.path,
            region=c.region,
            endpoint_url=c.endpoint_url,
            project=self.config.name,
        )

    @cached_property
    def model(self) -> Model:
        return load_model(self.root / self.config.model)

    @cached_property
    def run_store(self) -> RunStore:
        return RunStore(self.state_dir / "runs.sqlite")

    def warehouse(self, *, read_only: bool = False) -> DuckDBWarehouse:
        """A connection to the profile's warehouse."""
        wh = self.profile.warehouse
        return open_warehouse(wh.type, path=self.root / wh.path, read_only=read_only)

    @property
    def processed(self) -> S3Uri:
        return S3Uri.parse(self.config.zones.processed)

    # --- stages --------------------------------------------------------------------

    def ingest(
        self,
        source: str | Path,
        destination: str,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestResult:
        """Copy local files (a file or a folder) into the store under ``destination``.

        ``progress(bytes_sent, bytes_total)`` is called as the bytes go out.
        """
        src = Path(source)
        dest = S3Uri.parse(destination)
        if not src.exists():
            raise LakeferryError(f"nothing to ingest: {src} does not exist")
        files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
        advance = None
        if progress is not None:
            advance = _byte_counter(progress, sum(p.stat().st_size for p in files))
        total = 0
        for path in files:
            rel = path.name if src.is_file() else path.relative_to(src).as_posix()
            key = (
                dest.join(rel)
                if dest.key.endswith("/") or not dest.key or len(files) > 1 or src.is_dir()
                else dest
            )
            total += self.store.put_file(path, key, progress=advance).size
        return IngestResult(len(files), total, str(dest))

    def sample(self, dataset: str, destination: str, *, scale: float = 1.0, seed: int = 7) -> Any:
        """Generate a sample dataset (``covid``) into the store."""
        if dataset != "covid":
            raise LakeferryError(f"no sample dataset {dataset!r}", hint="available: covid")
        from .samples.covid import generate_covid

        with tempfile.TemporaryDirectory(prefix="lakeferry-sample-") as tmp:
            summary = generate_covid(Path(tmp), scale=scale, seed=seed)
            self.ingest(Path(tmp), destination)
        return summary

    def crawl(
        self, name: str | None = None, *, path: str | None = None, database: str | None = None
    ) -> list[CrawlReport]:
        """Run the project's crawlers (or one), or crawl an ad hoc path into ``database``."""
        if path:
            try:
                target = CrawlTarget(path=path)
            except ValidationError as exc:
                raise ConfigError(
                    f"--path {path!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
                ) from None
            return [
                crawl(self.store, self.catalog, database=database or "default", targets=[target])
            ]
        crawlers = self.config.crawlers
        if name:
            crawlers = [c for c in crawlers if c.name == name]
            if not crawlers:
                close = nearest(name, [c.name for c in self.config.crawlers])
                raise ConfigError(
                    f"no crawler {name!r}", hint=f"did you mean {close[0]!r}?" if close else None
                )
        return [
            crawl(
                self.store,
                self.catalog,
                database=c.database,
                targets=c.targets,
                sample_rows=c.sample_rows,
                crawler_name=c.name,
                schema_change=c.schema_change,
                deletion=c.deletion,
            )
            for c in crawlers
        ]

    def set_column_type(self, table: str, column: str, kind: str) -> Table:
        """Set a column's type by hand (``db.table`` or a table of the first crawler's
        database); it is marked ``manual`` and later crawls keep it."""
        from .catalog.base import TYPES

        database, _, name = table.rpartition(".")
        if not database:
            database = self.config.crawlers[0].database if self.config.crawlers else "default"
        if kind not in TYPES:
            close = nearest(kind, TYPES)
            hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(TYPES)}"
            raise ConfigError(f"unknown column type {kind!r}", hint=hint)
        found = self.catalog.get_table(database, name)
        for col in [*found.columns, *found.partition_keys]:
            if column in (col.name, col.original_name):
                col.format = col.format if col.type == kind else None
                col.type, col.manual = kind, True
                return self.catalog.put_table(found)
        names = [c.name for c in [*found.columns, *found.partition_keys]]
        close = nearest(column, names)
        raise ConfigError(
            f"no column {column!r} in {found.qualified_name}",
            hint=f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(names)}",
        )

    def lake(self) -> LakeQuery:
        """The lake SQL service."""
        default = self.config.crawlers[0].database if self.config.crawlers else None
        return LakeQuery(
            self.store,
            self.catalog,
            cache_dir=self.state_dir / "cache",
            results=self.config.zones.query_results,
            history_file=self.state_dir / "query_history.jsonl",
            default_database=default,
        )

    def query(self, sql: str, *, dialect: str = "athena") -> QueryResult:
        """SQL over the lake (Athena dialect by default); the result is also saved as CSV."""
        return self.lake().execute(sql, dialect=dialect)

    def transform(self, job: str | None = None, *, run_id: str | None = None) -> list[JobResult]:
        """Run ETL jobs (one, with the jobs it depends on, or all) into the processed zone."""
        from .runs import new_run_id

        run_id = run_id or new_run_id()
        transformer = Transformer(
            self.store,
            self.catalog,
            processed=self.config.zones.processed,
            quarantine=self.config.zones.quarantine_prefix(),
            work_dir=self.state_dir / "work",
            conform=self._conform,
            sort_keys={t.name: t.primary_key for t in self.model.tables.values() if t.primary_key},
        )
        return [transformer.run(j, self.root, run_id) for j in self._jobs(job)]

    def _jobs(self, name: str | None) -> list[Any]:
        jobs = {j.name: j for j in self.config.jobs}
        if name is None:
            return list(jobs.values())
        if name not in jobs:
            close = nearest(name, list(jobs))
            raise ConfigError(
                f"no job {name!r}", hint=f"did you mean {close[0]!r}?" if close else None
            )
        order: list[Any] = []

        def visit(n: str) -> None:
            for dep in jobs[n].depends_on:
                visit(dep)
            if jobs[n] not in order:
                order.append(jobs[n])

        visit(name)
        return order

    def _conform(self, con: Any, name: str) -> None:
        """Cast a model's output to the relational model's columns, types and constraints."""
        if name not in self.model.tables:
            return
        table = self.model.table(name)
        actual = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
                [name],
            ).fetchall()
        ]
        wanted = table.column_names()
        missing, extra = (
            [c for c in wanted if c not in actual],
            [c for c in actual if c not in wanted],
        )
        if missing or extra:
            raise TransformError(
                f"model {name}: output columns differ from model/{name}.yml",
                hint=f"missing: {missing or 'none'}; not in the model: {extra or 'none'}",
            )
        conformed = f"{name}__conformed"
        cols = ", ".join(quote_ident(c) for c in wanted)
        con.execute(
            create_table_sql(table, "duckdb", name=conformed, if_not_exists=False, constraints=True)
        )
        con.execute(
            f"INSERT INTO {quote_ident(conformed)} ({cols}) SELECT {cols} FROM {quote_ident(name)}"
        )
        con.execute(f"DROP TABLE {quote_ident(name)}")
        con.execute(f"ALTER TABLE {quote_ident(conformed)} RENAME TO {quote_ident(name)}")

    def load(self, tables: list[str] | None = None) -> list[LoadResult]:
        """Create the model's tables in the warehouse and load each from its manifest."""
        wanted = tables or (
            None if self.config.load.tables == "all" else list(self.config.load.tables)
        )
        results = []
        wh = self.warehouse()
        self.store.configure_duckdb(wh.con)  # the load reads Parquet at store.duckdb_path
        try:
            for table in self.model.load_order():
                if wanted is not None and table.name not in wanted:
                    continue
                manifest = read_manifest(self.store, self.processed, table.name)
                assert manifest is not None
                paths = [
                    self.store.duckdb_path(S3Uri.parse(f["uri"]))
                    for f in manifest["files"]
                    if f["format"] == "parquet"
                ]
                results.append(wh.load(table, manifest, paths))
        finally:
            wh.close()
        return results

    def warehouse_query(self, sql: str) -> pa.Table:
        """SQL in the warehouse."""
        wh = self.warehouse(read_only=True)
        try:
            return wh.query(sql)
        finally:
            wh.close()

    def check(self, run_id: str | None = None) -> Any:
        """Verification: reconciliation, keys, relationships, custom checks."""
        from .checks import run_checks

        return run_checks(self, run_id=run_id)

    def build_dashboards(self, run_id: str | None = None) -> list[Path]:
        """Build the self-contained HTML dashboards into ``target/dashboards``."""
        from .dashboard import build_dashboards

        files = sorted({p for pattern in self.config.dashboards for p in self.root.glob(pattern)})
        last = self.run_store.last()
        wh = self.warehouse(read_only=True)
        try:
            meta = {
                "project": self.config.name,
                "run_id": run_id or (last["run_id"] if last else "none"),
                "data_freshness": _freshness(wh),
            }
            return build_dashboards(files, wh.query, self.target_dir / "dashboards", meta)
        finally:
            wh.close()

    def run(self, **options: Any) -> Any:
        """The whole pipeline, recorded as a run (see ``lakeferry.runs.pipeline``)."""
        from .runs.pipeline import run_pipeline

        return run_pipeline(self, **options)


def _byte_counter(progress: Callable[[int, int], None], total: int) -> Callable[[int], None]:
    """Turn per-upload byte increments into ``progress(bytes_sent, bytes_total)`` calls."""
    sent, lock = 0, threading.Lock()  # multipart uploads report from several threads
    progress(0, total)

    def advance(n: int) -> None:
        nonlocal sent
        with lock:
            sent += n
            progress(sent, total)

    return advance


def _freshness(wh: DuckDBWarehouse) -> str:
    try:
        row = wh.query("SELECT max(loaded_at) AS t FROM lakeferry_loads").to_pylist()
    except LakeferryError:
        return "unknown"
    value = row[0]["t"] if row else None
    return f"loaded {value:%Y-%m-%d %H:%M:%S} UTC" if value else "never loaded"
