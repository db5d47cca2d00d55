"""Column and table names: the original is kept, a snake_case name is used in SQL."""

from __future__ import annotations

import re

_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(name: str) -> str:
    """``hospitalizedCurrently`` → ``hospitalized_currently``, ``Alpha-2 code`` → ``alpha_2_code``.

    A name that would be empty or start with a digit gets a ``col_`` prefix so it is
    always a valid unquoted SQL identifier.
    """
    text = name.strip().lstrip("\ufeff")
    text = _CAMEL_1.sub(r"\1_\2", text)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _NON_WORD.sub("_", text).strip("_").lower()
    if not text or text[0].isdigit():
        text = f"col_{text}" if text else "col"
    return text


NAME_STYLES = ("snake_case", "lower", "original")


def sql_name(name: str, style: str = "snake_case") -> str:
    """The SQL name of a source column: ``snake_case`` (default), ``lower``, or ``original``.

    ``original`` keeps the name as it is (minus a byte-order mark and outer spaces); such
    names are always quoted in the SQL lakeferry generates.
    """
    if style == "snake_case":
        return snake_case(name)
    text = name.strip().lstrip("\ufeff") or "col"
    return text.lower() if style == "lower" else text


def unique_names(names: list[str]) -> list[str]:
    """Make names unique deterministically: the second ``x`` becomes ``x_2``, and so on."""
    seen: dict[str, int] = {}
    taken = set(names)
    out: list[str] = []
    for name in names:
        if name not in seen:
            seen[name] = 1
            out.append(name)
            continue
        count = seen[name]
        candidate = name
        while candidate in taken or candidate in seen:
            count += 1
            candidate = f"{name}_{count}"
        seen[name] = count
        seen[candidate] = 1
        out.append(candidate)
    return out


def quote_ident(name: str) -> str:
    """Double-quote an identifier for DuckDB/PostgreSQL, doubling any embedded quote."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A SQL string literal with embedded quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
