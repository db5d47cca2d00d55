"""How a table's schema changes from one crawl to the next.

Types widen, never narrow: bigint → double → string and date → timestamp → string (any
other mix, or two parse formats that differ, becomes string). A column set by hand
(``manual``) keeps its type; a target's ``columns:`` override always wins. The drift
between the catalog's schema and the one a crawl found is what a crawler's
``schema_change`` policy (update | log | fail) acts on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .base import Column, version_diffs

_WIDER = {("bigint", "double"): "double", ("date", "timestamp"): "timestamp"}


def widen(a: Column, b: Column) -> Column:
    """``a`` with a type that holds the values of both."""
    if (a.type, a.format) == (b.type, b.format):
        return a
    pair = (a.type, b.type) if a.type <= b.type else (b.type, a.type)
    same_format = a.format is None and b.format is None
    return replace(a, type=_WIDER.get(pair, "string") if same_format else "string", format=None)


def merge(base: list[Column], new: list[Column], *, by_position: bool) -> list[Column]:
    """``base`` widened by ``new``: CSV columns by position, JSON/Parquet keys by name
    (keys that only ``new`` has are added at the end)."""
    if by_position:
        return [widen(b, n) for b, n in zip(base, new, strict=False)] + base[len(new) :]
    out = {c.original_name or c.name: c for c in base}
    for col in new:
        key = col.original_name or col.name
        out[key] = widen(out[key], col) if key in out else col
    return list(out.values())


def apply_overrides(
    columns: list[Column], previous: list[Column], overrides: Mapping[str, str]
) -> list[Column]:
    """Manual types from the catalog, then the target's ``columns:``, win over inference."""
    manual = {c.name: c for c in previous if c.manual}
    out = []
    for col in columns:
        kept = manual.get(col.name)
        if kept is not None:
            col = replace(col, type=kept.type, format=kept.format, manual=True)
        forced = overrides.get(col.name) or overrides.get(col.original_name or "")
        if forced and forced != col.type:
            col = replace(col, type=forced, format=None)
        out.append(col)
    return out


def drift(before: list[Column], after: list[Column]) -> list[str]:
    """What changed from ``before`` to ``after``: columns added, removed, retyped."""
    sig: list[tuple[int, str | None, dict[str, str]]] = [
        (v, None, {c.name: c.type + (f" ({c.format})" if c.format else "") for c in cols})
        for v, cols in ((1, before), (2, after))
    ]
    diff = version_diffs(sig)[1]
    return (
        [f"added {a}" for a in diff["added"]]
        + [f"removed {r}" for r in diff["removed"]]
        + list(diff["changed"])
    )
