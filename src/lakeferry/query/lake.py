"""Reading catalog tables in DuckDB: objects → a typed relation, bad input set aside.

Every table is read as text first (``all_varchar``), then each column is parsed to its
catalog type with the column's format. That keeps parsing in one place and lets ETL
compare the text with the parsed value to find values that do not parse.

Objects that cannot be read in place are repaired into a cache keyed by ETag: a
compressed object is decompressed (a gzip cut before its trailer keeps its complete
lines), and an object whose last record is cut short keeps every line but that one.
What is left out is returned as ``SetAside`` entries naming the object and line.
"""

from __future__ import annotations

import bz2
import hashlib
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..catalog.base import Column, Table, TableObject
from ..naming import quote_ident, quote_literal
from ..storage.base import ObjectStore, S3Uri

_CHUNK = 1 << 20


@dataclass(frozen=True)
class SetAside:
    """Input that was not read: which object, which line, why, and the text."""

    object: str
    line: int | None
    reason: str
    column: str | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "object": self.object,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class Prepared:
    """A table's objects, as paths DuckDB can read, plus what was set aside."""

    table: Table
    paths: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # path -> s3 key
    set_aside: list[SetAside] = field(default_factory=list)
    bytes_scanned: int = 0


def prepare(store: ObjectStore, table: Table, cache_dir: Path) -> Prepared:
    """Make every object of a table readable by DuckDB; repair what needs it."""
    prepared = Prepared(table)
    for obj in table.objects:
        uri = S3Uri(S3Uri.parse(table.location).bucket, obj.key)
        whole = table.format == "parquet" or table.serde.get("json_layout") == "array"
        path, aside = _readable(store, uri, obj, cache_dir, whole=whole)
        prepared.bytes_scanned += obj.size
        prepared.set_aside.extend(aside)
        if path is not None:
            prepared.paths.append(path)
            prepared.keys[path] = str(uri)
    return prepared


def _readable(
    store: ObjectStore, uri: S3Uri, obj: TableObject, cache_dir: Path, *, whole: bool = False
) -> tuple[str | None, list[SetAside]]:
    if obj.compression in _COMPRESSIONS:
        return _repaired(store, uri, obj, cache_dir)
    if whole:
        return store.duckdb_path(uri), []  # Parquet, JSON arrays: never cut at a newline
    local = store.local_path(uri)
    if local is not None and obj.size > 0:
        with local.open("rb") as fh:
            fh.seek(obj.size - 1)
            if fh.read(1) == b"\n":
                return str(local), []
    elif not any("cut short" in p for p in obj.problems):
        return store.duckdb_path(uri), []
    return _repaired(store, uri, obj, cache_dir)


def _cache_path(cache_dir: Path, uri: S3Uri, obj: TableObject, kind: str) -> Path:
    digest = hashlib.sha256(f"{uri}|{obj.etag}|{kind}".encode()).hexdigest()[:24]
    return cache_dir / f"{digest}.{kind}"


def _repaired(
    store: ObjectStore, uri: S3Uri, obj: TableObject, cache_dir: Path
) -> tuple[str | None, list[SetAside]]:
    """A cached copy holding the object's complete lines (decompressed if need be)."""
    target = _cache_path(cache_dir, uri, obj, "txt")
    marker = target.with_suffix(".aside")
    if target.exists():
        return str(target), _read_marker(marker, str(uri))
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=cache_dir)
    tmp = Path(name)
    error: str | None = None
    with store.open(uri) as src, os.fdopen(fd, "wb") as dst:
        if obj.compression in _COMPRESSIONS:
            try:
                for chunk in _decompress_stream(src, obj.compression):
                    dst.write(chunk)
            except (EOFError, OSError, zlib.error, ValueError) as exc:
                error = f"{obj.compression} stream ends early ({exc or 'unexpected end of file'})"
        else:
            shutil.copyfileobj(src, dst, _CHUNK)
    cut_short = "last record cut short (no newline at the end)"
    aside = _cut_partial_line(tmp, str(uri), error or cut_short, always=error is not None)
    _write_marker(marker, aside)
    os.replace(tmp, target)
    return str(target), aside


_COMPRESSIONS = ("gzip", "bzip2", "zstd")


def _zstd_stream(src: BinaryIO) -> Iterator[bytes]:
    """zstd through pyarrow's codec (already a dependency), chunk by chunk."""
    import pyarrow as pa

    stream = pa.CompressedInputStream(pa.PythonFile(src, mode="r"), "zstd")
    try:
        while chunk := stream.read(_CHUNK):
            yield chunk
    except pa.ArrowException as exc:
        raise EOFError(str(exc)) from exc


def _decompress_stream(src: BinaryIO, compression: str) -> Iterator[bytes]:
    if compression == "zstd":
        yield from _zstd_stream(src)
        return
    decoder = (
        zlib.decompressobj(16 + zlib.MAX_WBITS) if compression == "gzip" else bz2.BZ2Decompressor()
    )
    while True:
        chunk = src.read(_CHUNK)
        if not chunk:
            break
        out = decoder.decompress(chunk)
        if out:
            yield out
        if compression == "gzip":
            # concatenated gzip members: start a new decoder on the leftover bytes
            while (
                isinstance(decoder, type(zlib.decompressobj()))
                and decoder.eof
                and decoder.unused_data
            ):
                rest = decoder.unused_data
                decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out = decoder.decompress(rest)
                if out:
                    yield out
    if not getattr(decoder, "eof", True):
        raise EOFError("unexpected end of file: the stream stops before its trailer")


def _cut_partial_line(path: Path, key: str, reason: str, *, always: bool = False) -> list[SetAside]:
    """Truncate a file after its last newline; report the partial line, if any."""
    size = path.stat().st_size
    if size == 0:
        return [SetAside(key, 1, reason)] if always else []
    newlines, last_nl = _count_newlines(path)
    if last_nl == size - 1:
        return (
            [SetAside(key, newlines + 1, reason + "; every complete line was kept")]
            if always
            else []
        )
    with path.open("rb+") as fh:
        fh.seek(last_nl + 1)
        partial = fh.read(4096).decode("utf-8", "replace")
        fh.truncate(last_nl + 1)
    return [SetAside(key, newlines + 1, reason, value=partial[:200])]


def _count_newlines(path: Path) -> tuple[int, int]:
    count, offset, last = 0, 0, -1
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            n = chunk.count(b"\n")
            if n:
                count += n
                last = offset + chunk.rindex(b"\n")
            offset += len(chunk)
    return count, last


def _write_marker(marker: Path, aside: list[SetAside]) -> None:
    lines = [f"{a.line}\t{a.reason}\t{(a.value or '').replace(chr(10), ' ')}" for a in aside]
    marker.write_text("\n".join(lines), encoding="utf-8")


def _read_marker(marker: Path, key: str) -> list[SetAside]:
    if not marker.exists():
        return []
    out = []
    for row in marker.read_text(encoding="utf-8").splitlines():
        line, reason, value = [*row.split("\t"), "", ""][:3]
        out.append(SetAside(key, int(line) if line else None, reason, value=value or None))
    return out


# --- SQL ---------------------------------------------------------------------------------


def scan_sql(prepared: Prepared, *, with_source: bool = False, rejects: str | None = None) -> str:
    """A DuckDB table function reading every object of the table as text."""
    table = prepared.table
    paths = "[" + ", ".join(quote_literal(p) for p in prepared.paths) + "]"
    names = (
        [c.original_name or c.name for c in table.columns]
        if table.format == "json"
        else [c.name for c in table.columns]
    )
    cols = "{" + ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in names) + "}"
    extra = ", filename = true" if with_source else ""
    if table.format == "json":
        layout = "array" if table.serde.get("json_layout") == "array" else "newline_delimited"
        return f"read_json({paths}, format = '{layout}', columns = {cols}{extra})"
    if table.format == "parquet":
        return f"read_parquet({paths}, union_by_name = true{extra})"
    serde = table.serde
    opts = [
        f"header = {str(bool(serde.get('header'))).lower()}",
        f"delim = {quote_literal(serde.get('delimiter', ','))}",
        "quote = '\"'",
        "escape = '\"'",
        f"columns = {cols}",
        "auto_detect = false",
        "null_padding = false",
    ]
    if rejects:
        opts += [
            "store_rejects = true",
            f"rejects_table = {quote_literal(rejects)}",
            f"rejects_scan = {quote_literal(rejects + '_scan')}",
        ]
    return f"read_csv({paths}, {', '.join(opts)}{extra})"


def json_sql_names(table: Table) -> dict[str, str]:
    """JSON columns are read by their original key; map SQL name → key."""
    return {c.name: c.original_name or c.name for c in table.columns}


def parse_expr(column: Column, source: str | None = None) -> str:
    """SQL that parses a text column to its catalog type (NULL where it does not parse)."""
    return parse_sql(column, quote_ident(source or column.name))


def parse_sql(column: Column, text_sql: str) -> str:
    """SQL that parses the text expression ``text_sql`` to the column's catalog type."""
    v = f"nullif(trim({text_sql}), '')"
    kind, fmt = column.type, column.format
    if kind == "string":
        return v
    if fmt and kind in ("date", "timestamp"):
        cast = "DATE" if kind == "date" else "TIMESTAMP"
        return f"CAST(TRY_STRPTIME({v}, {quote_literal(fmt)}) AS {cast})"
    if kind == "bigint":
        return f"TRY_CAST({v} AS BIGINT)"
    if kind == "timestamp":
        return f"TRY_CAST(replace({v}, 'Z', '') AS TIMESTAMP)"
    return f"TRY_CAST({v} AS {_DUCK[kind]})"


_DUCK = {
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "bigint": "BIGINT",
    "timestamp": "TIMESTAMP",
}


def typed_select(prepared: Prepared, scan: str | None = None) -> str:
    """``SELECT`` every column parsed to its type, from the text scan."""
    table = prepared.table
    if table.partition_keys and scan is None:
        return _partitioned_select(prepared)
    if table.format == "parquet":
        # each column by its name in the file, cast to the catalog's type (a manual edit wins)
        casts = [
            f"TRY_CAST({quote_ident(c.original_name or c.name)} AS {_DUCK.get(c.type, 'VARCHAR')})"
            f" AS {quote_ident(c.name)}"
            for c in table.columns
        ]
        return f"SELECT {', '.join(casts)} FROM {scan or scan_sql(prepared)}"
    exprs = [f"{parse_expr(c)} AS {quote_ident(c.name)}" for c in table.columns]
    if table.format == "json":
        inner = ", ".join(
            f"{quote_ident(c.original_name or c.name)} AS {quote_ident(c.name)}"
            for c in table.columns
        )
        scan = f"(SELECT {inner} FROM {scan or scan_sql(prepared)})"
    return f"SELECT {', '.join(exprs)} FROM {scan or scan_sql(prepared)}"


def _partitioned_select(prepared: Prepared) -> str:
    """Each partition's objects with its partition values as columns of the keys' types."""
    table = prepared.table
    paths = {uri: path for path, uri in prepared.keys.items()}
    bucket = S3Uri.parse(table.location).bucket
    groups: dict[tuple[str, ...], list[str]] = {}
    for obj in table.objects:
        path = paths.get(str(S3Uri(bucket, obj.key)))
        if path is not None:
            names = [c.original_name or c.name for c in table.partition_keys]
            groups.setdefault(tuple(obj.partition.get(n, "") for n in names), []).append(path)
    selects = []
    for values, group in sorted(groups.items()):
        one = Prepared(table, group, {p: prepared.keys[p] for p in group})
        literals = ", ".join(
            f"{parse_sql(c, quote_literal(v))} AS {quote_ident(c.name)}"
            for c, v in zip(table.partition_keys, values, strict=True)
        )
        selects.append(f"SELECT *, {literals} FROM ({typed_select(one, scan_sql(one))})")
    return " UNION ALL ".join(selects) or typed_select(prepared, scan_sql(prepared))
