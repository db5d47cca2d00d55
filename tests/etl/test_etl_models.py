"""SQL models that cannot run fail with a message that names the file, the columns or the
cycle, and the previous output stays in force."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lakeferry import Project
from lakeferry.errors import LakeferryError, TransformError
from lakeferry.etl import read_manifest


def sql_file(project: Project, name: str, sql: str) -> None:
    (project.root / "transforms" / f"{name}.sql").write_text(sql + "\n")


def run_id_of(project: Project) -> str:
    found = read_manifest(project.store, project.processed, "orders_clean")
    assert found is not None
    return str(found["run_id"])


def test_syntax_error_names_the_file_and_line(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    project.transform(run_id="run-good")
    sql_file(project, "orders_clean", "SELECT id, customer, amount\nFROM shop.orders WHERE")
    with pytest.raises(TransformError) as err:
        project.transform(run_id="run-bad")
    text = str(err.value)
    assert "orders_clean.sql" in text
    assert "syntax error" in text.lower() and "line 2" in text
    assert run_id_of(project) == "run-good"


@pytest.mark.parametrize(
    ("select", "missing", "extra"),
    [
        ("SELECT id, customer FROM shop.orders", "['amount']", "none"),
        ("SELECT id, customer, amount, 1 AS bonus FROM shop.orders", "none", "['bonus']"),
    ],
)
def test_output_columns_must_match_the_model(
    tiny_project: Callable[..., Project], select: str, missing: str, extra: str
) -> None:
    project = tiny_project()
    project.transform(run_id="run-good")
    sql_file(project, "orders_clean", select)
    with pytest.raises(TransformError) as err:
        project.transform(run_id="run-bad")
    text = str(err.value)
    assert "model/orders_clean.yml" in text
    assert f"missing: {missing}" in text and f"not in the model: {extra}" in text
    assert run_id_of(project) == "run-good"


def test_unknown_column_names_the_model_file(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    sql_file(project, "orders_clean", "SELECT id, customer, amount, nope FROM shop.orders")
    with pytest.raises(TransformError, match=r"orders_clean\.sql.*\n?.*nope"):
        project.transform()


def test_dependency_cycle_is_reported(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    sql_file(project, "a", "SELECT * FROM b")
    sql_file(project, "b", "SELECT * FROM c")
    sql_file(project, "c", "SELECT * FROM a")
    with pytest.raises(TransformError, match="cycle: a -> b -> c -> a"):
        project.transform()


def test_models_run_in_dependency_order(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    # "big_orders" sorts before its dependency "orders_clean" and reads it by name
    sql_file(project, "big_orders", "SELECT id, amount FROM orders_clean WHERE amount > 300")
    [result] = project.transform()
    assert list(result.outputs) == ["orders_clean", "big_orders"]
    assert result.outputs["big_orders"].rows == 10


def test_unknown_source_table_suggests_the_nearest(tiny_project: Callable[..., Project]) -> None:
    project = tiny_project()
    sql_file(project, "orders_clean", "SELECT id, customer, amount FROM shop.orderz")
    with pytest.raises(LakeferryError, match=r"shop\.orderz[\s\S]*shop\.orders"):
        project.transform()
