"""Measure S3 clients against a local SeaweedFS: boto3, DuckDB httpfs, pyarrow's S3FileSystem.

    .venv/bin/python bench/s3_clients.py [--mb 50] [--repeat 3]

Starts its own ``weed mini`` on free 127.0.0.1 ports, writes a CSV and a Parquet object of
about ``--mb`` MB each, and times each client on the same operations (median of
``--repeat`` runs, wall seconds). Everything stays on this machine; the server and its
data are removed at the end. The numbers are in docs/backends.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from lakeferry.storage import S3Store, S3Uri
from lakeferry.storage.seaweed import REGION, SeaweedServer

BUCKET = "bench"


def timed(repeat: int, func: Callable[[], Any]) -> float:
    """Median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_files(folder: Path, mb: int) -> tuple[Path, Path]:
    """A CSV and a Parquet file of about ``mb`` MB each (random values, so they don't shrink)."""
    csv, parquet = folder / "data.csv", folder / "data.parquet"
    rows = mb * 1_000_000 // 48  # ~48 bytes a CSV row
    table = (
        "SELECT range AS id, random() AS x, random() * 1000 AS y,"
        " DATE '2020-01-01' + (range % 1000)::INT AS d, md5(range::VARCHAR)[:8] AS s"
        f" FROM range({rows})"
    )
    duckdb.sql(f"COPY ({table}) TO '{csv}' (HEADER)")
    duckdb.sql(
        f"COPY (SELECT *, md5(id::VARCHAR) AS pad FROM ({table})) TO '{parquet}'"
        " (FORMAT parquet, COMPRESSION zstd)"
    )
    return csv, parquet


def run(mb: int, repeat: int) -> list[tuple[str, str, float]]:
    with tempfile.TemporaryDirectory(prefix="lakeferry-bench-") as tmp:
        root = Path(tmp)
        csv, parquet = make_files(root, mb)
        with SeaweedServer(root / "weed") as server:
            return measure(server, root, csv, parquet, repeat)


def measure(
    server: SeaweedServer, root: Path, csv: Path, parquet: Path, repeat: int
) -> list[tuple[str, str, float]]:
    env = server.env()
    store = server.store()
    store.ensure_bucket(BUCKET)
    client = store.client
    arrow = pafs.S3FileSystem(
        access_key=env["AWS_ACCESS_KEY_ID"],
        secret_key=env["AWS_SECRET_ACCESS_KEY"],
        endpoint_override=server.endpoint_url,
        scheme="http",
        region=REGION,
    )
    con = duckdb.connect()
    store.configure_duckdb(con)
    # DuckDB keeps remote bytes in memory between queries; measure cold reads
    con.execute("SET enable_external_file_cache = false")
    csv_uri, pq_uri = S3Uri(BUCKET, "data.csv"), S3Uri(BUCKET, "data.parquet")
    out: list[tuple[str, str, float]] = []

    def note(op: str, client_name: str, func: Callable[[], Any]) -> None:
        seconds = timed(repeat, func)
        out.append((op, client_name, seconds))
        print(f"{op:<38} {client_name:<34} {seconds:8.3f} s", flush=True)

    size = csv.stat().st_size
    print(f"CSV {size / 1e6:.1f} MB, Parquet {parquet.stat().st_size / 1e6:.1f} MB", flush=True)
    # --- upload --------------------------------------------------------------------
    note("upload CSV", "boto3 S3Store.put_file (verified)", lambda: store.put_file(csv, csv_uri))
    note("upload CSV", "boto3 upload_file", lambda: client.upload_file(str(csv), BUCKET, "raw.csv"))

    def arrow_put() -> None:
        with arrow.open_output_stream(f"{BUCKET}/arrow.csv") as dst, csv.open("rb") as src:
            while chunk := src.read(8 << 20):
                dst.write(chunk)

    note("upload CSV", "pyarrow S3FileSystem", arrow_put)
    store.put_file(parquet, pq_uri)
    # --- download whole object -----------------------------------------------------
    note("read CSV object (all bytes)", "boto3 S3Store.open", lambda: _drain(store.open(csv_uri)))
    note(
        "read CSV object (all bytes)",
        "boto3 get_object",
        lambda: client.get_object(Bucket=BUCKET, Key="data.csv")["Body"].read(),
    )
    note(
        "read CSV object (all bytes)",
        "pyarrow S3FileSystem",
        lambda: arrow.open_input_stream(f"{BUCKET}/data.csv").read(),
    )
    note(
        "read CSV object (all bytes)",
        "DuckDB httpfs read_blob",
        lambda: con.execute(
            f"SELECT md5(content) FROM read_blob('s3://{BUCKET}/data.csv')"
        ).fetchall(),
    )
    # --- queries -------------------------------------------------------------------
    csv_sql = "SELECT count(*), sum(y) FROM read_csv('{p}')"
    note(
        "SQL over CSV (count, sum)",
        "DuckDB httpfs in place",
        lambda: con.execute(csv_sql.format(p=f"s3://{BUCKET}/data.csv")).fetchall(),
    )
    note(
        "SQL over CSV (count, sum)",
        "boto3 download + DuckDB local",
        lambda: _download_then(client, "data.csv", root / "dl.csv", con, csv_sql),
    )
    pq_sql = "SELECT count(*), sum(y) FROM read_parquet('{p}')"
    note(
        "SQL over Parquet (count, sum of 1 col)",
        "DuckDB httpfs in place",
        lambda: con.execute(pq_sql.format(p=f"s3://{BUCKET}/data.parquet")).fetchall(),
    )
    note(
        "SQL over Parquet (count, sum of 1 col)",
        "boto3 download + DuckDB local",
        lambda: _download_then(client, "data.parquet", root / "dl.parquet", con, pq_sql),
    )
    note(
        "SQL over Parquet (count, sum of 1 col)",
        "pyarrow S3FileSystem read_table",
        lambda: pq.read_table(f"{BUCKET}/data.parquet", filesystem=arrow, columns=["y"]),
    )
    # --- the crawler's pattern: first MiB and last byte of an object ---------------------
    note(
        "sniff (1 MiB head + last byte) x20",
        "boto3 S3Store.read_range",
        lambda: [_sniff_boto(store, csv_uri, size) for _ in range(20)],
    )
    note(
        "sniff (1 MiB head + last byte) x20",
        "pyarrow S3FileSystem read_at",
        lambda: [_sniff_arrow(arrow, f"{BUCKET}/data.csv", size) for _ in range(20)],
    )
    return out


def _drain(stream: Any) -> None:
    with stream:
        while stream.read(8 << 20):
            pass


def _download_then(client: Any, key: str, local: Path, con: Any, sql: str) -> Any:
    client.download_file(BUCKET, key, str(local))
    try:
        return con.execute(sql.format(p=local)).fetchall()
    finally:
        local.unlink()


def _sniff_boto(store: S3Store, uri: S3Uri, size: int) -> None:
    store.read_range(uri, 0, 1 << 20)
    store.read_range(uri, size - 1, 1)


def _sniff_arrow(arrow: Any, path: str, size: int) -> None:
    with arrow.open_input_file(path) as fh:
        fh.read_at(1 << 20, 0)
        fh.read_at(1, size - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="object size in MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, duckdb {duckdb.__version__}, {os.cpu_count()} cores")
    run(args.mb, args.repeat)


if __name__ == "__main__":
    main()
