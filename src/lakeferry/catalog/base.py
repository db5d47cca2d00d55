"""The catalog's shape (Glue's): databases, tables, columns, partitions, versions.

A table records where its objects are and how to read them (format, compression,
serde), its columns (SQL name, original name, type, an optional parse format), and
the objects the last crawl saw, each with the problems found in it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

# Glue/Hive type names the crawler writes; the query engine maps them to DuckDB.
TYPES = ("string", "bigint", "double", "boolean", "date", "timestamp")


@dataclass
class Column:
    """One column: the SQL name, the name in the source, the type, and how to parse it."""

    name: str
    type: str
    original_name: str | None = None
    format: str | None = None
    comment: str | None = None
    manual: bool = False  # set by hand (`catalog set-type`): later crawls keep the type


@dataclass
class TableObject:
    """One object of a table, as the crawler saw it."""

    key: str
    size: int
    etag: str
    compression: str | None = None
    problems: list[str] = field(default_factory=list)
    partition: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """A catalog table: location, format, serde, columns, partitions and objects."""

    database: str
    name: str
    location: str
    format: str
    columns: list[Column]
    compression: str | None = None
    serde: dict[str, Any] = field(default_factory=dict)
    partition_keys: list[Column] = field(default_factory=list)
    objects: list[TableObject] = field(default_factory=list)
    version: int = 1
    crawler: str | None = None
    updated_at: str | None = None
    deprecated: bool = False  # its folder vanished (crawler deletion policy `deprecate`)

    @property
    def qualified_name(self) -> str:
        return f"{self.database}.{self.name}"

    def schema_signature(self) -> list[tuple[str, str, str | None]]:
        """What makes a new version: column names, types and formats, in order."""
        cols = [*self.columns, *self.partition_keys]
        return [(c.name, c.type, c.format) for c in cols]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (``catalog show --format json``)."""
        data = asdict(self)
        data["partitions"] = self.partitions()
        return data

    def partitions(self) -> list[dict[str, Any]]:
        """One record per list of partition values: values, location, objects, bytes."""
        # in partition-key order (year before month), not alphabetical order of the keys
        keys = [c.original_name or c.name for c in self.partition_keys]
        bucket = self.location.removeprefix("s3://").split("/", 1)[0]
        found: dict[tuple[str, ...], dict[str, Any]] = {}
        for o in self.objects:
            if not o.partition:
                continue
            values = tuple(o.partition.get(k, "") for k in keys)
            record = found.setdefault(
                values,
                {
                    "values": dict(zip(keys, values, strict=True)),
                    "location": f"s3://{bucket}/{o.key.rsplit('/', 1)[0]}/",
                    "objects": 0,
                    "bytes": 0,
                },
            )
            record["objects"] += 1
            record["bytes"] += o.size
        return [found[v] for v in sorted(found)]


def version_diffs(versions: list[tuple[int, str | None, dict[str, str]]]) -> list[dict[str, Any]]:
    """Each (version, created_at, {column: type}) with what changed since the one before."""
    out: list[dict[str, Any]] = []
    before: dict[str, str] = {}
    for version, created_at, now in versions:
        out.append(
            {
                "version": version,
                "created_at": created_at,
                "added": [f"{c} {t}" for c, t in now.items() if c not in before],
                "removed": [c for c in before if c not in now],
                "changed": [
                    f"{c}: {before[c]} -> {t}"
                    for c, t in now.items()
                    if c in before and before[c] != t
                ],
            }
        )
        before = now
    return out


class Catalog(Protocol):
    """The catalog protocol: the embedded SQLite file and (later) AWS Glue implement it."""

    def create_database(self, name: str) -> None:
        """Create a database if it does not exist."""
        ...

    def put_table(self, table: Table) -> Table:
        """Create or update a table; a changed schema writes a new version."""
        ...

    def get_table(self, database: str, name: str) -> Table:
        """A table; TableNotFound names the nearest tables."""
        ...

    def list_tables(self, database: str | None = None) -> list[Table]:
        """Every table, or those of one database."""
        ...

    def history(self, database: str, name: str) -> list[dict[str, Any]]:
        """Every version of a table's schema, oldest first."""
        ...

    def delete_table(self, database: str, name: str) -> None:
        """Remove a table (its history too); a missing table is not an error."""
        ...
