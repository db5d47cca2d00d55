"""SQL generated from the model: CREATE TABLE per dialect, ALTER for new columns,
schema diffs against a live table, and the verification queries run after each load.

Every identifier is double-quoted with embedded quotes doubled, and every string is a
properly escaped literal, so no name or description in a model file is ever read as SQL.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .schema import ColumnModel, ForeignKeyModel, Issue, ModelError, TableModel, table_issues
from .types import DIALECTS, POSTGRES, Dialect, classify_change, parse_sql_type

INDENT = "    "


def get_dialect(dialect: str | Dialect) -> Dialect:
    """The :class:`Dialect` called ``dialect``; a typo gets the nearest valid name."""
    if isinstance(dialect, Dialect):
        return dialect
    wanted = dialect.strip().lower()
    for candidate in DIALECTS.values():
        if wanted == candidate.name or wanted in candidate.aliases:
            return candidate
    close = difflib.get_close_matches(wanted, list(DIALECTS), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ModelError(f"unknown dialect {dialect!r}{hint} (expected one of: {', '.join(DIALECTS)})")


def qualified(dialect: Dialect, name: str, schema: str | None = None) -> str:
    """``"schema"."name"``, or ``"name"`` without a schema."""
    quoted = dialect.quote(name)
    return f"{dialect.quote(schema)}.{quoted}" if schema else quoted


# --- CREATE TABLE ----------------------------------------------------------------------


def create_table_sql(
    table: TableModel,
    dialect: str | Dialect,
    *,
    name: str | None = None,
    if_not_exists: bool = True,
    constraints: bool = True,
    schema: str | None = None,
) -> str:
    """``CREATE TABLE`` for ``table`` in ``dialect`` (``duckdb``, ``postgres``, ``redshift``).

    ``name`` overrides the table name (e.g. for a staging copy) and ``schema`` qualifies it
    and the tables its foreign keys reference. ``constraints=False`` leaves out the table
    constraints (primary, unique and foreign keys) — for staging tables that must accept
    any rows so the checks can count the bad ones; NOT NULL stays with the column.
    Whether foreign keys are declared at all is the dialect's choice (see ``types.py``).
    The statement has no trailing semicolon.
    """
    d = get_dialect(dialect)
    _raise_if_invalid(table, d)
    target = qualified(d, name or table.name, schema)
    body = [_column_sql(col, table, d) for col in table.columns]
    if constraints:
        body += _constraint_sql(table, d, schema)
    head = "CREATE TABLE IF NOT EXISTS" if if_not_exists else "CREATE TABLE"
    lines = [f"{head} {target} (", ",\n".join(INDENT + part for part in body), ")"]
    return "\n".join(lines + _table_options(table, d))


def _raise_if_invalid(table: TableModel, d: Dialect) -> None:
    issues = table_issues(table) + _dialect_issues(table, d)
    if issues:
        raise ModelError.from_issues(issues)


def _dialect_issues(table: TableModel, d: Dialect) -> list[Issue]:
    issues = []
    limit = d.max_identifier_bytes
    if limit and len(table.name.encode()) > limit:
        issues.append(table.issue(("table",), f"longer than {d.name}'s {limit}-byte limit"))
    for i, col in enumerate(table.columns):
        if limit and len(col.name.encode()) > limit:
            message = f"column name longer than {d.name}'s {limit}-byte limit"
            issues.append(table.issue(("columns", i, "name"), message))
        length, most = col.logical_type.length, d.max_varchar_length
        if length and most and length > most:
            message = f"{col.type} is longer than {d.name}'s maximum varchar({most})"
            issues.append(table.issue(("columns", i, "type"), message))
    return issues


def _column_sql(col: ColumnModel, table: TableModel, d: Dialect) -> str:
    parts = [d.quote(col.name), d.render_type(col.logical_type)]
    if col.identity and d.identity_clause:
        parts.append(d.identity_clause)
    encoding = table.redshift.encode.get(col.name) if table.redshift else None
    if encoding and d.distribution_options:
        parts.append(f"ENCODE {encoding.lower()}")  # validated against REDSHIFT_ENCODINGS
    if not col.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)


def _columns(d: Dialect, names: list[str], prefix: str = "") -> str:
    return ", ".join(prefix + d.quote(n) for n in names)


def _constraint_sql(table: TableModel, d: Dialect, schema: str | None) -> list[str]:
    parts = [f"PRIMARY KEY ({_columns(d, table.primary_key)})"] if table.primary_key else []
    for key in table.unique_keys():
        if sorted(key) != sorted(table.primary_key):
            parts.append(f"UNIQUE ({_columns(d, key)})")
    if d.declares_foreign_keys:
        parts += [_foreign_key_sql(fk, d, schema) for fk in table.foreign_keys]
    return parts


def _foreign_key_sql(fk: ForeignKeyModel, d: Dialect, schema: str | None) -> str:
    parent = qualified(d, fk.references.table, schema)
    return (
        f"FOREIGN KEY ({_columns(d, fk.columns)}) "
        f"REFERENCES {parent} ({_columns(d, fk.references.columns)}){d.foreign_key_suffix}"
    )


def _table_options(table: TableModel, d: Dialect) -> list[str]:
    options = table.redshift
    if not d.distribution_options or options is None:
        return []
    lines = []
    style = options.diststyle or ("key" if options.distkey else None)
    if style:
        lines.append(f"DISTSTYLE {style.upper()}")
    if options.distkey:
        lines.append(f"DISTKEY ({d.quote(options.distkey)})")
    if options.sortkey:
        kind = "INTERLEAVED " if options.sortkey_style == "interleaved" else ""
        lines.append(f"{kind}SORTKEY ({_columns(d, options.sortkey)})")
    return lines


def comment_sql(
    table: TableModel, dialect: str | Dialect, *, name: str | None = None, schema: str | None = None
) -> list[str]:
    """``COMMENT ON`` statements carrying the table and column descriptions to BI tools."""
    d = get_dialect(dialect)
    target = qualified(d, name or table.name, schema)
    statements = [f"COMMENT ON TABLE {target} IS {d.literal(table.description)}"]
    for col in table.columns:
        column = f"{target}.{d.quote(col.name)}"
        statements.append(f"COMMENT ON COLUMN {column} IS {d.literal(col.description)}")
    return statements


# --- evolving a live table -------------------------------------------------------------


def add_column_sql(
    table: TableModel,
    column: ColumnModel | str,
    dialect: str | Dialect,
    *,
    name: str | None = None,
    schema: str | None = None,
) -> str:
    """``ALTER TABLE … ADD COLUMN`` for a column the model has and the warehouse lacks.

    The column is added nullable and without identity: existing rows have no value for
    it, and Redshift cannot add an identity column to a table.
    """
    d = get_dialect(dialect)
    col = column if isinstance(column, ColumnModel) else _column(table, column)
    parts = [d.quote(col.name), d.render_type(col.logical_type)]
    encoding = table.redshift.encode.get(col.name) if table.redshift else None
    if encoding and d.distribution_options:
        parts.append(f"ENCODE {encoding.lower()}")
    return f"ALTER TABLE {qualified(d, name or table.name, schema)} ADD COLUMN {' '.join(parts)}"


def _column(table: TableModel, name: str) -> ColumnModel:
    try:
        return table.column(name)
    except KeyError:
        raise ModelError(f"no column {name!r} in table {table.name!r}") from None


@dataclass(frozen=True)
class TypeChange:
    """A column whose warehouse type differs from the model's."""

    column: str
    existing_type: str
    model_type: str
    kind: Literal["widening", "narrowing"]


@dataclass(frozen=True)
class SchemaDiff:
    """How a live table differs from the model.

    ``added``: model columns the table lacks (``add_column_sql`` adds them).
    ``dropped``: table columns the model no longer has. ``changed``: type differences;
    a widening keeps every value, a narrowing (or a type lakeferry cannot read) may not.
    """

    added: list[ColumnModel] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    changed: list[TypeChange] = field(default_factory=list)

    @property
    def widening(self) -> list[TypeChange]:
        """Type changes that keep every value."""
        return [c for c in self.changed if c.kind == "widening"]

    @property
    def narrowing(self) -> list[TypeChange]:
        """Type changes that may lose values."""
        return [c for c in self.changed if c.kind == "narrowing"]

    @property
    def is_empty(self) -> bool:
        """True when the table already matches the model."""
        return not (self.added or self.dropped or self.changed)

    @property
    def is_destructive(self) -> bool:
        """True when applying the model would drop columns or narrow a type."""
        return bool(self.dropped or self.narrowing)


def diff_columns(
    model_table: TableModel,
    existing: Mapping[str, str],
    *,
    dialect: str | Dialect | None = None,
) -> SchemaDiff:
    """Compare the model with a live table's ``{column: type as the warehouse reports}``.

    Names match exactly, else case-insensitively (Redshift folds identifiers to lower
    case). A parameter the warehouse does not report (PostgreSQL's information_schema
    ``character varying``) matches any. With ``dialect``, the model type is compared as
    that dialect stores it, so DuckDB's length-free VARCHAR or Redshift's
    VARCHAR(65535) for ``text`` are not reported as changes.
    """
    d = get_dialect(dialect) if dialect is not None else None
    matched = _match_names(model_table.column_names(), list(existing))
    added = [c for c in model_table.columns if c.name not in matched]
    dropped = [n for n in existing if n not in set(matched.values())]
    present = [c for c in model_table.columns if c.name in matched]
    changes = (_change(c, existing[matched[c.name]], d) for c in present)
    return SchemaDiff(added, dropped, [c for c in changes if c is not None])


def _match_names(model_names: list[str], existing: list[str]) -> dict[str, str]:
    matched = {n: n for n in model_names if n in existing}
    folded = {n.lower(): n for n in existing if n not in matched.values()}
    for n in model_names:
        if n not in matched and n.lower() in folded:
            matched[n] = folded.pop(n.lower())
    return matched


def _change(col: ColumnModel, reported: str, d: Dialect | None) -> TypeChange | None:
    old = parse_sql_type(reported)
    new = col.logical_type
    if d is not None:
        new = parse_sql_type(d.render_type(new)) or new
    kind = classify_change(old, new) if old is not None else "narrowing"
    if kind == "same":
        return None
    return TypeChange(col.name, reported, col.type, kind)


# --- verification queries --------------------------------------------------------------


@dataclass(frozen=True)
class CheckQuery:
    """One verification: ``sql_count`` returns one row with ``n`` offending rows or
    groups (0 means it passed); ``sql_sample`` returns up to 5 of them."""

    name: str
    table: str
    sql_count: str
    sql_sample: str


SAMPLE_ROWS = 5
_Q = POSTGRES  # the checks use the SQL that DuckDB and PostgreSQL (and Redshift) share


def check_queries(
    table: TableModel, *, name: str | None = None, schema: str | None = None
) -> list[CheckQuery]:
    """The key checks for ``table``: primary key not null and unique, unique keys, and
    one ``foreign_key:<cols>-><parent>`` check per foreign key.

    Rows with a NULL key are reported by ``primary_key_not_null`` and left out of the
    uniqueness counts. A NULL foreign key value is a failure unless that column is
    nullable in the model (then the row references nothing, as in SQL's MATCH SIMPLE).
    """
    target = qualified(_Q, name or table.name, schema)
    checks: list[CheckQuery] = []
    if table.primary_key:
        checks.append(_not_null_check(table, target))
        checks.append(_unique_check(table, target, "primary_key_unique", table.primary_key))
    for key in table.unique_keys():
        checks.append(_unique_check(table, target, f"unique:{','.join(key)}", key))
    for fk in table.foreign_keys:
        parent_name = name if fk.references.table == table.name and name else None
        parent = qualified(_Q, parent_name or fk.references.table, schema)
        checks.append(_foreign_key_check(table, target, fk, parent))
    return checks


def _not_null_check(table: TableModel, target: str) -> CheckQuery:
    where = " OR ".join(f"{_Q.quote(c)} IS NULL" for c in table.primary_key)
    return CheckQuery(
        "primary_key_not_null",
        table.name,
        f"SELECT COUNT(*) AS n FROM {target} WHERE {where}",
        f"SELECT * FROM {target} WHERE {where} LIMIT {SAMPLE_ROWS}",
    )


def _unique_check(table: TableModel, target: str, check: str, key: list[str]) -> CheckQuery:
    cols = _columns(_Q, key)
    present = " AND ".join(f"{_Q.quote(c)} IS NOT NULL" for c in key)
    groups = f"FROM {target} WHERE {present} GROUP BY {cols} HAVING COUNT(*) > 1"
    return CheckQuery(
        check,
        table.name,
        f"SELECT COUNT(*) AS n FROM (SELECT {cols} {groups}) AS duplicates",
        f"SELECT {cols}, COUNT(*) AS duplicate_rows {groups} "
        f"ORDER BY duplicate_rows DESC, {cols} LIMIT {SAMPLE_ROWS}",
    )


def _foreign_key_check(
    table: TableModel, target: str, fk: ForeignKeyModel, parent: str
) -> CheckQuery:
    where = _orphan_condition(table, fk, parent)
    order = _columns(_Q, fk.columns, prefix="c.")
    return CheckQuery(
        f"foreign_key:{','.join(fk.columns)}->{fk.references.table}",
        table.name,
        f"SELECT COUNT(*) AS n FROM {target} AS c WHERE {where}",
        f"SELECT c.* FROM {target} AS c WHERE {where} ORDER BY {order} LIMIT {SAMPLE_ROWS}",
    )


def _orphan_condition(table: TableModel, fk: ForeignKeyModel, parent: str) -> str:
    """Rows with a required key missing, or a complete key not found in the parent."""
    pairs = list(zip(fk.columns, fk.references.columns, strict=True))
    joins = " AND ".join(f"p.{_Q.quote(pc)} = c.{_Q.quote(cc)}" for cc, pc in pairs)
    complete = [f"c.{_Q.quote(c)} IS NOT NULL" for c in fk.columns]
    unmatched = f"NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {joins})"
    required = [f"c.{_Q.quote(c)} IS NULL" for c in fk.columns if not _nullable(table, c)]
    return " OR ".join([*required, "(" + " AND ".join([*complete, unmatched]) + ")"])


def _nullable(table: TableModel, column: str) -> bool:
    return column in table.column_names() and table.column(column).nullable
