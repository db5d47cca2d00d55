"""Catalog fixtures: a tiny lake of hand-made objects, and the covid sample crawled once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lakeferry import Project
from lakeferry.catalog import SqliteCatalog
from lakeferry.catalog.crawler import CrawlReport, crawl
from lakeferry.config import CrawlTarget
from lakeferry.storage import LocalStore, S3Uri

BUCKET = "test-lake"


@dataclass
class MiniLake:
    """A local store and a catalog in tmp_path, with helpers to write objects and crawl."""

    store: LocalStore
    catalog: SqliteCatalog

    def put(self, key: str, data: bytes | str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        self.store.put_bytes(raw, S3Uri.parse(f"s3://{BUCKET}/{key}"))

    def delete(self, key: str) -> None:
        self.store.delete(S3Uri.parse(f"s3://{BUCKET}/{key}"))

    def crawl(self, prefix: str = "", database: str = "db", **target: Any) -> CrawlReport:
        targets = [CrawlTarget(path=f"s3://{BUCKET}/{prefix}", **target)]
        return crawl(self.store, self.catalog, database=database, targets=targets)

    def table(self, name: str, database: str = "db") -> Any:
        return self.catalog.get_table(database, name)

    def columns(self, name: str) -> list[tuple[str, str]]:
        return [(c.name, c.type) for c in self.table(name).columns]


@pytest.fixture
def lake(tmp_path: Path) -> MiniLake:
    """An empty lake and catalog."""
    return MiniLake(LocalStore(tmp_path / "lake"), SqliteCatalog(tmp_path / "catalog.sqlite"))


@pytest.fixture(scope="session")
def covid_crawl(
    tmp_path_factory: pytest.TempPathFactory, covid_template: Path
) -> tuple[Project, list[CrawlReport]]:
    """The covid sample after one crawl of the project's crawlers (shared: do not modify)."""
    root = tmp_path_factory.mktemp("catalog-covid") / "covid"
    shutil.copytree(covid_template, root)
    project = Project(root)
    return project, project.crawl()
