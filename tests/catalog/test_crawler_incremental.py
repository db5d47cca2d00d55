"""Incremental recrawl: only new or changed objects are read (the test counts reads)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from lakeferry.catalog import SqliteCatalog
from lakeferry.storage import LocalStore, S3Uri

from .conftest import MiniLake

CSV = "id,name,amount\n" + "".join(f"{i},n{i},{i * 1.5}\n" for i in range(1, 30))


class CountingStore:
    """A real LocalStore whose object reads (``read_range``, ``open``) are counted per key."""

    def __init__(self, inner: LocalStore):
        self.inner = inner
        self.reads: Counter[str] = Counter()

    def read_range(self, uri: S3Uri, start: int, length: int) -> bytes:
        self.reads[uri.key] += 1
        return self.inner.read_range(uri, start, length)

    def open(self, uri: S3Uri) -> BinaryIO:
        self.reads[uri.key] += 1
        return self.inner.open(uri)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def counted(tmp_path: Path) -> tuple[MiniLake, CountingStore]:
    store = CountingStore(LocalStore(tmp_path / "lake"))
    lake = MiniLake(store, SqliteCatalog(tmp_path / "catalog.sqlite"))  # type: ignore[arg-type]
    return lake, store


def test_a_new_hive_partition_reads_only_the_new_object(
    counted: tuple[MiniLake, CountingStore],
) -> None:
    lake, store = counted
    for day in ("2024-01-01", "2024-01-02"):
        lake.put(f"sales/dt={day}/part-0.csv", CSV)
    lake.put("other/a.csv", "x,y\n1,2\n")
    assert lake.crawl().tables == {"sales": "created", "other": "created"}
    store.reads.clear()

    lake.put("sales/dt=2024-01-03/part-0.csv", CSV)
    report = lake.crawl()
    assert set(store.reads) == {"sales/dt=2024-01-03/part-0.csv"}
    assert report.tables == {"sales": "unchanged", "other": "unchanged"}
    reused = {o.key: o.reused for o in report.objects}
    assert reused == {
        "sales/dt=2024-01-01/part-0.csv": True,
        "sales/dt=2024-01-02/part-0.csv": True,
        "sales/dt=2024-01-03/part-0.csv": False,
        "other/a.csv": True,
    }
    table = lake.table("sales")
    assert [(c.name, c.type) for c in table.partition_keys] == [("dt", "date")]
    assert [p["values"]["dt"] for p in table.partitions()] == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
    ]


def test_an_unchanged_recrawl_reads_nothing(counted: tuple[MiniLake, CountingStore]) -> None:
    lake, store = counted
    lake.put("a/x.csv", CSV)
    lake.put("b/y.json", '{"k": 1}\n{"k": 2}\n')
    lake.put("c/z.csv", CSV[:-3])  # cut short: its problem is kept, not found again
    first = lake.crawl()
    store.reads.clear()
    second = lake.crawl()
    assert store.reads == Counter()
    assert second.tables == {"a": "unchanged", "b": "unchanged", "c": "unchanged"}
    problems = {o.key: o.problems for o in second.objects}
    assert problems == {o.key: o.problems for o in first.objects}
    assert "cut short" in problems["c/z.csv"][0]


def test_a_changed_object_is_read_again(counted: tuple[MiniLake, CountingStore]) -> None:
    lake, store = counted
    lake.put("t/a.csv", CSV)
    lake.put("t/b.csv", CSV)
    lake.crawl()
    store.reads.clear()
    lake.put("t/b.csv", CSV + "99,n99,1.5\n")  # a new size and ETag
    lake.crawl()
    assert set(store.reads) == {"t/b.csv"}
    assert [o.size for o in lake.table("t").objects] == [len(CSV), len(CSV) + 11]


def test_new_objects_widen_the_schema_without_rereading_old_ones(
    counted: tuple[MiniLake, CountingStore],
) -> None:
    lake, store = counted
    lake.put("t/a.csv", "id,v\n1,10\n2,20\n")
    lake.crawl()
    store.reads.clear()
    lake.put("t/b.csv", "id,v\n3,2.5\n")
    report = lake.crawl()
    assert set(store.reads) == {"t/b.csv"}
    assert report.tables == {"t": "updated"}
    assert report.drift == {"t": ["v: bigint -> double"]}
    assert lake.columns("t") == [("id", "bigint"), ("v", "double")]


def test_a_removed_object_leaves_the_table(counted: tuple[MiniLake, CountingStore]) -> None:
    lake, store = counted
    lake.put("t/a.csv", CSV)
    lake.put("t/b.csv", CSV)
    lake.crawl()
    lake.delete("t/b.csv")
    store.reads.clear()
    lake.crawl()
    assert store.reads == Counter()
    assert [o.key for o in lake.table("t").objects] == ["t/a.csv"]
