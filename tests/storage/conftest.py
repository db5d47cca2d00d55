"""The object-store contract runs against every backend that can start here.

Add a backend by adding its name to ``BACKENDS`` and a branch to ``store``; every test
in ``test_store_contract.py`` then runs against it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lakeferry.storage import ObjectStore, S3Store, S3Uri, open_store
from lakeferry.storage.seaweed import SeaweedServer

BACKENDS = ["local", "seaweedfs"]
BUCKET = "contract-bucket"
OTHER_BUCKET = "other-bucket"  # the contract's second bucket


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """An empty store of each backend."""
    if request.param == "seaweedfs":
        s3: S3Store = request.getfixturevalue("seaweed_store")
        empty_buckets(s3, [BUCKET, OTHER_BUCKET])
        # the contract reads objects through duckdb's default connection
        import duckdb

        s3.configure_duckdb(duckdb.default_connection())
        return s3
    return open_store(request.param, root=tmp_path / "store")


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """A real S3 server (SeaweedFS ``weed mini`` on free ports), one per test process."""
    root = tmp_path_factory.mktemp("seaweed")
    with SeaweedServer(root / "data", log_file=root / "weed.log") as server:
        yield server


@pytest.fixture(scope="session")
def seaweed_store(seaweed: SeaweedServer) -> S3Store:
    """An S3Store on the session's SeaweedFS (a boto3 client costs ~0.1 s: make one)."""
    return seaweed.store()


@pytest.fixture
def seaweed_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> SeaweedServer:
    """The session's SeaweedFS, with its AWS_* variables and LAKEFERRY_STORAGE_URL set."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    return seaweed


def empty_buckets(store: S3Store, buckets: list[str]) -> None:
    """Delete every object in these buckets (the server lives for the whole session)."""
    paginator = store.client.get_paginator("list_objects_v2")
    for bucket in buckets:
        store.ensure_bucket(bucket)
        for page in paginator.paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", ())]
            if keys:
                store.client.delete_objects(Bucket=bucket, Delete={"Objects": keys})


@pytest.fixture
def uri() -> Callable[[str], S3Uri]:
    """``uri("a/b.csv")`` → ``s3://contract-bucket/a/b.csv``."""

    def make(key: str) -> S3Uri:
        return S3Uri.parse(f"s3://{BUCKET}/{key}")

    return make
