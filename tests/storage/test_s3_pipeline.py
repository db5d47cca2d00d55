"""The S3 backend against a real SeaweedFS: multipart, integrity, failures, the whole pipeline.

The object-store contract itself runs against SeaweedFS from ``test_store_contract.py``;
this file covers what only the S3 backend has.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakeferry import Project
from lakeferry.config import storage_from_url
from lakeferry.errors import ConfigError, MissingDependency, StorageError
from lakeferry.storage import S3Store, S3Uri
from lakeferry.storage.s3 import MiB, file_checksum, verify_checksum
from lakeferry.storage.seaweed import SeaweedServer

SCALE = 0.05


def s3_store(server: SeaweedServer, **options: Any) -> S3Store:
    return server.store(**options)


@pytest.fixture
def small_parts(seaweed: SeaweedServer) -> S3Store:
    """Multipart from 5 MiB in 5 MiB parts (S3's smallest part)."""
    return s3_store(seaweed, multipart_threshold=5 * MiB, part_size=5 * MiB)


def random_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


class TestMultipart:
    def test_large_file_round_trips_byte_identically(
        self, small_parts: S3Store, tmp_path: Path
    ) -> None:
        src = random_file(tmp_path / "big.bin", 12 * MiB + 123)
        uri = S3Uri.parse("s3://multipart-test/big.bin")
        sent: list[int] = []
        info = small_parts.put_file(src, uri, progress=sent.append)
        assert info.size == src.stat().st_size
        assert info.etag.endswith("-3"), "12 MiB in 5 MiB parts is a three-part upload"
        assert sum(sent) == info.size
        with small_parts.open(uri) as fh:
            assert fh.read() == src.read_bytes()
        boundary = 5 * MiB - 10  # a range across the first part boundary
        assert (
            small_parts.read_range(uri, boundary, 20) == src.read_bytes()[boundary : boundary + 20]
        )

    def test_below_the_threshold_is_one_put(self, small_parts: S3Store, tmp_path: Path) -> None:
        src = random_file(tmp_path / "small.bin", 5 * MiB - 1)
        info = small_parts.put_file(src, S3Uri.parse("s3://multipart-test/small.bin"))
        assert "-" not in info.etag


class TestIntegrity:
    def test_the_servers_checksum_matches_the_local_one(
        self, small_parts: S3Store, tmp_path: Path
    ) -> None:
        src = random_file(tmp_path / "f.bin", 11 * MiB)
        uri = S3Uri.parse("s3://integrity-test/f.bin")
        small_parts.put_file(src, uri)
        reported = small_parts.client.head_object(
            Bucket=uri.bucket, Key=uri.key, ChecksumMode="ENABLED"
        )["ChecksumSHA256"]
        expected = file_checksum(src, 5 * MiB)
        assert reported == expected and expected.endswith("-3")
        verify_checksum(uri, expected, reported, "sha256")  # no error
        tampered = ("A" if expected[0] != "A" else "B") + expected[1:]
        with pytest.raises(StorageError, match="integrity check failed for s3://integrity-test"):
            verify_checksum(uri, tampered, reported, "sha256")

    def test_a_mismatch_fails_the_upload_and_removes_the_object(
        self, small_parts: S3Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from lakeferry.storage import s3

        src = random_file(tmp_path / "f.bin", 1000)
        uri = S3Uri.parse("s3://integrity-test/tampered.bin")
        # the local digest disagrees with what reached the server, as if bytes changed in flight
        monkeypatch.setattr(s3, "file_checksum", lambda path, part, algorithm="sha256": "AAAA")
        with pytest.raises(StorageError, match="integrity check failed") as caught:
            small_parts.put_file(src, uri)
        assert not caught.value.transient
        assert [i.key for i in small_parts.list(S3Uri.parse("s3://integrity-test/tamp"))] == []


def test_a_stopped_server_is_a_transient_error_naming_the_endpoint(tmp_path: Path) -> None:
    with SeaweedServer(tmp_path / "data") as server:
        store = s3_store(server, max_attempts=2, connect_timeout=1)
        uri = S3Uri.parse("s3://stopped-test/x.csv")
        store.put_bytes(b"a\n", uri)
        secret = server.env()["AWS_SECRET_ACCESS_KEY"]
    start = time.perf_counter()
    with pytest.raises(StorageError) as caught:
        store.head(uri)
    assert time.perf_counter() - start < 10, "retries are bounded"
    error = caught.value
    assert error.transient
    assert server.endpoint_url and server.endpoint_url in str(error)
    assert "s3://stopped-test/x.csv" in str(error)
    chain = [error, error.__cause__]
    assert all(secret not in str(e) and secret not in repr(e) for e in chain)


class TestConfiguration:
    def test_storage_url(self) -> None:
        url = "s3://?endpoint_url=http://127.0.0.1:8333&region=eu-west-1"
        assert storage_from_url(url) == {
            "type": "s3",
            "endpoint_url": "http://127.0.0.1:8333",
            "region": "eu-west-1",
        }
        assert storage_from_url("s3://") == {"type": "s3", "endpoint_url": None, "region": None}
        assert storage_from_url("file://") == {"type": "local"}

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("s3://?endpoint=http://x:1", "did you mean 'endpoint_url'"),
            ("s3://127.0.0.1:8333", "the endpoint goes in the query string"),
            ("127.0.0.1:8333", "no scheme"),
        ],
    )
    def test_bad_storage_url(self, url: str, message: str) -> None:
        with pytest.raises(ConfigError, match=message):
            storage_from_url(url)

    def test_without_boto3_the_error_names_the_pip_install_line(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 → ImportError
        with pytest.raises(MissingDependency) as caught:
            S3Store(endpoint_url="http://127.0.0.1:1")
        assert caught.value.hint == "pip install 'lakeferry[s3]'"

    def test_the_environment_wins_over_the_profile(
        self, seaweed_env: SeaweedServer, tmp_path: Path
    ) -> None:
        project = Project.init(tmp_path / "p", "covid")
        assert isinstance(project.store, S3Store)
        assert project.store.endpoint_url == seaweed_env.endpoint_url
        assert project.store.duckdb_path(S3Uri.parse("s3://b-1/k.csv")) == "s3://b-1/k.csv"
        assert project.store.local_path(S3Uri.parse("s3://b-1/k.csv")) is None


def test_duckdb_reads_parquet_written_to_the_store(seaweed: SeaweedServer, tmp_path: Path) -> None:
    store = s3_store(seaweed)
    local = tmp_path / "t.parquet"
    duckdb.sql(f"COPY (SELECT range AS n FROM range(1000)) TO '{local}' (FORMAT parquet)")
    uri = S3Uri.parse("s3://duckdb-test/t/t.parquet")
    store.put_file(local, uri)
    with duckdb.connect() as con:
        store.configure_duckdb(con)
        total = con.execute(f"SELECT sum(n) FROM read_parquet('{store.duckdb_path(uri)}')")
        assert total.fetchone() == (499500,)
        secrets = con.execute("SELECT name, type FROM duckdb_secrets()").fetchall()
    assert secrets == [("lakeferry_s3", "s3")]


def catalog_snapshot(project: Project) -> dict[str, Any]:
    """Everything the crawl decided, minus etags and timestamps."""
    out = {}
    for t in project.catalog.list_tables():
        data = t.to_dict()
        for key in ("version", "updated_at"):
            data.pop(key)
        for obj in data["objects"]:
            obj.pop("etag")
        out[t.qualified_name] = data
    return out


@pytest.mark.slow
def test_covid_pipeline_through_seaweedfs_matches_the_local_folder(
    seaweed: SeaweedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAKEFERRY_STORAGE_URL", raising=False)
    local = Project.init(tmp_path / "local", "covid")
    local.sample("covid", local.config.zones.raw, scale=SCALE)
    local_run = local.run()
    assert local_run.status == "succeeded", [s.error for s in local_run.steps]

    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    remote = Project.init(tmp_path / "remote", "covid")
    assert isinstance(remote.store, S3Store)
    remote.sample("covid", remote.config.zones.raw, scale=SCALE)
    remote_run = remote.run()
    assert remote_run.status == "succeeded", [s.error for s in remote_run.steps]

    assert not (remote.root / "lake").exists(), "nothing may land in a local folder"
    assert catalog_snapshot(remote) == catalog_snapshot(local)
    numbers = ("step", "status", "rows_in", "rows_out", "set_aside", "bytes")
    steps = [[{k: r[k] for k in numbers} for r in run.rows()] for run in (local_run, remote_run)]
    assert steps[0] == steps[1]
    processed = S3Uri.parse(remote.config.zones.processed)
    assert any(i.key.endswith("_manifest.json") for i in remote.store.list(processed))


def test_cli_s3_serve_starts_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    from lakeferry.storage.seaweed import free_ports

    port = free_ports(1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAKEFERRY_"))}
    cmd = [sys.executable, "-m", "lakeferry", "s3", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Ctrl-C stops"):
            break
    text = "".join(lines)
    assert f"SeaweedFS serves S3 on http://127.0.0.1:{port}" in text, text
    assert f"LAKEFERRY_STORAGE_URL='s3://?endpoint_url=http://127.0.0.1:{port}" in text
    assert "export AWS_SECRET_ACCESS_KEY=" in text
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, text + rest
    assert "SeaweedFS stopped" in rest
    assert not running_with(f"-dir={tmp_path / 'data'}"), "the weed process is gone"


def running_with(argument: str) -> bool:
    """Is a process running with this command-line argument?"""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if argument.encode() in cmdline.read_bytes().split(b"\0"):
                return True
        except OSError:
            continue
    return False
