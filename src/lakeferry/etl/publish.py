"""Publish a job's output tables to the processed zone, atomically, with a manifest.

Files go to ``<processed>/<table>/<run_id>/part-00000.{parquet,csv}``; the manifest
``<processed>/<table>/_manifest.json`` is written last, in one atomic put. Readers and
loads use only the files a manifest lists, so a job that dies before its manifest
leaves the previous output in force. After publishing, runs older than the previous
one are deleted.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ..errors import ObjectNotFound, TransformError
from ..naming import quote_ident, quote_literal
from ..storage.base import ObjectStore, S3Uri

MANIFEST = "_manifest.json"
_COPY_OPTIONS = {
    "parquet": "(FORMAT parquet, COMPRESSION zstd)",
    "csv": "(FORMAT csv, HEADER, DELIMITER ',', QUOTE '\"', ESCAPE '\"')",
}


@dataclass
class Published:
    """What was published for one table."""

    table: str
    manifest: str
    rows: int
    bytes: int


def publish_table(
    con: duckdb.DuckDBPyConnection,
    store: ObjectStore,
    processed: S3Uri,
    table: str,
    *,
    formats: list[str],
    job: str,
    run_id: str,
    order_by: list[str] | None = None,
) -> Published:
    """Write one engine table in every format, then its manifest.

    ``order_by`` (the primary key) makes the files deterministic, so a rerun on the same
    input publishes byte-identical files and a load can tell that nothing changed.
    """
    rows = int(con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0])  # type: ignore[index]
    schema = [
        {"name": n, "type": t}
        for n, t in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    folder = processed.join(table, run_id)
    files: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="lakeferry-publish-") as tmp:
        for fmt in formats:
            local = Path(tmp) / f"part-00000.{fmt}"
            order = f" ORDER BY {', '.join(quote_ident(c) for c in order_by)}" if order_by else ""
            source = f"(SELECT * FROM {quote_ident(table)}{order})"
            con.execute(f"COPY {source} TO {quote_literal(str(local))} {_COPY_OPTIONS[fmt]}")
            target = folder.join(local.name)
            store.put_file(local, target)
            files.append(
                {
                    "uri": str(target),
                    "format": fmt,
                    "rows": rows,
                    "bytes": local.stat().st_size,
                    "sha256": _sha256(local),
                }
            )
    manifest = {
        "table": table,
        "job": job,
        "run_id": run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
        "schema": schema,
        "files": files,
    }
    uri = processed.join(table, MANIFEST)
    previous = read_manifest(store, processed, table, missing_ok=True)
    store.put_bytes(json.dumps(manifest, indent=2).encode(), uri)
    _prune(
        store,
        processed.join(table).as_prefix(),
        keep={run_id, previous["run_id"] if previous else ""},
    )
    return Published(table, str(uri), rows, sum(f["bytes"] for f in files))


def read_manifest(
    store: ObjectStore, processed: S3Uri, table: str, *, missing_ok: bool = False
) -> dict[str, Any] | None:
    """The current manifest of a processed table."""
    uri = processed.join(table, MANIFEST)
    try:
        with store.open(uri) as fh:
            return dict(json.load(fh))
    except ObjectNotFound:
        if missing_ok:
            return None
        raise TransformError(
            f"no published output for table {table!r} (no {uri})",
            hint="run `lakeferry transform` first",
        ) from None


def _prune(store: ObjectStore, prefix: S3Uri, keep: set[str]) -> None:
    """Delete output folders of runs other than the current and the previous one."""
    for info in store.list(prefix):
        rel = info.key[len(prefix.key) :]
        if "/" in rel and rel.split("/", 1)[0] not in keep:
            store.delete(info.uri)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
