"""The ObjectStore contract: what every backend must do, whatever it stores objects in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from lakeferry.errors import InvalidLocation, ObjectNotFound, StorageError
from lakeferry.storage import ObjectStore, S3Uri

from .conftest import BUCKET

Uri = Callable[[str], S3Uri]


def keys(store: ObjectStore, prefix: S3Uri) -> list[str]:
    return [info.key for info in store.list(prefix)]


class TestRoundTrip:
    def test_put_bytes_then_open_and_head(self, store: ObjectStore, uri: Uri) -> None:
        info = store.put_bytes(b"date,cases\n2020-01-21,3\n", uri("raw/us.csv"))
        assert info.size == 24
        assert info.uri == uri("raw/us.csv")
        with store.open(uri("raw/us.csv")) as fh:
            assert fh.read() == b"date,cases\n2020-01-21,3\n"
        head = store.head(uri("raw/us.csv"))
        assert (head.size, head.etag, head.key) == (24, info.etag, "raw/us.csv")

    def test_put_file_copies_the_bytes(self, store: ObjectStore, uri: Uri, tmp_path: Path) -> None:
        src = tmp_path / "in.bin"
        payload = bytes(range(256)) * 1000
        src.write_bytes(payload)
        info = store.put_file(src, uri("bin/in.bin"))
        assert info.size == len(payload)
        with store.open(uri("bin/in.bin")) as fh:
            assert fh.read() == payload

    def test_overwrite_replaces_content_and_changes_etag(
        self, store: ObjectStore, uri: Uri
    ) -> None:
        first = store.put_bytes(b"aaaa", uri("x.txt"))
        second = store.put_bytes(b"bbbb", uri("x.txt"))  # same size, written at once
        with store.open(uri("x.txt")) as fh:
            assert fh.read() == b"bbbb"
        assert second.etag != first.etag
        assert store.head(uri("x.txt")).etag == second.etag

    def test_read_range(self, store: ObjectStore, uri: Uri) -> None:
        store.put_bytes(b"0123456789", uri("r.txt"))
        assert store.read_range(uri("r.txt"), 0, 4) == b"0123"
        assert store.read_range(uri("r.txt"), 7, 10) == b"789"  # fewer at the end
        assert store.read_range(uri("r.txt"), 10, 5) == b""
        assert store.read_range(uri("r.txt"), 3, 0) == b""

    def test_delete(self, store: ObjectStore, uri: Uri) -> None:
        store.put_bytes(b"x", uri("d/one.txt"))
        store.put_bytes(b"y", uri("d/two.txt"))
        store.delete(uri("d/one.txt"))
        assert keys(store, uri("d/")) == ["d/two.txt"]
        with pytest.raises(ObjectNotFound):
            store.head(uri("d/one.txt"))
        store.delete(uri("d/one.txt"))  # absent is fine
        store.delete(uri("never/was.txt"))

    def test_missing_object(self, store: ObjectStore, uri: Uri) -> None:
        with pytest.raises(ObjectNotFound, match=r"no object at s3://contract-bucket/nope\.txt"):
            store.head(uri("nope.txt"))
        with pytest.raises(ObjectNotFound):
            store.open(uri("nope.txt"))
        with pytest.raises(ObjectNotFound):
            store.read_range(uri("nope.txt"), 0, 1)

    def test_a_folder_is_not_an_object(self, store: ObjectStore, uri: Uri) -> None:
        store.put_bytes(b"x", uri("folder/file.txt"))
        with pytest.raises(ObjectNotFound):
            store.head(uri("folder"))
        with pytest.raises(InvalidLocation, match="folder"):
            store.put_bytes(b"x", uri("folder/"))

    def test_empty_object(self, store: ObjectStore, uri: Uri) -> None:
        info = store.put_bytes(b"", uri("empty"))
        assert info.size == 0
        assert keys(store, uri("")) == ["empty"]
        assert store.read_range(uri("empty"), 0, 10) == b""

    @pytest.mark.parametrize(("first", "second"), [("a", "a/b"), ("a/b", "a")])
    def test_key_and_its_prefix_are_both_objects_or_a_storage_error(
        self, store: ObjectStore, uri: Uri, first: str, second: str
    ) -> None:
        # S3 allows objects "a" and "a/b"; a folder-backed store cannot, and must say so.
        store.put_bytes(b"x", uri(first))
        try:
            store.put_bytes(b"y", uri(second))
        except StorageError as exc:
            assert f"s3://{BUCKET}/{second}:" in str(exc)
            assert keys(store, uri("")) == [first]
        else:
            assert keys(store, uri("")) == ["a", "a/b"]

    def test_duckdb_reads_an_object_in_place(self, store: ObjectStore, uri: Uri) -> None:
        import duckdb

        store.put_bytes(b"state,cases\nWA,3\nNY,5\n", uri("q/s.csv"))
        path = store.duckdb_path(uri("q/s.csv"))
        total = duckdb.sql(f"SELECT sum(cases) FROM read_csv('{path}')").fetchone()
        assert total == (8,)


class TestListing:
    KEYS = (
        "a/b/c.csv",
        "a/b.csv",
        "a/bc/d.csv",
        "a-b/x.csv",
        "a/b/z/deep.csv",
        "b.csv",
        "A/upper.csv",
    )

    @pytest.fixture
    def filled(self, store: ObjectStore, uri: Uri) -> ObjectStore:
        for key in self.KEYS:
            store.put_bytes(key.encode(), uri(key))
        return store

    def test_everything_in_key_order(self, filled: ObjectStore, uri: Uri) -> None:
        # byte order, as S3 lists: "-" (0x2d) < "/" (0x2f) < "A" < "a"
        assert keys(filled, uri("")) == sorted(self.KEYS)
        assert keys(filled, uri("")) == [
            "A/upper.csv",
            "a-b/x.csv",
            "a/b.csv",
            "a/b/c.csv",
            "a/b/z/deep.csv",
            "a/bc/d.csv",
            "b.csv",
        ]

    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [
            ("a/b/", ["a/b/c.csv", "a/b/z/deep.csv"]),
            ("a/b", ["a/b.csv", "a/b/c.csv", "a/b/z/deep.csv", "a/bc/d.csv"]),
            ("a/b.", ["a/b.csv"]),
            ("a", ["a-b/x.csv", "a/b.csv", "a/b/c.csv", "a/b/z/deep.csv", "a/bc/d.csv"]),
            ("a/b/c.csv", ["a/b/c.csv"]),
            ("a/b/z", ["a/b/z/deep.csv"]),
            ("zzz/", []),
            ("a/nothing/here/", []),
        ],
    )
    def test_prefix_is_a_string_prefix(
        self, filled: ObjectStore, uri: Uri, prefix: str, expected: list[str]
    ) -> None:
        assert keys(filled, uri(prefix)) == expected

    def test_listing_reports_size_and_etag(self, filled: ObjectStore, uri: Uri) -> None:
        infos = {i.key: i for i in filled.list(uri(""))}
        assert infos["a/b/c.csv"].size == len(b"a/b/c.csv")
        assert infos["a/b/c.csv"].etag == filled.head(uri("a/b/c.csv")).etag
        assert str(infos["b.csv"].uri) == f"s3://{BUCKET}/b.csv"

    def test_unknown_bucket_lists_nothing(self, filled: ObjectStore) -> None:
        assert keys(filled, S3Uri.parse("s3://other-bucket/")) == []

    def test_buckets_are_separate(self, filled: ObjectStore) -> None:
        filled.put_bytes(b"1", S3Uri.parse("s3://other-bucket/a/b/c.csv"))
        assert keys(filled, S3Uri.parse("s3://other-bucket/")) == ["a/b/c.csv"]
        assert "a/b/c.csv" in keys(filled, S3Uri.parse(f"s3://{BUCKET}/a/"))


class TestAtomicWrites:
    def test_no_temporary_object_is_ever_listed(
        self, store: ObjectStore, uri: Uri, tmp_path: Path
    ) -> None:
        big = tmp_path / "big.bin"
        big.write_bytes(b"x" * (8 << 20))
        seen: set[str] = set()
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                for info in store.list(uri("zone/")):
                    seen.add(info.key)
                    assert info.size in (0, 1, 8 << 20), "a partly written object was listed"

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            for _ in range(5):
                store.put_file(big, uri("zone/big.bin"))
                store.put_bytes(b"s", uri("zone/small.txt"))
        finally:
            done.set()
            watcher.join()
        assert seen <= {"zone/big.bin", "zone/small.txt"}
        assert keys(store, uri("")) == ["zone/big.bin", "zone/small.txt"]

    def test_failed_upload_leaves_the_previous_object(
        self, store: ObjectStore, uri: Uri, tmp_path: Path
    ) -> None:
        store.put_bytes(b"good", uri("keep.txt"))
        with pytest.raises(OSError):
            store.put_file(tmp_path / "does-not-exist", uri("keep.txt"))
        with store.open(uri("keep.txt")) as fh:
            assert fh.read() == b"good"
        assert keys(store, uri("")) == ["keep.txt"]


class TestRefusedLocations:
    @pytest.mark.parametrize(
        "key",
        ["../escape.txt", "a/../../escape.txt", "a/./b.txt", "a/..", ".."],
    )
    def test_dot_segments(self, store: ObjectStore, key: str) -> None:
        with pytest.raises(InvalidLocation, match=r"'\.' and '\.\.' segments are refused"):
            S3Uri.parse(f"s3://{BUCKET}/{key}")
        # a hand-built S3Uri does not get past the store either
        with pytest.raises(InvalidLocation):
            store.put_bytes(b"x", S3Uri(BUCKET, "../../escape.txt"))

    def test_hand_built_location_outside_the_root(self, store: ObjectStore) -> None:
        for bad in (S3Uri("..", "x"), S3Uri(BUCKET, "/etc/passwd"), S3Uri(BUCKET, "a/../../x")):
            with pytest.raises(InvalidLocation, match="outside the store"):
                store.put_bytes(b"x", bad)
            with pytest.raises(InvalidLocation):
                store.head(bad)
