"""Run fixtures: a private copy of the finished covid project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lakeferry import Project


@pytest.fixture
def done_copy(covid_done: Project, tmp_path: Path) -> Project:
    """A private copy of the finished covid project (crawled, transformed, loaded)."""
    root = tmp_path / "covid-done"
    shutil.copytree(covid_done.root, root)
    return Project(root)
