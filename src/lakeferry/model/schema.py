"""The relational model: one table per ``model/*.yml`` file, validated as a whole.

Structure (keys, types of values) is checked by pydantic; meaning (keys name existing
columns, foreign keys point at a primary or unique key of a compatible type, no cycles)
by the functions below. Every problem becomes an :class:`Issue` located by file, key
path (``columns[2].type``) and YAML line, and all of them are raised together as one
:class:`ModelError`.
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import ConfigError
from .types import LogicalType, encoding_problem, parse_type, to_arrow

Loc = tuple[str | int, ...]


class ModelError(ConfigError, ValueError):
    """The model is invalid; ``issues`` lists every problem found, each located."""

    def __init__(self, message: str, *, issues: Iterable[Issue] = ()):
        super().__init__(message)
        self.issues: list[Issue] = list(issues)

    @classmethod
    def from_issues(cls, issues: Iterable[Issue]) -> ModelError:
        """One error whose message has a line per issue."""
        found = sorted(issues, key=lambda i: (i.file or "", i.line or 0, i.path))
        return cls("\n".join(str(i) for i in found), issues=found)


@dataclass(frozen=True)
class Issue:
    """One problem: where (file, line, key path) and what was expected."""

    file: str | None
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "model")
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def format_loc(loc: Loc) -> str:
    """``('columns', 2, 'type')`` → ``columns[2].type``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class SourceMap:
    """The file a table came from and the YAML line of every key path in it."""

    file: str
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest enclosing key that exists."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None


# --- the pydantic models ---------------------------------------------------------------


class ColumnModel(BaseModel):
    """One column: name, logical type (canonical spelling), nullability, description."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    type: str
    nullable: bool = True
    description: str = ""
    identity: bool = False
    unique: bool = False

    @field_validator("name")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        if "\x00" in value or not value.strip():
            raise ValueError("a column name must be non-blank and contain no NUL character")
        return value

    @field_validator("type")
    @classmethod
    def _canonical_type(cls, value: str) -> str:
        return str(parse_type(value))

    @property
    def logical_type(self) -> LogicalType:
        """The parsed logical type."""
        return parse_type(self.type)


class ReferenceModel(BaseModel):
    """The parent side of a foreign key."""

    model_config = ConfigDict(extra="forbid")

    table: str = Field(min_length=1)
    columns: list[str] = Field(min_length=1)


class ForeignKeyModel(BaseModel):
    """``columns`` of this table reference ``references.columns`` of another."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(min_length=1)
    references: ReferenceModel


class RedshiftOptions(BaseModel):
    """Redshift physical design: distribution, sort key and column encodings."""

    model_config = ConfigDict(extra="forbid")

    diststyle: Literal["auto", "even", "key", "all"] | None = None
    distkey: str | None = None
    sortkey: list[str] = Field(default_factory=list)
    sortkey_style: Literal["compound", "interleaved"] = "compound"
    encode: dict[str, str] = Field(default_factory=dict)


class TableModel(BaseModel):
    """One warehouse table. In YAML the name is the ``table`` key."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(alias="table", min_length=1)
    description: str = ""
    grain: list[str] | None = None
    columns: list[ColumnModel] = Field(min_length=1)
    primary_key: list[str] = Field(default_factory=list)
    unique: list[list[str]] = Field(default_factory=list)
    foreign_keys: list[ForeignKeyModel] = Field(default_factory=list)
    redshift: RedshiftOptions | None = None
    _source: SourceMap | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _keys_are_not_null(self) -> TableModel:
        # Key and identity columns are NOT NULL whether or not the file says so; an explicit
        # ``nullable: true`` on one is kept so that ``table_issues`` can report it.
        for col in self.columns:
            keyed = col.name in self.primary_key or col.identity
            if keyed and "nullable" not in col.model_fields_set:
                col.nullable = False
        return self

    def column_names(self) -> list[str]:
        """Column names in declared order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnModel:
        """The column called ``name``; ``KeyError`` if there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def unique_keys(self) -> list[list[str]]:
        """Every declared unique key: the table-level ones and ``unique: true`` columns."""
        return [*self.unique, *([c.name] for c in self.columns if c.unique)]

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of the table: logical types mapped, nullability kept."""
        fields = [
            pa.field(c.name, to_arrow(c.logical_type), nullable=c.nullable) for c in self.columns
        ]
        return pa.schema(fields)

    @property
    def source_file(self) -> str | None:
        """The model file this table was read from, if any."""
        return self._source.file if self._source else None

    def issue(self, loc: Loc, message: str) -> Issue:
        """An :class:`Issue` at ``loc`` in this table's file."""
        source = self._source
        file = source.file if source else f"table {self.name!r}"
        return Issue(file, source.line(loc) if source else None, format_loc(loc), message)


# --- the whole model -------------------------------------------------------------------


class Model:
    """Every table of the model, by name, validated across tables on construction."""

    def __init__(self, tables: Iterable[TableModel]):
        listed = list(tables)
        issues = _duplicate_tables(listed)
        self.tables: dict[str, TableModel] = {t.name: t for t in listed}
        issues += [i for t in listed for i in table_issues(t)]
        issues += [i for t in listed for i in _foreign_key_issues(t, self.tables)]
        if not issues:
            issues = _cycle_issues(self.tables)
        if issues:
            raise ModelError.from_issues(issues)

    def __iter__(self) -> Iterator[TableModel]:
        return iter(self.tables.values())

    def table(self, name: str) -> TableModel:
        """The table called ``name``; an unknown name gets the nearest suggestion."""
        if name in self.tables:
            return self.tables[name]
        close = difflib.get_close_matches(name, list(self.tables), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelError(f"no table {name!r} in the model{hint} (tables: {', '.join(self.tables)})")

    def load_order(self) -> list[TableModel]:
        """Tables with referenced ones first (dimensions before facts), ties by name."""
        order, _ = _topological(self.tables)
        return [self.tables[name] for name in order]


def _parents(table: TableModel, tables: dict[str, TableModel]) -> set[str]:
    # A self-reference (e.g. a parent-child hierarchy) does not constrain the load order.
    return {fk.references.table for fk in table.foreign_keys} & set(tables) - {table.name}


def _topological(tables: dict[str, TableModel]) -> tuple[list[str], set[str]]:
    """Kahn's algorithm; returns the order and the tables left over by a cycle."""
    waiting = {name: _parents(t, tables) for name, t in tables.items()}
    ready = [name for name, parents in waiting.items() if not parents]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for child, parents in waiting.items():
            if name in parents:
                parents.discard(name)
                if not parents:
                    heapq.heappush(ready, child)
    return order, set(tables) - set(order)


def _cycle_issues(tables: dict[str, TableModel]) -> list[Issue]:
    _, stuck = _topological(tables)
    if not stuck:
        return []
    cycle = _find_cycle(tables, stuck)
    text = " -> ".join([*cycle, cycle[0]])
    message = f"foreign keys form a cycle ({text}); no table can be loaded first"
    return [
        tables[child].issue(("foreign_keys", i, "references", "table"), message)
        for child, parent in zip(cycle, [*cycle[1:], cycle[0]], strict=True)
        for i, fk in enumerate(tables[child].foreign_keys)
        if fk.references.table == parent
    ]


def _find_cycle(tables: dict[str, TableModel], stuck: set[str]) -> list[str]:
    """Walk from a stuck table to a stuck parent until a table repeats."""
    node, path = min(stuck), []
    while node not in path:
        path.append(node)
        node = min(_parents(tables[node], tables) & stuck)
    return path[path.index(node) :]


def _duplicate_tables(tables: list[TableModel]) -> list[Issue]:
    seen: dict[str, TableModel] = {}
    issues = []
    for table in tables:
        if table.name in seen:
            message = f"table {table.name!r} is also defined in {seen[table.name].source_file}"
            issues.append(table.issue(("table",), message))
        seen.setdefault(table.name, table)
    return issues


# --- meaning within one table ----------------------------------------------------------


def table_issues(table: TableModel) -> list[Issue]:
    """Problems inside one table: duplicate columns, keys naming missing columns, …."""
    issues = _duplicate_columns(table)
    names = set(table.column_names())
    issues += _missing(table, ("primary_key",), table.primary_key, names)
    issues += _missing(table, ("grain",), table.grain or [], names)
    for i, key in enumerate(table.unique):
        issues += _missing(table, ("unique", i), key, names)
    for i, fk in enumerate(table.foreign_keys):
        issues += _missing(table, ("foreign_keys", i, "columns"), fk.columns, names)
    issues += _primary_key_issues(table)
    issues += _identity_issues(table)
    return issues + _redshift_issues(table, names)


def _duplicate_columns(table: TableModel) -> list[Issue]:
    first: dict[str, int] = {}
    issues = []
    for i, col in enumerate(table.columns):
        if col.name in first:
            message = f"duplicate column {col.name!r} (first as columns[{first[col.name]}])"
            issues.append(table.issue(("columns", i, "name"), message))
        first.setdefault(col.name, i)
    return issues


def _missing(table: TableModel, loc: Loc, wanted: list[str], names: set[str]) -> list[Issue]:
    return [
        table.issue((*loc, i), _no_column(table, name))
        for i, name in enumerate(wanted)
        if name not in names
    ]


def _no_column(table: TableModel, name: str) -> str:
    close = difflib.get_close_matches(name, table.column_names(), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no column {name!r} in table {table.name!r}{hint}"


def _primary_key_issues(table: TableModel) -> list[Issue]:
    issues = []
    if table.grain is not None and table.primary_key and table.grain != table.primary_key:
        message = f"grain {table.grain} must equal primary_key {table.primary_key}"
        issues.append(table.issue(("grain",), message))
    if len(set(table.primary_key)) != len(table.primary_key):
        issues.append(table.issue(("primary_key",), "a primary key column is listed twice"))
    for i, col in enumerate(table.columns):
        if col.name in table.primary_key and col.nullable:
            message = "a primary key column cannot be nullable"
            issues.append(table.issue(("columns", i, "nullable"), message))
    return issues


def _identity_issues(table: TableModel) -> list[Issue]:
    issues = []
    for i, col in enumerate(table.columns):
        if col.identity and col.logical_type.base not in ("integer", "bigint"):
            message = f"identity needs type integer or bigint, not {col.type!r}"
            issues.append(table.issue(("columns", i, "identity"), message))
        elif col.identity and col.nullable:
            message = "an identity column cannot be nullable"
            issues.append(table.issue(("columns", i, "nullable"), message))
    return issues


def _redshift_issues(table: TableModel, names: set[str]) -> list[Issue]:
    options = table.redshift
    if options is None:
        return []
    issues = _missing(table, ("redshift", "sortkey"), options.sortkey, names)
    key, style = options.distkey, options.diststyle
    rules = [  # (broken?, key, what was expected)
        (key is not None and key not in names, "distkey", _no_column(table, key or "")),
        (
            key is not None and style not in (None, "key"),
            "distkey",
            f"needs diststyle key, not {style!r}",
        ),
        (style == "key" and key is None, "diststyle", "diststyle key needs a distkey column"),
        (
            options.sortkey_style == "interleaved" and len(options.sortkey) > 8,
            "sortkey",
            "at most 8 columns when interleaved",
        ),
    ]
    issues += [table.issue(("redshift", at), message) for broken, at, message in rules if broken]
    return issues + _encode_issues(table, options.encode, names)


def _encode_issues(table: TableModel, encode: dict[str, str], names: set[str]) -> list[Issue]:
    issues = []
    for column, encoding in encode.items():
        loc: Loc = ("redshift", "encode", column)
        if column not in names:
            issues.append(table.issue(loc, _no_column(table, column)))
        elif problem := encoding_problem(encoding, table.column(column).logical_type):
            issues.append(table.issue(loc, problem))
    return issues


# --- meaning across tables -------------------------------------------------------------


def _foreign_key_issues(table: TableModel, tables: dict[str, TableModel]) -> list[Issue]:
    issues = []
    for i, fk in enumerate(table.foreign_keys):
        loc: Loc = ("foreign_keys", i, "references")
        parent = tables.get(fk.references.table)
        if parent is None:
            issues.append(table.issue((*loc, "table"), _no_table(fk.references.table, tables)))
        elif len(fk.columns) != len(fk.references.columns):
            count = f"{len(fk.columns)} column(s) cannot reference {len(fk.references.columns)}"
            issues.append(table.issue((*loc, "columns"), count))
        else:
            issues += _reference_issues(table, i, fk, parent)
    return issues


def _no_table(name: str, tables: dict[str, TableModel]) -> str:
    close = difflib.get_close_matches(name, list(tables), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"no table {name!r} in the model{hint}"


def _reference_issues(
    table: TableModel, i: int, fk: ForeignKeyModel, parent: TableModel
) -> list[Issue]:
    loc: Loc = ("foreign_keys", i, "references", "columns")
    wanted = fk.references.columns
    missing = [j for j, name in enumerate(wanted) if name not in parent.column_names()]
    if missing:
        return [table.issue((*loc, j), _no_column(parent, wanted[j])) for j in missing]
    if sorted(wanted) not in [sorted(k) for k in [parent.primary_key, *parent.unique_keys()]]:
        expected = f"its primary key {parent.primary_key}" if parent.primary_key else "a unique key"
        message = f"{wanted} is not a primary or unique key of {parent.name!r}; expected {expected}"
        return [table.issue(loc, message)]
    return _type_issues(table, i, fk, parent)


def _type_issues(table: TableModel, i: int, fk: ForeignKeyModel, parent: TableModel) -> list[Issue]:
    issues = []
    pairs = zip(fk.columns, fk.references.columns, strict=True)
    for j, (child_name, parent_name) in enumerate(pairs):
        if child_name not in table.column_names():
            continue  # already reported as a missing column
        child, parent_type = table.column(child_name), parent.column(parent_name).logical_type
        if child.logical_type.family != parent_type.family:
            target = f"{parent.name}.{parent_name} ({parent_type})"
            message = f"type {child.type!r} of {child_name!r} is not compatible with {target}"
            issues.append(table.issue(("foreign_keys", i, "columns", j), message))
    return issues


# --- reading the files -----------------------------------------------------------------


def load_model(model_dir: Path) -> Model:
    """Read and validate every ``*.yml`` / ``*.yaml`` in ``model_dir`` (sorted by name)."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ModelError(f"{model_dir}: model folder not found")
    files = sorted([*model_dir.glob("*.yml"), *model_dir.glob("*.yaml")])
    tables: list[TableModel] = []
    issues: list[Issue] = []
    for path in files:
        table, found = read_table_file(path)
        issues += found
        if table is not None:
            tables.append(table)
    if issues:
        raise ModelError.from_issues(issues)
    return Model(tables)


def read_table_file(path: Path) -> tuple[TableModel | None, list[Issue]]:
    """One model file → its table (``None`` if unusable) and the structural issues found."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue(file, None, "", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Issue(file, mark.line + 1 if mark else None, "", f"invalid YAML: {exc}")]
    source = SourceMap(file)
    issues = _map_lines(node, (), source) if node is not None else []
    if not isinstance(data, dict):
        return None, [*issues, Issue(file, 1, "", "expected a mapping with keys table, columns, …")]
    try:
        table = TableModel.model_validate(data)
    except ValidationError as exc:
        return None, issues + [_pydantic_issue(err, source) for err in exc.errors()]
    table._source = source
    return (None if issues else table), issues


def _map_lines(node: yaml.Node, loc: Loc, source: SourceMap) -> list[Issue]:
    """Record the line of every key path under ``node``; report duplicate keys."""
    source.lines.setdefault(loc, node.start_mark.line + 1)
    issues: list[Issue] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*loc, key.value)
            if child in source.lines:
                message = f"duplicate key {key.value!r} (first on line {source.lines[child]})"
                line = key.start_mark.line + 1
                issues.append(Issue(source.file, line, format_loc(child), message))
                continue
            source.lines[child] = key.start_mark.line + 1
            issues += _map_lines(value, child, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            issues += _map_lines(item, (*loc, i), source)
    return issues


_KEYS: dict[tuple[str, ...], type[BaseModel]] = {
    (): TableModel,
    ("columns",): ColumnModel,
    ("foreign_keys",): ForeignKeyModel,
    ("foreign_keys", "references"): ReferenceModel,
    ("redshift",): RedshiftOptions,
}


def _pydantic_issue(err: Any, source: SourceMap) -> Issue:
    loc: Loc = tuple(err["loc"])
    return Issue(source.file, source.line(loc), format_loc(loc), _pydantic_message(err, loc))


def _pydantic_message(err: Any, loc: Loc) -> str:
    kind, last = err["type"], loc[-1] if loc else ""
    if kind == "missing":
        return f"missing required key {last!r}"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "value_error":
        return str(err["ctx"]["error"])
    message = f"{err['msg']} (got {_short(err.get('input'))})"
    if kind == "string_type" and isinstance(err.get("input"), bool):
        message += "; YAML reads yes/no/on/off/true/false as booleans, quote the value"
    return message


def _unknown_key(loc: Loc) -> str:
    owner = _KEYS.get(tuple(p for p in loc[:-1] if isinstance(p, str)))
    valid = [f.alias or n for n, f in owner.model_fields.items()] if owner else []
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {loc[-1]!r}{hint} (valid keys: {', '.join(valid)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
