"""The crawler: folders of objects → catalog tables, with a report of every object.

One table per folder of compatible files (hive ``key=value`` folders below it become
partitions). Objects are classified by content; an unreadable object is reported and
left out, never fatal to the crawl. A table's name is its folder's name in snake_case,
skipping generic folder names such as ``csv``; a collision takes the nearest parent
folder that tells the two apart, deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from ..config import CrawlTarget
from ..errors import TableNotFound
from ..naming import snake_case
from ..storage.base import ObjectInfo, ObjectStore, S3Uri
from .base import Catalog, Column, Table, TableObject
from .evolve import apply_overrides, drift, merge
from .sniff import SAMPLE_BYTES, Sniff, columns_for, infer_types, parquet_columns, sniff_bytes

_GENERIC = {"csv", "tsv", "json", "jsonl", "parquet", "data", "raw", "gz", "files"}
_HIVE = re.compile(r"^([^=/]+)=([^/]*)$")
_VALUE = re.compile(r"^[0-9][0-9._:-]*$")  # a folder named like a partition value


@dataclass
class ObjectReport:
    """One line of the crawl report."""

    key: str
    size: int
    classified_as: str
    table: str | None
    rows_sampled: int = 0
    problems: list[str] = field(default_factory=list)
    reused: bool = False  # unchanged since the last crawl: not read, its record kept


@dataclass
class CrawlReport:
    """What a crawl saw and did."""

    database: str
    objects: list[ObjectReport] = field(default_factory=list)
    # name -> created | updated | unchanged | failed: … | drift logged | deprecated | deleted | gone
    tables: dict[str, str] = field(default_factory=dict)
    drift: dict[str, list[str]] = field(default_factory=dict)  # what changed, per table

    @property
    def failed(self) -> dict[str, str]:
        """Tables whose crawl was refused (e.g. ``schema_change: fail``), with the reason."""
        return {t: s for t, s in self.tables.items() if s.startswith("failed")}

    def rows(self) -> list[dict[str, Any]]:
        """The report as rows, for printing."""
        return [
            {
                "object": o.key,
                "bytes": o.size,
                "classified_as": o.classified_as,
                "table": o.table or "",
                "rows_sampled": o.rows_sampled,
                "problems": "; ".join(o.problems),
                "read": "no (unchanged)" if o.reused else "yes",
            }
            for o in self.objects
        ]


def crawl(
    store: ObjectStore,
    catalog: Catalog,
    *,
    database: str,
    targets: list[CrawlTarget],
    sample_rows: int = 2000,
    crawler_name: str | None = None,
    schema_change: str = "update",
    deletion: str = "deprecate",
) -> CrawlReport:
    """Crawl every target into ``database``; return the report.

    Objects whose ETag and size match what the catalog recorded are not read again;
    ``schema_change`` (update | log | fail) and ``deletion`` (deprecate | delete | log)
    are the crawler's policies.
    """
    report = CrawlReport(database=database)
    catalog.create_database(database)
    groups = _group(store, targets, report)
    previous = {t.location: t for t in catalog.list_tables(database)}
    kept_names = {f: previous[f + "/"].name for f in groups if f + "/" in previous}
    names = _table_names(groups, kept_names)
    con = duckdb.connect()
    for folder, (target, objects) in sorted(groups.items()):
        prev = previous.pop(folder + "/", None)
        build = _Build(con, store, report, target, sample_rows, prev)
        table = build.table(database, folder, names[folder], objects)
        if table is None:
            continue
        table.crawler = crawler_name
        refused = _apply_policy(
            table, prev, build.fresh_keys, schema_change, target.columns, report
        )
        if refused:
            report.tables[table.name] = refused
            continue
        status = _publish(catalog, table)
        logged = schema_change == "log" and table.name in report.drift
        report.tables[table.name] = status + (" (drift logged)" if logged else "")
    _vanished(catalog, previous.values(), targets, deletion, report)
    return report


def _group(
    store: ObjectStore, targets: list[CrawlTarget], report: CrawlReport
) -> dict[str, tuple[CrawlTarget, list[tuple[ObjectInfo, dict[str, str]]]]]:
    """Objects grouped by table folder, with their hive partition values."""
    groups: dict[str, tuple[CrawlTarget, list[tuple[ObjectInfo, dict[str, str]]]]] = {}
    claimed: set[str] = set()
    # The most specific target claims an object first, so its options (header, table) win.
    for target in sorted(targets, key=lambda t: len(t.path), reverse=True):
        prefix = S3Uri.parse(target.path).as_prefix()
        for info in store.list(prefix):
            if info.key in claimed:
                continue
            claimed.add(info.key)
            skip = _skip_reason(info, prefix, target)
            if skip:
                report.objects.append(ObjectReport(info.key, info.size, skip, None))
                continue
            folder, partition = _table_folder(info.uri, prefix)
            groups.setdefault(folder, (target, []))[1].append((info, partition))
    return groups


def _skip_reason(info: ObjectInfo, prefix: S3Uri, target: CrawlTarget) -> str | None:
    rel = info.key[len(prefix.key) :]
    name = info.uri.name
    if name == "_SUCCESS" or any(p.startswith((".", "_")) for p in rel.split("/")):
        return "skipped (hidden or marker)"
    if info.size == 0:
        return "skipped (empty)"
    if any(re.search(pattern, rel) for pattern in target.exclude):
        return "skipped (excluded)"
    return None


def _table_folder(uri: S3Uri, prefix: S3Uri) -> tuple[str, dict[str, str]]:
    """The table's folder and the object's partition values.

    Trailing hive ``key=value`` folders are partitions; so are trailing folders named like
    values (``2020``, ``03``, ``2020-03-01``) below the target's path, as ``partition_N``
    by level. Folders named by words stay tables of their own even when they share a
    schema: the grouping never depends on content, so names stay stable across crawls.
    """
    parts = uri.key.split("/")[:-1]
    floor = len([p for p in prefix.key.split("/") if p])
    levels: list[tuple[str | None, str]] = []
    while parts:
        hive = _HIVE.match(parts[-1])
        if hive:
            levels.insert(0, (hive.group(1), hive.group(2)))
        elif len(parts) > floor and _VALUE.match(parts[-1]):
            levels.insert(0, (None, parts[-1]))
        else:
            break
        parts.pop()
    partition = {key or f"partition_{i}": value for i, (key, value) in enumerate(levels)}
    return f"s3://{uri.bucket}/{'/'.join(parts)}", partition


def _table_names(groups: dict[str, Any], kept: dict[str, str]) -> dict[str, str]:
    """Folder → table name; a folder already in the catalog keeps its table's name, and
    collisions take a distinguishing parent segment."""
    chosen = dict(kept)
    used: dict[str, set[str]] = {
        name: set(S3Uri.parse(f + "/").key.strip("/").split("/")) for f, name in kept.items()
    }
    for folder in sorted(set(groups) - set(kept)):
        target = groups[folder][0]
        segments = [s for s in S3Uri.parse(folder + "/").key.strip("/").split("/") if s]
        meaningful = (
            [s for s in segments if s.lower() not in _GENERIC]
            or segments
            or [S3Uri.parse(folder + "/").bucket]
        )
        name = snake_case(target.table) if target.table else snake_case(meaningful[-1])
        if name in used:
            # the nearest parent that tells the two apart, then any parent, then a number
            other = {snake_case(s) for s in used[name]}
            parents = [snake_case(s) for s in reversed(segments) if snake_case(s) != name]
            extras = [p for p in parents if p not in other] + parents
            numbered = [f"{name}_{n}" for n in range(2, len(used) + 3)]
            candidates = [f"{name}_{e}" for e in extras] + numbered
            name = next(c for c in candidates if c not in used)
        used[name] = set(segments)
        chosen[folder] = name
    return chosen


@dataclass
class _Shape:
    """What objects of one table have in common: format, delimiter, width, keys."""

    format: str
    delimiter: str = ","
    width: int = 0
    names: tuple[str, ...] = ()
    json_layout: str = "lines"

    @classmethod
    def of_sniff(cls, sniff: Sniff) -> _Shape:
        names = sniff.json_keys or [n for n, _ in sniff.parquet_schema]
        width = len(sniff.rows[0]) if sniff.format == "csv" and sniff.rows else 0
        return cls(sniff.format, sniff.delimiter, width, tuple(names), sniff.json_layout)

    @classmethod
    def of_table(cls, table: Table) -> _Shape:
        names = tuple(c.original_name or c.name for c in table.columns)
        delimiter = table.serde.get("delimiter") or ","
        layout = table.serde.get("json_layout", "lines")
        return cls(table.format, delimiter, len(table.columns), names, layout)

    def admits(self, sniff: Sniff) -> bool:
        """Can an object with this sniff be read as part of the table?"""
        other = _Shape.of_sniff(sniff)
        if other.format != self.format:
            return False
        if self.format == "csv":
            return (other.width, other.delimiter) == (self.width, self.delimiter)
        if self.format == "json" and other.json_layout != self.json_layout:
            return False
        mine, theirs = set(self.names), set(other.names)
        return mine <= theirs or theirs <= mine


class _Build:
    """One folder's objects → a table; unchanged objects reuse the previous record."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        store: ObjectStore,
        report: CrawlReport,
        target: CrawlTarget,
        sample_rows: int,
        previous: Table | None,
    ):
        self.con, self.store, self.report, self.target = con, store, report, target
        self.sample_rows, self.previous = sample_rows, previous
        self.fresh_keys: list[str] = []

    def table(
        self,
        database: str,
        folder: str,
        name: str,
        objects: list[tuple[ObjectInfo, dict[str, str]]],
    ) -> Table | None:
        prev = self.previous if self.previous is not None and not self.previous.deprecated else None
        known = {o.key: o for o in prev.objects} if prev else {}
        reused: dict[str, TableObject] = {}
        sniffs: dict[str, Sniff] = {}
        for info, partition in objects:
            old = known.get(info.key)
            if old is not None and (old.etag, old.size) == (info.etag, info.size):
                reused[info.key] = TableObject(**{**asdict(old), "partition": partition})
            else:
                sniffs[info.key] = self._sniff(info)
        lead = next((s for s in sniffs.values() if s.format != "unknown"), None)
        incremental = prev is not None and bool(reused)
        if prev is not None and reused:
            shape, header = _Shape.of_table(prev), bool(prev.serde.get("header"))
            base: list[Column] | None = list(prev.columns)
        elif lead is not None:
            shape, base = _Shape.of_sniff(lead), None
            header = columns_for(self.con, lead, self.target.header, self.target.column_names)[1]
        else:
            self._report_unreadable(objects, sniffs)
            return None
        if self.target.header != "auto":
            header = self.target.header == "present"
        lead_key = next((k for k, s in sniffs.items() if s is lead), "")
        kept: list[TableObject] = []
        for info, partition in objects:
            if info.key in reused:
                kept.append(reused[info.key])
                self._line(info, shape.format, name, 0, list(reused[info.key].problems), True)
                continue
            sniff = sniffs[info.key]
            problems = list(sniff.problems)
            fits = sniff.format != "unknown" and shape.admits(sniff)
            if sniff.format != "unknown" and not fits:
                source = f"the catalog's {name}" if incremental else lead_key
                problems.append(f"schema differs from {source}: left out of {name}")
            label = sniff.format if sniff.format != "unknown" else "unreadable"
            self._line(info, label, name if fits else None, len(sniff.rows), problems, False)
            if fits:
                mode = "present" if header else "absent"
                cols = columns_for(self.con, sniff, mode, self.target.column_names)[0]
                base = (
                    cols if base is None else merge(base, cols, by_position=shape.format == "csv")
                )
                kept.append(
                    TableObject(
                        info.key, info.size, info.etag, sniff.compression, problems, partition
                    )
                )
                self.fresh_keys.append(info.key)
        if not kept or base is None:
            return None
        return Table(
            database=database,
            name=name,
            location=folder + "/",
            format=shape.format,
            columns=base,
            compression=(lead.compression if lead else None)
            if prev is None or not reused
            else prev.compression,
            serde={
                "delimiter": shape.delimiter,
                "quote": '"',
                "header": header,
                "encoding": "utf-8",
                "bom": bool(lead.bom)
                if lead and not reused
                else bool(prev and prev.serde.get("bom")),
                **({"json_layout": shape.json_layout} if shape.json_layout != "lines" else {}),
            },
            partition_keys=_partition_keys(self.con, kept),
            objects=kept,
        )

    def _sniff(self, info: ObjectInfo) -> Sniff:
        sniff = sniff_bytes(
            self.store.read_range(info.uri, 0, SAMPLE_BYTES), sample_rows=self.sample_rows
        )
        if sniff.format == "parquet":
            _parquet_footer(self.store, info, sniff)
        tail_problem = _tail_problem(self.store, info, sniff)
        if tail_problem:
            sniff.problems.append(tail_problem)
        return sniff

    def _line(
        self,
        info: ObjectInfo,
        label: str,
        table: str | None,
        rows: int,
        problems: list[str],
        reused: bool,
    ) -> None:
        self.report.objects.append(
            ObjectReport(info.key, info.size, label, table, rows, problems, reused)
        )

    def _report_unreadable(
        self, objects: list[tuple[ObjectInfo, dict[str, str]]], sniffs: dict[str, Sniff]
    ) -> None:
        for info, _ in objects:
            self._line(info, "unreadable", None, 0, sniffs[info.key].problems, False)


def _parquet_footer(store: ObjectStore, info: ObjectInfo, sniff: Sniff) -> None:
    """The schema from the footer alone: two small ranged reads at the end of the object."""
    try:
        tail = store.read_range(info.uri, max(info.size - 8, 0), 8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != b"PAR1" or length + 12 > info.size:
            raise ValueError("no Parquet footer at the end (cut short?)")
        footer = store.read_range(info.uri, info.size - 8 - length, length + 8)
        sniff.parquet_schema = parquet_columns(footer)
    except (ValueError, OSError, pa.ArrowException) as exc:
        sniff.format = "unknown"
        sniff.problems.append(f"Parquet footer unreadable: {exc}")


def _partition_keys(con: duckdb.DuckDBPyConnection, objects: list[TableObject]) -> list[Column]:
    """Partition keys in folder order, typed from their values: bigint, date or string."""
    keys = list(dict.fromkeys(k for o in objects for k in o.partition))
    values = [[o.partition[k] for o in objects if o.partition.get(k)] for k in keys]
    kinds = infer_types(con, keys, values)
    return [
        Column(name=snake_case(k), type=kind, original_name=k, format=fmt)
        if kind in ("bigint", "date")
        else Column(name=snake_case(k), type="string", original_name=k)
        for k, (kind, fmt) in zip(keys, kinds, strict=True)
    ]


def _apply_policy(
    table: Table,
    prev: Table | None,
    fresh: list[str],
    policy: str,
    overrides: Mapping[str, str],
    report: CrawlReport,
) -> str | None:
    """Overrides, then the schema-change policy; the error when the table is refused."""
    before = prev.columns if prev is not None else []
    table.columns = apply_overrides(table.columns, before, overrides)
    table.partition_keys = apply_overrides(
        table.partition_keys, prev.partition_keys if prev else [], overrides
    )
    changes = drift(before, table.columns) if prev is not None and not prev.deprecated else []
    if not changes or policy == "update":
        if changes:
            report.drift[table.name] = changes
        return None
    report.drift[table.name] = changes
    if policy == "fail":
        message = (
            f"schema change in {table.qualified_name} refused (schema_change: fail): "
            + "; ".join(changes)
        )
        for line in report.objects:
            if line.key in fresh:
                line.problems.append(message)
                line.table = None
        return f"failed: {message}"
    assert prev is not None
    table.columns = apply_overrides(list(prev.columns), prev.columns, overrides)
    return None  # log: published with the catalog's schema; the drift is in the report


def _vanished(
    catalog: Catalog, tables: Any, targets: list[CrawlTarget], deletion: str, report: CrawlReport
) -> None:
    """Tables below the targets whose folder has gone: deprecate, delete, or only report."""
    paths = [t.path for t in targets]
    for table in tables:
        if table.deprecated or not any(table.location.startswith(p) for p in paths):
            continue
        if deletion == "delete":
            catalog.delete_table(table.database, table.name)
            report.tables[table.name] = "deleted (its folder has gone)"
        elif deletion == "deprecate":
            table.deprecated, table.objects = True, []
            catalog.put_table(table)
            report.tables[table.name] = "deprecated (its folder has gone)"
        else:
            report.tables[table.name] = "gone (deletion: log; the catalog table is kept)"


def _tail_problem(store: ObjectStore, info: ObjectInfo, sniff: Sniff) -> str | None:
    """A plain text object that does not end with a newline has a cut-short last record."""
    if sniff.compression or sniff.format not in ("csv", "json"):
        return None
    if sniff.json_layout == "array":
        end = store.read_range(info.uri, max(info.size - 64, 0), 64).rstrip()
        return None if end.endswith(b"]") else "JSON array cut short (no closing bracket)"
    last = store.read_range(info.uri, max(info.size - 1, 0), 1)
    return None if last == b"\n" else "last record cut short (no newline at the end of the object)"


def _publish(catalog: Catalog, table: Table) -> str:
    try:
        before: Table | None = catalog.get_table(table.database, table.name)
    except TableNotFound:
        before = None
    saved = catalog.put_table(table)
    if before is None:
        return "created"
    return "updated" if saved.version != before.version else "unchanged"
