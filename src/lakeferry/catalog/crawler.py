"""The crawler: folders of objects → catalog tables, with a report of every object.

One table per folder of compatible files (hive ``key=value`` folders below it become
partitions). Objects are classified by content; an unreadable object is reported and
left out, never fatal to the crawl. A table's name is its folder's name in snake_case,
skipping generic folder names such as ``csv``; a collision takes the nearest parent
folder that tells the two apart, deterministically.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..config import CrawlTarget
from ..errors import TableNotFound
from ..naming import snake_case
from ..storage.base import ObjectInfo, ObjectStore, S3Uri
from .base import Catalog, Column, Table, TableObject
from .sniff import SAMPLE_BYTES, Sniff, columns_for, sniff_bytes

_GENERIC = {"csv", "tsv", "json", "jsonl", "parquet", "data", "raw", "gz", "files"}
_HIVE = re.compile(r"^([^=/]+)=([^/]*)$")


@dataclass
class ObjectReport:
    """One line of the crawl report."""

    key: str
    size: int
    classified_as: str
    table: str | None
    rows_sampled: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class CrawlReport:
    """What a crawl saw and did."""

    database: str
    objects: list[ObjectReport] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # name -> created|updated|unchanged

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
) -> CrawlReport:
    """Crawl every target into ``database``; return the report."""
    report = CrawlReport(database=database)
    catalog.create_database(database)
    groups = _group(store, targets, report)
    names = _table_names(groups)
    con = duckdb.connect()
    for folder, (target, objects) in sorted(groups.items()):
        table = _build_table(con, store, database, folder, names[folder], target, objects, report, sample_rows)
        if table is None:
            continue
        table.crawler = crawler_name
        report.tables[table.name] = _publish(catalog, table)
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
            folder, partition = _table_folder(info.uri)
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


def _table_folder(uri: S3Uri) -> tuple[str, dict[str, str]]:
    parts = uri.key.split("/")[:-1]
    partition: dict[str, str] = {}
    while parts and _HIVE.match(parts[-1]):
        key, value = _HIVE.match(parts.pop()).groups()  # type: ignore[union-attr]
        partition = {key: value, **partition}
    return f"s3://{uri.bucket}/{'/'.join(parts)}", partition


def _table_names(groups: dict[str, Any]) -> dict[str, str]:
    """Folder → table name; collisions take a distinguishing parent segment."""
    chosen: dict[str, str] = {}
    used: dict[str, set[str]] = {}  # name -> the folder segments of the table that has it
    for folder in sorted(groups):
        target = groups[folder][0]
        segments = [s for s in S3Uri.parse(folder + "/").key.strip("/").split("/") if s]
        meaningful = [s for s in segments if s.lower() not in _GENERIC] or segments or [S3Uri.parse(folder + "/").bucket]
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


def _build_table(
    con: duckdb.DuckDBPyConnection,
    store: ObjectStore,
    database: str,
    folder: str,
    name: str,
    target: CrawlTarget,
    objects: list[tuple[ObjectInfo, dict[str, str]]],
    report: CrawlReport,
    sample_rows: int,
) -> Table | None:
    sniffs: list[tuple[ObjectInfo, dict[str, str], Sniff]] = []
    for info, partition in objects:
        sniff = sniff_bytes(store.read_range(info.uri, 0, SAMPLE_BYTES), sample_rows=sample_rows)
        tail_problem = _tail_problem(store, info, sniff)
        if tail_problem:
            sniff.problems.append(tail_problem)
        sniffs.append((info, partition, sniff))
    readable = [s for s in sniffs if s[2].format != "unknown"]
    if not readable:
        for info, _, sniff in sniffs:
            report.objects.append(ObjectReport(info.key, info.size, "unreadable", None, 0, sniff.problems))
        return None
    lead = readable[0][2]
    columns, header = columns_for(con, lead, target.header)
    kept: list[TableObject] = []
    for info, partition, sniff in sniffs:
        compatible = sniff.format == lead.format and _same_shape(sniff, lead)
        label = sniff.format if sniff.format != "unknown" else "unreadable"
        problems = list(sniff.problems)
        if sniff.format != "unknown" and not compatible:
            problems.append(f"schema differs from {readable[0][0].key}: left out of {name}")
        report.objects.append(
            ObjectReport(info.key, info.size, label, name if compatible else None, len(sniff.rows), problems)
        )
        if compatible:
            kept.append(TableObject(info.key, info.size, info.etag, sniff.compression, problems, partition))
    partition_keys = [Column(name=snake_case(k), type="string", original_name=k) for k in kept[0].partition] if kept else []
    return Table(
        database=database,
        name=name,
        location=folder + "/",
        format=lead.format,
        columns=columns,
        compression=lead.compression,
        serde={"delimiter": lead.delimiter, "quote": '"', "header": header, "encoding": "utf-8", "bom": lead.bom},
        partition_keys=partition_keys,
        objects=kept,
    )


def _same_shape(sniff: Sniff, lead: Sniff) -> bool:
    if sniff.format == "json":
        return set(sniff.json_keys) <= set(lead.json_keys) or set(lead.json_keys) <= set(sniff.json_keys)
    if sniff.format == "csv":
        return bool(sniff.rows) and len(sniff.rows[0]) == len(lead.rows[0]) and sniff.delimiter == lead.delimiter
    return sniff.format == lead.format


def _tail_problem(store: ObjectStore, info: ObjectInfo, sniff: Sniff) -> str | None:
    """A plain text object that does not end with a newline has a cut-short last record."""
    if sniff.compression or sniff.format not in ("csv", "json"):
        return None
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
