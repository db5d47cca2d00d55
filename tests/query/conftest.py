"""Query fixtures: the covid sample crawled once, and DuckDB over the raw files directly.

``covid_lake`` is shared by the module's tests; queries add results and history to it,
so tests look up their own executions by id rather than counting everything.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from lakeferry import Project
from lakeferry.samples.covid import KEYS


@pytest.fixture(scope="session")
def covid_lake(tmp_path_factory: pytest.TempPathFactory, covid_template: Path) -> Project:
    """The sampled covid project, crawled (queries write results and history into it)."""
    root = tmp_path_factory.mktemp("query-covid") / "covid"
    shutil.copytree(covid_template, root)
    project = Project(root)
    project.crawl()
    return project


@pytest.fixture(scope="session")
def raw(covid_lake: Project) -> dict[str, str]:
    """Short name → the raw file behind each object of the sample."""
    bucket = covid_lake.root / "lake" / "covid19-lake"
    return {name: str(bucket / key) for name, key in KEYS.items()}


@pytest.fixture(scope="session")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    """A plain DuckDB connection, for answers computed without lakeferry."""
    con = duckdb.connect()
    yield con
    con.close()
