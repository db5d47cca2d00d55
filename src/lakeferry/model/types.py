"""Logical column types, their Arrow mapping, and each warehouse dialect as data.

A model file names *logical* types (``integer``, ``varchar(5)``, ``decimal(12,2)``).
This module parses them, maps them to Arrow, renders them per warehouse
:class:`Dialect`, reads back the type names warehouses report, and classifies a type
change as widening (safe) or narrowing (destructive).

Dialect differences live in the three :class:`Dialect` values at the bottom — type maps
and capability flags — so the DDL code never asks "is this Redshift?".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

import pyarrow as pa

# The names a model file may use, in the order error messages list them.
LOGICAL_TYPES: tuple[str, ...] = (
    "boolean",
    "smallint",
    "integer",
    "bigint",
    "double",
    "real",
    "decimal(p,s)",
    "varchar(n)",
    "varchar",
    "text",
    "date",
    "timestamp",
    "timestamptz",
)

# Names people type from habit, and the logical type they mean.
_HABITS: Mapping[str, str] = {
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "long": "bigint",
    "bool": "boolean",
    "float": "double",
    "float8": "double",
    "float4": "real",
    "double precision": "double",
    "numeric": "decimal(p,s)",
    "string": "varchar",
    "str": "varchar",
    "char": "varchar(n)",
    "datetime": "timestamp",
}

_BASES = frozenset(t.split("(")[0] for t in LOGICAL_TYPES)
_TYPE_RE = re.compile(r"^\s*([a-z][a-z0-9_ ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$", re.I)
MAX_DECIMAL_PRECISION = 38  # Arrow decimal128, DuckDB and Redshift all stop at 38

Family = Literal["boolean", "integer", "float", "decimal", "string", "date", "timestamp"]
_FAMILIES: Mapping[str, Family] = {
    "boolean": "boolean",
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "double": "float",
    "real": "float",
    "decimal": "decimal",
    "varchar": "string",
    "text": "string",
    "date": "date",
    "timestamp": "timestamp",
    "timestamptz": "timestamp",
}
_INT_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}


@dataclass(frozen=True)
class LogicalType:
    """A parsed logical type: ``base`` plus ``length`` (varchar) or precision/scale."""

    base: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None

    def __str__(self) -> str:
        if self.length is not None:
            return f"{self.base}({self.length})"
        if self.precision is not None:
            return f"{self.base}({self.precision},{self.scale or 0})"
        return self.base

    @property
    def family(self) -> Family:
        """The comparison family: integer types compare with each other, and so on."""
        return _FAMILIES[self.base]


def suggest_type(text: str) -> str | None:
    """The logical type nearest to ``text`` (a habit like ``int``, else by spelling)."""
    word = text.strip().lower().split("(")[0].strip()
    if word in _HABITS:
        return _HABITS[word]
    close = difflib.get_close_matches(word, [t.split("(")[0] for t in LOGICAL_TYPES], n=1)
    return next((t for t in LOGICAL_TYPES if close and t.split("(")[0] == close[0]), None)


@lru_cache(maxsize=1024)
def parse_type(text: str) -> LogicalType:
    """Parse a logical type name; raise ``ValueError`` naming the valid types otherwise."""
    match = _TYPE_RE.match(text) if isinstance(text, str) else None
    base = " ".join(match.group(1).lower().split()) if match else None
    if match is None or base not in _BASES:
        raise ValueError(_unknown_type_message(text))
    first = int(match.group(2)) if match.group(2) is not None else None
    second = int(match.group(3)) if match.group(3) is not None else None
    return _with_params(base, first, second, text)


def _unknown_type_message(text: object) -> str:
    hint = suggest_type(text) if isinstance(text, str) else None
    guess = f"; did you mean {hint!r}?" if hint else ""
    return f"unknown type {text!r}{guess} (valid types: {', '.join(LOGICAL_TYPES)})"


def _with_params(base: str, first: int | None, second: int | None, text: str) -> LogicalType:
    if base == "decimal":
        return _decimal(first, second, text)
    if second is not None or (first is not None and base != "varchar"):
        raise ValueError(f"type {base!r} takes no parameters (got {text!r})")
    if first is not None and first < 1:
        raise ValueError(f"varchar length must be at least 1 (got {text!r})")
    return LogicalType(base, length=first)


def _decimal(precision: int | None, scale: int | None, text: str) -> LogicalType:
    if precision is None:
        raise ValueError(
            f"decimal needs a precision and scale, e.g. 'decimal(12,2)' (got {text!r})"
        )
    scale = scale or 0
    if not 1 <= precision <= MAX_DECIMAL_PRECISION or scale > precision:
        raise ValueError(
            f"decimal(p,s) needs 1 <= p <= {MAX_DECIMAL_PRECISION} and 0 <= s <= p (got {text!r})"
        )
    return LogicalType("decimal", precision=precision, scale=scale)


def to_arrow(logical: LogicalType) -> pa.DataType:
    """The Arrow type a column of this logical type is read and written as."""
    if logical.base == "decimal":
        return pa.decimal128(logical.precision or MAX_DECIMAL_PRECISION, logical.scale or 0)
    return _ARROW[logical.base]


_ARROW: Mapping[str, pa.DataType] = {
    "boolean": pa.bool_(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "real": pa.float32(),
    "varchar": pa.string(),
    "text": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
}

# --- reading back what a warehouse reports (information_schema, DESCRIBE, format_type) ---

_REPORTED: Mapping[str, str] = {
    "bool": "boolean",
    "boolean": "boolean",
    "smallint": "smallint",
    "int2": "smallint",
    "int16": "smallint",
    "short": "smallint",
    "integer": "integer",
    "int": "integer",
    "int4": "integer",
    "int32": "integer",
    "signed": "integer",
    "bigint": "bigint",
    "int8": "bigint",
    "int64": "bigint",
    "long": "bigint",
    "double": "double",
    "double precision": "double",
    "float8": "double",
    "float64": "double",
    "real": "real",
    "float4": "real",
    "float": "real",  # DuckDB reports REAL as FLOAT
    "decimal": "decimal",
    "numeric": "decimal",
    "varchar": "varchar",
    "character varying": "varchar",
    "nvarchar": "varchar",
    "char": "varchar",
    "character": "varchar",
    "bpchar": "varchar",
    "string": "varchar",
    "text": "text",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "datetime": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
}


def parse_sql_type(text: str) -> LogicalType | None:
    """Read a type name a warehouse reports (``character varying(5)``, ``DOUBLE``…).

    Parameters the warehouse did not report stay ``None`` (unknown), which
    :func:`classify_change` treats as matching any parameters. ``None`` is returned for a
    type with no logical equivalent.
    """
    cleaned = re.sub(r"(timestamp|time)\s*\(\s*\d+\s*\)", r"\1", text.strip().lower())
    match = _TYPE_RE.match(cleaned)
    base = _REPORTED.get(" ".join(match.group(1).split())) if match else None
    if match is None or base is None:
        return None
    first = int(match.group(2)) if match.group(2) else None
    second = int(match.group(3)) if match.group(3) else None
    if base == "decimal":
        return LogicalType(base, precision=first, scale=second if first is not None else None)
    return LogicalType(base, length=first if base == "varchar" else None)


Change = Literal["same", "widening", "narrowing"]


def classify_change(old: LogicalType, new: LogicalType) -> Change:
    """Whether changing a column from ``old`` to ``new`` keeps every value (widening)."""
    if _same(old, new):
        return "same"
    return "widening" if _widens(old, new) else "narrowing"


def _same(old: LogicalType, new: LogicalType) -> bool:
    if old.family != new.family:
        return False
    if old.family == "string":
        # An unreported length matches any; varchar without length is text.
        return old.length is None or old.length == new.length
    if old.family == "decimal":
        return old.precision is None or (old.precision, old.scale) == (new.precision, new.scale)
    return old.base == new.base


def _widens(old: LogicalType, new: LogicalType) -> bool:
    if old.family == new.family == "string":
        return new.length is None or (old.length is not None and new.length >= old.length)
    if old.family == "integer":
        return _integer_fits(old.base, new)
    if old.family == "decimal" and new.family == "decimal":
        return _decimal_fits(old, new)
    return (old.base, new.base) in _LOSSLESS


def _integer_fits(base: str, new: LogicalType) -> bool:
    digits = _INT_DIGITS[base]
    if new.family == "integer":
        return _INT_DIGITS[new.base] >= digits
    if new.family == "decimal":
        return new.precision is None or new.precision - (new.scale or 0) >= digits
    # float64 holds integers up to 2**53 exactly, float32 up to 2**24.
    return (base, new.base) in {("smallint", "double"), ("integer", "double"), ("smallint", "real")}


def _decimal_fits(old: LogicalType, new: LogicalType) -> bool:
    if new.precision is None or old.precision is None:
        return new.precision is None
    old_int, new_int = old.precision - (old.scale or 0), new.precision - (new.scale or 0)
    return (new.scale or 0) >= (old.scale or 0) and new_int >= old_int


_LOSSLESS = {("real", "double"), ("date", "timestamp"), ("date", "timestamptz")}

# --- dialects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """How one warehouse spells the model: a type map and capability flags.

    ``type_names`` maps each logical base (plus ``varchar_n`` for a sized varchar) to a
    template filled with ``{n}``, ``{p}`` and ``{s}``.
    """

    name: str
    type_names: Mapping[str, str]
    # Rendered after the type for an ``identity: true`` column; ``None`` means the dialect
    # has no usable identity and the loader supplies the values.
    identity_clause: str | None
    declares_foreign_keys: bool
    foreign_key_suffix: str = ""
    max_identifier_bytes: int | None = None
    max_varchar_length: int | None = None
    # DISTSTYLE / DISTKEY / SORTKEY after the columns and ENCODE per column.
    distribution_options: bool = False
    # Whether a backslash in a string literal is an escape (Redshift) and must be doubled.
    backslash_escapes: bool = False
    aliases: tuple[str, ...] = field(default=())

    def quote(self, identifier: str) -> str:
        """Always double-quote, doubling any embedded quote, so no name is ever SQL."""
        return '"' + identifier.replace('"', '""') + '"'

    def literal(self, text: str) -> str:
        """A single-quoted string literal, escaped for this dialect."""
        if self.backslash_escapes:
            text = text.replace("\\", "\\\\")
        return "'" + text.replace("'", "''") + "'"

    def render_type(self, logical: LogicalType) -> str:
        """The column type as this dialect writes it."""
        key = "varchar_n" if logical.base == "varchar" and logical.length else logical.base
        return self.type_names[key].format(
            n=logical.length, p=logical.precision, s=logical.scale or 0
        )


_ANSI_TYPES: Mapping[str, str] = {
    "boolean": "BOOLEAN",
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE PRECISION",
    "real": "REAL",
    "decimal": "DECIMAL({p},{s})",
    "varchar_n": "VARCHAR({n})",
    "varchar": "VARCHAR",
    "text": "TEXT",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
}

# DuckDB: https://duckdb.org/docs/sql/data_types/overview
# - VARCHAR(n) is accepted but the length is not enforced, so it is not written at all.
# - GENERATED ... AS IDENTITY is "not implemented"; rather than a CREATE SEQUENCE that
#   would outlive DROP TABLE and clash between a table and its staging copy, an identity
#   column is a plain NOT NULL integer whose values the loader supplies
#   (e.g. ``max(key) + row_number() OVER ()``).
# - FOREIGN KEYs are not declared: DuckDB enforces them and then refuses to delete or
#   replace a referenced dimension, which makes replace-loads impossible. Referential
#   integrity is verified after each load by ``check_queries`` instead.
DUCKDB = Dialect(
    name="duckdb",
    type_names={**_ANSI_TYPES, "double": "DOUBLE", "varchar_n": "VARCHAR", "text": "VARCHAR"},
    identity_clause=None,
    declares_foreign_keys=False,
)

# PostgreSQL: https://www.postgresql.org/docs/current/sql-createtable.html
# Foreign keys are declared DEFERRABLE INITIALLY DEFERRED: they are checked at COMMIT, so a
# load may replace a dimension (DELETE + COPY) and its facts in one transaction, in any
# order, and a load that would orphan facts fails as a whole, leaving the previous good
# state. TRUNCATE of a referenced dimension is still refused by PostgreSQL; loaders use
# DELETE, or TRUNCATE the star's tables together, or create staging tables with
# ``constraints=False``. Identifiers longer than 63 bytes would be silently truncated.
POSTGRES = Dialect(
    name="postgres",
    type_names=_ANSI_TYPES,
    identity_clause="GENERATED BY DEFAULT AS IDENTITY",
    declares_foreign_keys=True,
    foreign_key_suffix=" DEFERRABLE INITIALLY DEFERRED",
    max_identifier_bytes=63,
    aliases=("postgresql", "pg"),
)

# Redshift extends PostgreSQL: https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html
# Primary and foreign keys are informational (not enforced) but help the planner and BI
# tools; Redshift has no DEFERRABLE. VARCHAR without length means VARCHAR(256) there, so
# unbounded strings become the maximum, 65535 bytes
# (https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html).
REDSHIFT = replace(
    POSTGRES,
    name="redshift",
    type_names={**_ANSI_TYPES, "varchar": "VARCHAR(65535)", "text": "VARCHAR(65535)"},
    identity_clause="IDENTITY(1,1)",
    foreign_key_suffix="",
    max_identifier_bytes=127,
    max_varchar_length=65535,
    distribution_options=True,
    backslash_escapes=True,
    aliases=(),
)

DIALECTS: Mapping[str, Dialect] = {d.name: d for d in (DUCKDB, POSTGRES, REDSHIFT)}

# Redshift column compression encodings and the type families each accepts:
# https://docs.aws.amazon.com/redshift/latest/dg/c_Compression_encodings.html
_ALL: frozenset[Family] = frozenset(_FAMILIES.values())
_NUMERIC_TIME: frozenset[Family] = frozenset({"integer", "decimal", "date", "timestamp"})
REDSHIFT_ENCODINGS: Mapping[str, frozenset[Family]] = {
    "raw": _ALL,
    "az64": _NUMERIC_TIME,
    "bytedict": _ALL - {"boolean"},
    "delta": _NUMERIC_TIME,
    "delta32k": _NUMERIC_TIME,
    "lzo": _ALL - {"boolean", "float"},
    "mostly8": frozenset({"integer", "decimal"}),
    "mostly16": frozenset({"integer", "decimal"}),
    "mostly32": frozenset({"integer", "decimal"}),
    "runlength": _ALL,
    "text255": frozenset({"string"}),
    "text32k": frozenset({"string"}),
    "zstd": _ALL,
}


def encoding_problem(encoding: str, logical: LogicalType) -> str | None:
    """Why a Redshift column ``encoding`` cannot apply to ``logical``, or ``None``."""
    families = REDSHIFT_ENCODINGS.get(encoding.lower())
    if families is None:
        return f"unknown encoding {encoding!r}; expected one of: {', '.join(REDSHIFT_ENCODINGS)}"
    if logical.family not in families:
        return f"encoding {encoding!r} does not apply to type {str(logical)!r}"
    return None
