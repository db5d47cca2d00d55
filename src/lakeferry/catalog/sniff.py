"""Classify an object by its content, find its header, and infer column types.

Classification looks at magic bytes (gzip, bzip2, zstd, Parquet) and at the text, never
at the name, so ``x.csv.gz.014c84bE.gz`` and ``x.csv.fDde7E2b`` classify correctly.
Types are inferred in DuckDB over a sample read as text, so inference is the same code
path that later parses the values.
"""

from __future__ import annotations

import bz2
import csv
import io
import json
import re
import zlib
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from ..naming import sql_name, unique_names
from .base import Column

SAMPLE_BYTES = 1 << 20
_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\x28\xb5\x2f\xfd": "zstd"}
_DELIMITERS = (",", "\t", "|", ";")


@dataclass
class Sniff:
    """What one object looks like."""

    format: str  # csv | json | parquet | unknown
    compression: str | None = None
    delimiter: str = ","
    bom: bool = False
    header_row: list[str] | None = None
    rows: list[list[str]] = field(default_factory=list)  # the sample, header included
    json_keys: list[str] = field(default_factory=list)
    json_layout: str = "lines"  # lines (one object per line) | array ([{…}, {…}])
    parquet_schema: list[tuple[str, str]] = field(default_factory=list)  # from the footer
    problems: list[str] = field(default_factory=list)


def compression_of(head: bytes) -> str | None:
    """gzip, bzip2 or zstd by magic bytes; None for plain data."""
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    return None


def decompress_prefix(data: bytes, compression: str | None) -> tuple[bytes, str | None]:
    """Decompress what can be decompressed of a prefix; say if the stream is cut short."""
    if compression is None:
        return data, None
    try:
        if compression == "gzip":
            out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, SAMPLE_BYTES)
        elif compression == "bzip2":
            out = bz2.BZ2Decompressor().decompress(data, SAMPLE_BYTES)
        else:
            out = _zstd_prefix(data)
    except (OSError, EOFError, zlib.error, ValueError, pa.ArrowException) as exc:
        return b"", f"{compression} data is corrupt: {exc}"
    return out, None


def _zstd_prefix(data: bytes) -> bytes:
    """What a zstd prefix decompresses to (pyarrow's codec; no extra package needed)."""
    stream = pa.CompressedInputStream(pa.BufferReader(data), "zstd")
    out: list[bytes] = []
    size = 0
    while size < SAMPLE_BYTES:
        try:
            chunk = stream.read(65536)
        except (OSError, pa.ArrowException):
            if not out:
                raise
            break  # a sample of a larger object ends mid-frame: keep what was decoded
        if not chunk:
            break
        out.append(chunk)
        size += len(chunk)
    return b"".join(out)[:SAMPLE_BYTES]


PARQUET_TYPES = {
    "int": "bigint",
    "uint": "bigint",
    "float": "double",
    "double": "double",
    "decimal": "double",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def parquet_columns(footer: bytes) -> list[tuple[str, str]]:
    """(name, catalog type) of each column, from the last bytes of a Parquet object.

    ``footer`` holds the footer, its 4-byte length and the closing ``PAR1``; the schema
    is read from it alone, so the crawler never reads a Parquet object's data pages.
    """
    import pyarrow.parquet as pq

    schema = pq.read_schema(pa.BufferReader(b"PAR1" + footer))
    return [(f.name, _parquet_type(f.type)) for f in schema]


def _parquet_type(arrow_type: pa.DataType) -> str:
    text = str(arrow_type)
    for prefix, kind in PARQUET_TYPES.items():
        if text.startswith(prefix):
            return kind
    return "string"  # strings, binary, nested types: read as text


def gzip_cut_short(data: bytes) -> bool:
    """Does a whole gzip object stop before its trailer? Output is discarded as it comes."""
    rest = data
    while rest:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            decoder.decompress(rest, SAMPLE_BYTES)
            while decoder.unconsumed_tail and not decoder.eof:
                decoder.decompress(decoder.unconsumed_tail, SAMPLE_BYTES)
            decoder.flush()
        except zlib.error:
            return False  # corrupt rather than cut short; decompress_prefix says so
        if not decoder.eof:
            return True
        rest = decoder.unused_data  # concatenated members
    return False


def sniff_bytes(head: bytes, *, sample_rows: int) -> Sniff:
    """Sniff an object from its first bytes (raw, possibly compressed)."""
    if head.startswith(b"PAR1"):
        return Sniff(format="parquet")
    compression = compression_of(head)
    data, problem = decompress_prefix(head, compression)
    sniff = Sniff(format="unknown", compression=compression)
    if problem:
        sniff.problems.append(problem)
        return sniff
    if compression == "gzip" and len(head) < SAMPLE_BYTES and gzip_cut_short(head):
        # the whole object was read, so this is its end, not the end of a sample
        sniff.problems.append("gzip stream ends before its trailer (unexpected end of file)")
    if data.startswith(b"\xef\xbb\xbf"):
        sniff.bom = True
        data = data[3:]
    if b"\x00" in data[:65536]:
        sniff.problems.append("binary content (NUL bytes): not CSV or JSON")
        return sniff
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample can end inside a multi-byte character; only earlier errors count.
        if exc.start < len(data) - 4:
            sniff.problems.append(f"undecodable bytes at offset {exc.start}: not UTF-8")
            return sniff
        text = data[: exc.start].decode("utf-8")
    if text.lstrip().startswith("["):
        return _sniff_json_array(sniff, text.lstrip(), sample_rows)
    lines = text.split("\n")
    if len(data) >= SAMPLE_BYTES or not text.endswith("\n"):
        lines = lines[:-1]  # the last line of a prefix may be partial
    lines = [ln.rstrip("\r") for ln in lines if ln.strip()][: sample_rows + 1]
    if not lines:
        sniff.problems.append("no complete line in the first bytes")
        return sniff
    if lines[0].lstrip().startswith("{"):
        return _sniff_json(sniff, lines)
    return _sniff_csv(sniff, lines)


def _sniff_json_array(sniff: Sniff, text: str, sample_rows: int) -> Sniff:
    """A JSON array of objects; the sample may stop inside it, so decode element by element."""
    decoder = json.JSONDecoder()
    rows: list[dict[str, object]] = []
    pos = 1
    while len(rows) < sample_rows:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break  # the end of the sample (or bad JSON: reported below when nothing decoded)
        if isinstance(value, dict):
            rows.append(value)
    sniff.json_layout = "array"
    return _json_rows(sniff, rows, "a JSON array without objects")


def _sniff_json(sniff: Sniff, lines: list[str]) -> Sniff:
    rows: list[dict[str, object]] = []
    for number, line in enumerate(lines, start=1):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            sniff.problems.append(f"line {number}: not a JSON object ({exc.msg})")
            continue
        if isinstance(value, dict):
            rows.append(value)
    return _json_rows(sniff, rows, "JSON without objects per line")


def _json_rows(sniff: Sniff, rows: list[dict[str, object]], empty: str) -> Sniff:
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    if not rows:
        sniff.problems.append(empty)
        return sniff
    sniff.format = "json"
    sniff.json_keys = list(keys)
    sniff.rows = [[_json_text(r.get(k)) for k in keys] for r in rows]
    return sniff


def _json_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _sniff_csv(sniff: Sniff, lines: list[str]) -> Sniff:
    delimiter = _delimiter(lines)
    sniff.delimiter = delimiter
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    width = len(rows[0])
    sniff.rows = [r for r in rows if len(r) == width]
    if len(sniff.rows) < len(rows):
        sniff.problems.append(
            f"{len(rows) - len(sniff.rows)} sampled line(s) have a field count other than {width}"
        )
    sniff.format = "csv"
    return sniff


def _delimiter(lines: list[str]) -> str:
    """The delimiter whose count is the same (and non-zero) on the most lines."""
    best, best_score = ",", -1
    for cand in _DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=cand))) for ln in lines[:50]]
        if counts[0] < 2:
            continue
        score = sum(1 for c in counts if c == counts[0])
        if score > best_score:
            best, best_score = cand, score
    return best


# --- types -----------------------------------------------------------------------------

_DATE_NAME = re.compile(r"date|day|dt$", re.IGNORECASE)
_INFER_SQL = """
SELECT
  i,
  count(v) AS n,
  count(*) FILTER (WHERE regexp_full_match(v, '-?[0-9]+')
                   AND NOT regexp_full_match(v, '-?0[0-9]+')) AS ints,
  count(*) FILTER (WHERE regexp_full_match(v, '-?0[0-9]+')) AS zero_padded,
  count(*) FILTER (WHERE regexp_full_match(v,
      '(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])')) AS yyyymmdd,
  count(TRY_CAST(v AS DOUBLE)) AS doubles,
  count(*) FILTER (WHERE lower(v) IN ('true', 'false')) AS bools,
  count(*) FILTER (WHERE regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                   AND TRY_CAST(v AS DATE) IS NOT NULL) AS dates,
  count(*) FILTER (WHERE regexp_full_match(v,
      '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?'
      || '(Z|[+-][0-9]{2}:?[0-9]{2})?')
                   AND TRY_CAST(replace(v, 'T24:', 'T23:') AS TIMESTAMP) IS NOT NULL) AS isots,
  count(TRY_STRPTIME(v, '%m/%d/%Y %H:%M')) AS us_ts,
  count(TRY_STRPTIME(v, '%m/%d/%Y')) AS us_date
FROM (SELECT i, nullif(trim(v), '') AS v FROM __lakeferry_sample)
GROUP BY i
"""


def infer_type(
    con: duckdb.DuckDBPyConnection, name: str, values: list[str]
) -> tuple[str, str | None]:
    """(type, parse format) for a column from its sampled text values."""
    return infer_types(con, [name], [values])[0]


def infer_types(
    con: duckdb.DuckDBPyConnection, names: list[str], columns: list[list[str]]
) -> list[tuple[str, str | None]]:
    """(type, parse format) for every column of a sample, in one query (wide files stay fast)."""
    index = [i for i, values in enumerate(columns) for _ in values]
    if not index:
        return [("string", None) for _ in names]
    flat = [v for values in columns for v in values]
    sample = pa.table({"i": pa.array(index, pa.int32()), "v": pa.array(flat, pa.string())})
    con.register("__lakeferry_sample", sample)  # Arrow, not a Python list: much faster
    try:
        found = {row[0]: row[1:] for row in con.execute(_INFER_SQL).fetchall()}
    finally:
        con.unregister("__lakeferry_sample")
    return [_decide(name, found.get(i)) for i, name in enumerate(names)]


def _decide(name: str, counts: tuple[int, ...] | None) -> tuple[str, str | None]:
    if counts is None:
        return "string", None
    n, ints, padded, ymd, doubles, bools, dates, isots, us_ts, us_date = counts
    if n == 0:
        return "string", None
    if padded:
        return "string", None  # codes such as fips "01001" keep their zeros
    if ymd == n and _DATE_NAME.search(name):
        return "date", "%Y%m%d"
    for count, kind, fmt in (
        (ints, "bigint", None),
        (doubles, "double", None),
        (bools, "boolean", None),
        (dates, "date", None),
        (isots, "timestamp", None),
        (us_ts, "timestamp", "%m/%d/%Y %H:%M"),
        (us_date, "date", "%m/%d/%Y"),
    ):
        if count == n:
            return kind, fmt
    return "string", None


def has_header(con: duckdb.DuckDBPyConnection, rows: list[list[str]]) -> bool:
    """Does the first row name the columns? Works for all-text files as well.

    A first row is a header when its values are all present and distinct and, for
    some column, the first value does not look like the values below it: a word above
    numbers or dates, or a word whose length is far outside the column's lengths.
    """
    first, rest = rows[0], rows[1:]
    if not rest:
        return all(v.strip() and TRY_NUMBER.match(v) is None for v in first)
    if any(not v.strip() for v in first) or len(set(first)) < len(first):
        return False
    if any(TRY_NUMBER.match(v) for v in first):
        return False
    below = [[r[i] for r in rest if i < len(r) and r[i].strip()] for i in range(len(first))]
    kinds = infer_types(con, first, below)
    for head, values, (kind, _) in zip(first, below, kinds, strict=True):
        if not values or head in values:
            continue
        if kind != "string":
            return True
        lengths = [len(v) for v in values]
        if len(head) < min(lengths) or len(head) > max(lengths):
            return True
    return False


TRY_NUMBER = re.compile(r"^\s*-?[0-9][0-9.,eE+-]*\s*$")


def columns_for(
    con: duckdb.DuckDBPyConnection, sniff: Sniff, header: str = "auto", naming: str = "snake_case"
) -> tuple[list[Column], bool]:
    """Columns (SQL name, original name, type, format) and whether a header row exists."""
    if sniff.format == "parquet":
        names = unique_names([sql_name(n, naming) for n, _ in sniff.parquet_schema])
        cols = [
            Column(name=s, type=t, original_name=n)
            for s, (n, t) in zip(names, sniff.parquet_schema, strict=True)
        ]
        return cols, False
    if sniff.format == "json":
        originals = sniff.json_keys
        data = sniff.rows
        header_present = False
    else:
        header_present = header == "present" or (header == "auto" and has_header(con, sniff.rows))
        width = len(sniff.rows[0])
        originals = sniff.rows[0] if header_present else [f"col{i}" for i in range(width)]
        data = sniff.rows[1:] if header_present else sniff.rows
    names = unique_names([sql_name(o, naming) for o in originals])
    values = [[r[i] for r in data if i < len(r)] for i in range(len(originals))]
    kinds = infer_types(con, originals, values)
    columns = [
        Column(name=name, type=kind, original_name=original, format=fmt)
        for name, original, (kind, fmt) in zip(names, originals, kinds, strict=True)
    ]
    return columns, header_present
