"""Model validation: every error names the file, the key path, the YAML line and what
was expected. Each case mutates one file of a small valid model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lakeferry.model import Model, ModelError, TableModel, load_model

DIM = """\
table: dim
description: A dimension.
columns:
  - name: id
    type: integer
  - name: label
    type: varchar
  - name: code
    type: varchar(3)
    unique: true
primary_key: [id]
"""

FACT = """\
table: fact
description: A fact.
grain: [day, dim_id]
columns:
  - name: day
    type: integer
  - name: dim_id
    type: integer
  - name: amount
    type: bigint
primary_key: [day, dim_id]
foreign_keys:
  - columns: [dim_id]
    references: {table: dim, columns: [id]}
redshift:
  distkey: dim_id
  sortkey: [day]
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    """Write model files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def line_of(text: str, needle: str) -> int:
    """1-based line on which the first occurrence of ``needle`` starts."""
    return text[: text.index(needle)].count("\n") + 1


def test_valid_model_loads(tmp_path: Path) -> None:
    model = load_model(write(tmp_path, {"dim.yml": DIM, "fact.yml": FACT}))
    assert [t.name for t in model.load_order()] == ["dim", "fact"]
    assert model.table("fact").column("day").nullable is False  # key columns are NOT NULL
    assert model.table("dim").unique_keys() == [["code"]]


@dataclass(frozen=True)
class Case:
    """One broken model: which file changes how, and where the error must point."""

    id: str
    file: str
    edit: Callable[[str], str]
    path: str
    needle: str  # text on the line the error must name (after the edit)
    fragment: str


CASES = [
    Case(
        "bad type with suggestion",
        "fact.yml",
        lambda t: t.replace("type: bigint", "type: bigintt"),
        "columns[2].type",
        "bigintt",
        "did you mean 'bigint'?",
    ),
    Case(
        "foreign key to missing table",
        "fact.yml",
        lambda t: t.replace("table: dim,", "table: dims,"),
        "foreign_keys[0].references.table",
        "table: dims",
        "no table 'dims' in the model; did you mean 'dim'?",
    ),
    Case(
        "primary key column missing",
        "fact.yml",
        lambda t: t.replace("primary_key: [day, dim_id]", "primary_key: [day, dim_idd]"),
        "primary_key[1]",
        "primary_key:",
        "no column 'dim_idd' in table 'fact'; did you mean 'dim_id'?",
    ),
    Case(
        "duplicated column",
        "dim.yml",
        lambda t: t.replace("  - name: label", "  - name: id"),
        "columns[1].name",
        "- name: id\n    type: varchar",
        "duplicate column 'id' (first as columns[0])",
    ),
    Case(
        "foreign key to a non-key column",
        "fact.yml",
        lambda t: t.replace("columns: [id]}", "columns: [label]}"),
        "foreign_keys[0].references.columns",
        "columns: [label]",
        "is not a primary or unique key of 'dim'; expected its primary key ['id']",
    ),
    Case(
        "foreign key to a missing parent column",
        "fact.yml",
        lambda t: t.replace("columns: [id]}", "columns: [idd]}"),
        "foreign_keys[0].references.columns[0]",
        "columns: [idd]",
        "no column 'idd' in table 'dim'",
    ),
    Case(
        "foreign key type mismatch",
        "fact.yml",
        lambda t: t.replace("name: dim_id\n    type: integer", "name: dim_id\n    type: date"),
        "foreign_keys[0].columns[0]",
        "  - columns: [dim_id]",
        "type 'date' of 'dim_id' is not compatible with dim.id (integer)",
    ),
    Case(
        "foreign key column missing",
        "fact.yml",
        lambda t: t.replace("  - columns: [dim_id]", "  - columns: [dimid]"),
        "foreign_keys[0].columns[0]",
        "  - columns: [dimid]",
        "no column 'dimid'",
    ),
    Case(
        "grain differs from primary key",
        "fact.yml",
        lambda t: t.replace("grain: [day, dim_id]", "grain: [day]"),
        "grain",
        "grain:",
        "must equal primary_key",
    ),
    Case(
        "distkey column missing",
        "fact.yml",
        lambda t: t.replace("distkey: dim_id", "distkey: dimid"),
        "redshift.distkey",
        "distkey: dimid",
        "no column 'dimid'",
    ),
    Case(
        "sortkey column missing",
        "fact.yml",
        lambda t: t.replace("sortkey: [day]", "sortkey: [dy]"),
        "redshift.sortkey[0]",
        "sortkey:",
        "no column 'dy'",
    ),
    Case(
        "distkey with diststyle all",
        "fact.yml",
        lambda t: t.replace("  distkey: dim_id", "  diststyle: all\n  distkey: dim_id"),
        "redshift.distkey",
        "distkey: dim_id",
        "distkey: needs diststyle key, not 'all'",
    ),
    Case(
        "bad diststyle",
        "fact.yml",
        lambda t: t.replace("  distkey: dim_id", "  diststyle: keyy"),
        "redshift.diststyle",
        "diststyle: keyy",
        "Input should be 'auto', 'even', 'key' or 'all' (got 'keyy')",
    ),
    Case(
        "encoding on a wrong type",
        "fact.yml",
        lambda t: t + "  encode: {amount: text255}\n",
        "redshift.encode.amount",
        "encode:",
        "encoding 'text255' does not apply to type 'bigint'",
    ),
    Case(
        "unknown encoding",
        "fact.yml",
        lambda t: t + "  encode: {amount: zstdd}\n",
        "redshift.encode.amount",
        "encode:",
        "unknown encoding 'zstdd'",
    ),
    Case(
        "unknown key with suggestion",
        "dim.yml",
        lambda t: t.replace("    unique: true", "    uniq: true"),
        "columns[2].uniq",
        "uniq: true",
        "unknown key 'uniq'; did you mean 'unique'?",
    ),
    Case(
        "missing required key",
        "dim.yml",
        lambda t: t.replace("    type: varchar\n", ""),
        "columns[1].type",
        "- name: label",
        "missing required key 'type'",
    ),
    Case(
        "nullable primary key",
        "dim.yml",
        lambda t: t.replace("    type: integer\n", "    type: integer\n    nullable: true\n", 1),
        "columns[0].nullable",
        "nullable: true",
        "a primary key column cannot be nullable",
    ),
    Case(
        "identity on a varchar",
        "dim.yml",
        lambda t: t.replace("    unique: true", "    identity: true"),
        "columns[2].identity",
        "identity: true",
        "identity needs type integer or bigint",
    ),
    Case(
        "wrong value type",
        "dim.yml",
        lambda t: t.replace("primary_key: [id]", "primary_key: id"),
        "primary_key",
        "primary_key: id",
        "Input should be a valid list (got 'id')",
    ),
    Case(
        "YAML boolean as a name",
        "dim.yml",
        lambda t: t.replace("name: label", "name: on"),
        "columns[1].name",
        "name: on",
        "quote the value",
    ),
    Case(
        "duplicate YAML key",
        "dim.yml",
        lambda t: t.replace("description: A dimension.", "description: A.\ndescription: B."),
        "description",
        "description: B.",
        "duplicate key 'description' (first on line 2)",
    ),
    Case(
        "same table in two files",
        "fact.yml",
        lambda t: t.replace("table: fact", "table: dim"),
        "table",
        "table: dim",
        "table 'dim' is also defined in",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validation_error_is_located(tmp_path: Path, case: Case) -> None:
    files = {"dim.yml": DIM, "fact.yml": FACT}
    files[case.file] = case.edit(files[case.file])
    folder = write(tmp_path, files)
    with pytest.raises(ModelError) as info:
        load_model(folder)
    line = line_of(files[case.file], case.needle)
    expected = f"{folder / case.file}:{line}: {case.path}: "
    message = str(info.value)
    assert expected in message, message
    assert case.fragment in message, message
    assert any(i.path == case.path and i.line == line for i in info.value.issues)


CYCLE_A = """\
table: a
columns:
  - {name: id, type: integer}
  - {name: b_id, type: integer}
primary_key: [id]
foreign_keys:
  - columns: [b_id]
    references: {table: b, columns: [id]}
"""

CYCLE_B = (
    CYCLE_A.replace("table: a", "table: b")
    .replace("b_id", "a_id")
    .replace("table: b,", "table: a,")
)


def test_cycle_is_an_error(tmp_path: Path) -> None:
    downstream = CYCLE_A.replace("table: a", "table: c").replace("table: b,", "table: a,")
    folder = write(tmp_path, {"a.yml": CYCLE_A, "b.yml": CYCLE_B, "c.yml": downstream})
    with pytest.raises(ModelError) as info:
        load_model(folder)
    message = str(info.value)
    line = line_of(CYCLE_A, "references:")
    assert f"{folder / 'a.yml'}:{line}: foreign_keys[0].references.table: " in message
    assert f"{folder / 'b.yml'}:{line}: foreign_keys[0].references.table: " in message
    assert "foreign keys form a cycle (a -> b -> a)" in message
    assert "c.yml" not in message  # c depends on the cycle but is not part of it


def test_self_reference_is_allowed(tmp_path: Path) -> None:
    text = CYCLE_A.replace("b_id", "parent_id").replace("table: b,", "table: a,")
    model = load_model(write(tmp_path, {"a.yml": text}))
    assert [t.name for t in model.load_order()] == ["a"]


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    broken = DIM.replace("primary_key: [id]", "primary_key: [id")
    folder = write(tmp_path, {"dim.yml": broken})
    with pytest.raises(ModelError, match=r"dim\.yml:\d+: invalid YAML"):
        load_model(folder)


def test_not_a_mapping(tmp_path: Path) -> None:
    folder = write(tmp_path, {"dim.yml": "- just\n- a list\n"})
    with pytest.raises(ModelError, match=r"dim\.yml:1: expected a mapping"):
        load_model(folder)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model folder not found"):
        load_model(tmp_path / "nope")


def test_all_issues_reported_together(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {
            "dim.yml": DIM.replace("type: integer", "type: intgr"),
            "fact.yml": FACT.replace("type: bigint", "type: bignt"),
        },
    )
    with pytest.raises(ModelError) as info:
        load_model(folder)
    assert [Path(i.file or "").name for i in info.value.issues] == ["dim.yml", "fact.yml"]


def test_model_error_is_a_value_error() -> None:
    assert issubclass(ModelError, ValueError)


def test_unknown_table_suggests(tmp_path: Path) -> None:
    model = load_model(write(tmp_path, {"dim.yml": DIM, "fact.yml": FACT}))
    with pytest.raises(ModelError, match="did you mean 'fact'"):
        model.table("facts")


def test_programmatic_tables_are_validated() -> None:
    table = TableModel.model_validate(
        {"table": "t", "columns": [{"name": "a", "type": "integer"}], "primary_key": ["b"]}
    )
    with pytest.raises(ModelError, match=r"table 't': primary_key\[0\]: no column 'b'"):
        Model([table])
