"""Writing sample objects, and damaging copies of them the way the real lake did.

``copy_csv`` writes a query with DuckDB's CSV writer (quotes only where needed, NULL as
an empty field). ``cut_last_record`` makes a CSV stop mid-record; ``truncated_gzip``
makes a gzip stream stop before its trailer. Both report what a careful reader can still
use, so the summary can state it.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

GZIP_KEEP_SHARE = 0.55  # how much of the compressed stream the truncated object keeps


@dataclass(frozen=True)
class Damage:
    """What is left readable in a damaged object (line numbers are 1-based, header = 1)."""

    complete_rows: int
    bad_line: int
    reason: str
    lost_record: str = ""  # the whole record before it was cut, when known


def copy_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write ``query`` as a headed CSV at ``path``; return the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = str(path).replace("'", "''")
    row = con.execute(f"COPY ({query}) TO '{target}' (HEADER, DELIMITER ',')").fetchone()
    return int(row[0]) if row else 0


def copy_jsonl(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write ``query`` as JSON lines at ``path``; return the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = str(path).replace("'", "''")
    row = con.execute(f"COPY ({query}) TO '{target}' (FORMAT json)").fetchone()
    return int(row[0]) if row else 0


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` reproducibly (mtime 0, no file name in the header)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def cut_last_record(path: Path) -> Damage:
    """Cut the last line of a CSV in the middle of its third field, with no newline.

    The record keeps fewer fields than the header, the way an interrupted upload ends.
    """
    text = path.read_bytes()
    body = text[:-1] if text.endswith(b"\n") else text
    start = body.rfind(b"\n") + 1
    last = body[start:]
    second_comma = last.index(b",", last.index(b",") + 1)
    field = last[second_comma + 1 :].split(b",", 1)[0]
    keep = second_comma + 1 + max(1, len(field) // 2)
    path.write_bytes(body[:start] + last[:keep])
    bad_line = body[:start].count(b"\n") + 1
    reason = "record cut short: fewer fields than the header"
    return Damage(bad_line - 2, bad_line, reason, lost_record=last.decode("utf-8"))


def truncated_gzip(data: bytes) -> tuple[bytes, Damage]:
    """Gzip ``data`` and drop the end of the stream, trailer included.

    The cut is moved back until the readable prefix ends inside a line, so exactly one
    partial line follows the complete ones.
    """
    compressed = gzip_bytes(data)
    cut = int(len(compressed) * GZIP_KEEP_SHARE)
    while True:
        readable = zlib.decompressobj(wbits=31).decompress(compressed[:cut])
        if readable and not readable.endswith(b"\n"):
            break
        cut -= 1
    complete_lines = readable.count(b"\n")
    reason = "gzip stream ends before its trailer (unexpected end of file)"
    return compressed[:cut], Damage(complete_lines - 1, complete_lines + 1, reason)
