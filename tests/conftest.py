"""Shared fixtures: real covid projects on the embedded defaults (real files, real DuckDB)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lakeferry import Project

SMALL_SCALE = 0.1


@pytest.fixture(scope="session")
def covid_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A covid project with its sample data, not yet crawled (built once per session)."""
    root = tmp_path_factory.mktemp("covid-template") / "covid"
    project = Project.init(root, "covid")
    project.sample("covid", project.config.zones.raw, scale=SMALL_SCALE)
    return root


@pytest.fixture
def covid_project(covid_template: Path, tmp_path: Path) -> Project:
    """A fresh copy of the sampled covid project, for a test to change as it likes."""
    root = tmp_path / "covid"
    shutil.copytree(covid_template, root)
    return Project(root)


@pytest.fixture(scope="session")
def covid_done(tmp_path_factory: pytest.TempPathFactory, covid_template: Path) -> Project:
    """A covid project after one whole successful run (shared: do not modify it)."""
    root = tmp_path_factory.mktemp("covid-done") / "covid"
    shutil.copytree(covid_template, root)
    project = Project(root)
    summary = project.run()
    assert summary.status == "succeeded", [s.error for s in summary.steps]
    return project
