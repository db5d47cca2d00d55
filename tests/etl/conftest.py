"""ETL fixtures: a copy of the finished covid project, the sample's truths, and a tiny project.

The tiny project is one CSV (``s3://raw/orders/orders.csv``) crawled into ``shop.orders``
and one job with one model, ``orders_clean`` (id, customer, amount), declared in
``model/orders_clean.yml``. The crawler samples only the first rows, so a bad value
placed further down keeps the column's type and must be quarantined by the ETL.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lakeferry import Project
from lakeferry.samples.covid import CovidSampleSummary, generate_covid

SCALE, SEED = 0.1, 7  # as the session's covid projects (tests/conftest.py)

TINY_YML = """\
name: tiny
zones:
  raw: s3://raw/
  processed: s3://processed/out/
  query_results: s3://results/
crawlers:
  - name: raw
    database: shop
    sample_rows: 10
    targets:
      - path: s3://raw/orders/
jobs:
  - name: orders_job
    sql: [transforms/*.sql]
    formats: [csv, parquet]
{job_options}"""

TINY_MODEL = """\
table: orders_clean
grain: [id]
columns:
  - {name: id, type: bigint, nullable: false}
  - {name: customer, type: varchar}
  - {name: amount, type: bigint}
primary_key: [id]
"""

TINY_SQL = "SELECT id, customer, amount FROM shop.orders\n"


def orders_csv(n: int = 40, *, bad: dict[int, str] | None = None) -> str:
    """``n`` orders; ``bad`` maps an order id to the raw text of its amount field."""
    bad = bad or {}
    lines = ["id,customer,amount"]
    for i in range(1, n + 1):
        lines.append(f'{i},"Smith, ""J"" {i}",{bad.get(i, str(i * 10))}')
    return "\n".join(lines) + "\n"


def put_orders(project: Project, text: str) -> None:
    """Replace the raw orders object and recrawl it."""
    local = project.root / "orders.csv"
    local.write_text(text, encoding="utf-8")
    project.ingest(local, "s3://raw/orders/orders.csv")
    project.crawl()


def set_job_options(project: Project, **job_options: object) -> Project:
    """Rewrite the tiny project's job options; returns the project reopened."""
    options = "".join(f"    {k}: {v}\n" for k, v in job_options.items())
    (project.root / "lakeferry.yml").write_text(TINY_YML.format(job_options=options))
    return Project(project.root)


@pytest.fixture
def tiny_project(tmp_path: Path) -> Callable[..., Project]:
    """A factory: ``tiny_project(csv_text, max_quarantine_rows=0, ...)`` → crawled Project."""

    def make(text: str | None = None, **job_options: object) -> Project:
        root = tmp_path / "tiny"
        (root / "model").mkdir(parents=True)
        (root / "transforms").mkdir()
        options = "".join(f"    {k}: {v}\n" for k, v in job_options.items())
        (root / "lakeferry.yml").write_text(TINY_YML.format(job_options=options))
        (root / "model" / "orders_clean.yml").write_text(TINY_MODEL)
        (root / "transforms" / "orders_clean.sql").write_text(TINY_SQL)
        project = Project(root)
        put_orders(project, orders_csv() if text is None else text)
        return project

    return make


@pytest.fixture
def done_copy(covid_done: Project, tmp_path: Path) -> Project:
    """A private copy of the finished covid project (crawled, transformed, loaded)."""
    root = tmp_path / "covid-done"
    shutil.copytree(covid_done.root, root)
    return Project(root)


@pytest.fixture(scope="session")
def covid_truth(tmp_path_factory: pytest.TempPathFactory) -> CovidSampleSummary:
    """The generator's truths for the session's sample (same scale and seed)."""
    return generate_covid(tmp_path_factory.mktemp("covid-truth"), scale=SCALE, seed=SEED)


@pytest.fixture(name="orders_csv")
def orders_csv_fixture() -> Callable[..., str]:
    """``orders_csv(n, bad={id: text})``: the tiny project's raw CSV."""
    return orders_csv


@pytest.fixture(name="put_orders")
def put_orders_fixture() -> Callable[[Project, str], None]:
    """``put_orders(project, text)``: replace the raw orders object and recrawl."""
    return put_orders


@pytest.fixture(name="set_job_options")
def set_job_options_fixture() -> Callable[..., Project]:
    """``set_job_options(project, max_quarantine_rows=0)``: rewrite the job; reopen."""
    return set_job_options
