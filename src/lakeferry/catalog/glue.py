"""AWS Glue Data Catalog as lakeferry's catalog (boto3, imported only here).

``glue_shape.py`` maps a ``Table`` to Glue's structures and back; this module is the
client: databases, tables, partitions, versions, and the one boundary where botocore's
errors become ``CatalogError`` (transient for throttling, 5xx, timeouts, lost connections).

Versions. A put whose schema signature is unchanged calls UpdateTable with
``SkipArchive=True`` (no new Glue version); a changed schema archives the old one, so
GetTableVersions holds one Glue version per lakeferry version. moto ignores SkipArchive
and archives on every update, so ``history`` keeps the first Glue version of each
``lakeferry:version`` and drops the repeats.

Not atomic: Glue has no transaction across a table and its partitions. The table is
written first, then partitions are created, updated (when their fingerprint differs) and
deleted; a crash in between leaves partitions that the next put puts right.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..errors import CatalogError, TableNotFound, nearest, require
from .base import Table, version_diffs
from .glue_shape import FINGERPRINT, table_from_glue, to_partition_inputs, to_table_input

_PROJECT_TAG = "lakeferry:project"  # on databases: Glue tables take no tags
_BATCH = {
    "batch_create_partition": 100,
    "batch_update_partition": 100,
    "batch_delete_partition": 25,
}
# Error codes worth a retry; a 5xx status is transient whatever its code.
_TRANSIENT_CODES = {
    "ThrottlingException",
    "ConcurrentModificationException",
    "InternalServiceException",
    "OperationTimeoutException",
    "ServiceUnavailableException",
    "RequestTimeout",
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class GlueCatalog:
    """The AWS Glue Data Catalog backend (boto3)."""

    name = "glue"

    def __init__(
        self,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        project: str | None = None,
    ):
        boto3: Any = require("boto3", "aws")
        errors: Any = require("botocore.exceptions", "aws")
        botocore_config: Any = require("botocore.config", "aws")
        self._errors = (errors.ClientError, errors.BotoCoreError)
        self.project = project
        self._databases: set[str] = set()
        # Standard retries back off on throttling and 5xx; AWS_MAX_ATTEMPTS still bounds them.
        config = botocore_config.Config(retries={"mode": "standard"}, user_agent_extra="lakeferry")
        try:
            self._client = boto3.client(
                "glue", region_name=region, endpoint_url=endpoint_url, config=config
            )
        except self._errors as exc:
            raise _translate(exc, "connect") from exc

    @classmethod
    def from_profile(
        cls, *, region: str | None, endpoint_url: str | None, project: str | None = None
    ) -> GlueCatalog:
        """The backend for a profile's values; the environment takes precedence over them."""
        env = os.environ
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or region,
            endpoint_url=env.get("AWS_ENDPOINT_URL_GLUE")
            or env.get("AWS_ENDPOINT_URL")
            or endpoint_url,
            project=project,
        )

    # --- the one boundary where botocore errors become lakeferry's -----------------------

    def _call(self, op: str, *, tolerate: tuple[str, ...] = (), **kwargs: Any) -> dict[str, Any]:
        """One Glue API call; an error code in ``tolerate`` gives ``{}``."""
        try:
            response: dict[str, Any] = getattr(self._client, op)(**kwargs)
        except self._errors as exc:
            if _code(exc) in tolerate:
                return {}
            raise _translate(exc, op) from exc
        return response

    def _pages(self, op: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated Glue listing (missing database or table: none)."""
        token: str | None = None
        while True:
            extra = {"NextToken": token} if token else {}
            page = self._call(op, tolerate=("EntityNotFoundException",), **kwargs, **extra)
            yield from page.get(key, [])
            token = page.get("NextToken")
            if not token:
                return

    # --- databases -------------------------------------------------------------------------

    def create_database(self, name: str) -> None:
        """Create a database if it does not exist, tagged with the project's name."""
        if name in self._databases:
            return
        _check_name(name, "database")
        tags = {_PROJECT_TAG: self.project} if self.project else {}
        self._call(
            "create_database",
            tolerate=("AlreadyExistsException",),
            DatabaseInput={"Name": name, "Description": "created by lakeferry"},
            Tags=tags,
        )
        self._databases.add(name)

    def list_databases(self) -> list[str]:
        """Database names, sorted."""
        return sorted(d["Name"] for d in self._pages("get_databases", "DatabaseList"))

    # --- tables ------------------------------------------------------------------------------

    def put_table(self, table: Table) -> Table:
        """Create or update a table and its partitions; a changed schema bumps the version."""
        _check_name(table.name, "table")
        self.create_database(table.database)
        current = self._raw_table(table.database, table.name)
        previous = table_from_glue(current, []) if current else None
        same = previous is not None and previous.schema_signature() == table.schema_signature()
        table.version = 1 if previous is None else previous.version + (0 if same else 1)
        table.updated_at = _now()
        table_input = to_table_input(table, self.project)
        ids: dict[str, Any] = {"DatabaseName": table.database}
        if current is None:
            self._call("create_table", **ids, TableInput=table_input)
        else:
            keys_before = _key_names(current.get("PartitionKeys", []))
            if keys_before != _key_names(table_input["PartitionKeys"]):
                # Partitions of the old keys cannot stay under the new ones.
                self._delete_partitions(table, [p["Values"] for p in self._partitions(table)])
            self._call("update_table", **ids, TableInput=table_input, SkipArchive=same)
        self._sync_partitions(table)
        return table

    def get_table(self, database: str, name: str) -> Table:
        """A table by database and name; a miss lists the nearest names."""
        raw = self._raw_table(database, name)
        if raw is None:
            raise self._not_found(database, name)
        partitions = list(self._partitions_of(database, name)) if raw.get("PartitionKeys") else []
        return table_from_glue(raw, partitions)

    def list_tables(self, database: str | None = None) -> list[Table]:
        """Every table (of one database), sorted by database and name."""
        out: list[Table] = []
        for db in [database] if database else self.list_databases():
            for raw in self._pages("get_tables", "TableList", DatabaseName=db):
                partitions = (
                    self._partitions_of(db, raw["Name"]) if raw.get("PartitionKeys") else []
                )
                out.append(table_from_glue(raw, list(partitions)))
        return sorted(out, key=lambda t: (t.database, t.name))

    def delete_table(self, database: str, name: str) -> None:
        """Remove a table (Glue drops its partitions and versions); a missing one is a no-op."""
        self._call(
            "delete_table", tolerate=("EntityNotFoundException",), DatabaseName=database, Name=name
        )

    def history(self, database: str, name: str) -> list[dict[str, Any]]:
        """Every schema version, oldest first, with the columns added/removed/changed."""
        found = list(
            self._pages(
                "get_table_versions", "TableVersions", DatabaseName=database, TableName=name
            )
        )
        if not found:
            raise self._not_found(database, name)
        first: dict[int, tuple[str | None, dict[str, str]]] = {}
        for entry in sorted(found, key=lambda v: int(v["VersionId"])):
            table = table_from_glue({**entry["Table"], "VersionId": entry["VersionId"]}, [])
            cols = {c.name: c.type for c in [*table.columns, *table.partition_keys]}
            first.setdefault(table.version, (table.updated_at, cols))
        return version_diffs([(v, created, cols) for v, (created, cols) in sorted(first.items())])

    def _raw_table(self, database: str, name: str) -> dict[str, Any] | None:
        response = self._call(
            "get_table", tolerate=("EntityNotFoundException",), DatabaseName=database, Name=name
        )
        table: dict[str, Any] | None = response.get("Table")
        return table

    def _not_found(self, database: str, name: str) -> TableNotFound:
        known = [
            f"{db}.{t['Name']}"
            for db in self.list_databases()
            for t in self._pages("get_tables", "TableList", DatabaseName=db)
        ]
        close = nearest(f"{database}.{name}", known)
        return TableNotFound(
            f"no table {database}.{name} in the Glue catalog",
            hint=f"nearest: {', '.join(close)}" if close else "run `lakeferry crawl` first",
        )

    # --- partitions ----------------------------------------------------------------------------

    def _partitions(self, table: Table) -> list[dict[str, Any]]:
        return list(self._partitions_of(table.database, table.name))

    def _partitions_of(self, database: str, name: str) -> Iterator[dict[str, Any]]:
        return self._pages("get_partitions", "Partitions", DatabaseName=database, TableName=name)

    def _sync_partitions(self, table: Table) -> None:
        """Create, update (by fingerprint) and delete partitions to match the table's objects."""
        wanted = to_partition_inputs(table)
        have = {
            tuple(p["Values"]): p.get("Parameters", {}).get(FINGERPRINT)
            for p in self._partitions(table)
        }
        create = [p for values, p in wanted.items() if values not in have]
        update = [
            {"PartitionValueList": list(values), "PartitionInput": p}
            for values, p in wanted.items()
            if values in have and have[values] != p["Parameters"][FINGERPRINT]
        ]
        self._batch(table, "batch_create_partition", "PartitionInputList", create)
        self._batch(table, "batch_update_partition", "Entries", update)
        self._delete_partitions(table, [list(v) for v in have if v not in wanted])

    def _delete_partitions(self, table: Table, values: list[list[str]]) -> None:
        items = [{"Values": v} for v in values]
        self._batch(table, "batch_delete_partition", "PartitionsToDelete", items)

    def _batch(self, table: Table, op: str, key: str, items: list[dict[str, Any]]) -> None:
        """A batch partition call in Glue's batch sizes; any per-item error is raised."""
        size = _BATCH[op]
        for start in range(0, len(items), size):
            args: dict[str, Any] = {key: items[start : start + size]}
            response = self._call(op, DatabaseName=table.database, TableName=table.name, **args)
            errors = response.get("Errors") or []
            if errors:
                detail = errors[0].get("ErrorDetail", {})
                raise CatalogError(
                    f"Glue {op} on {table.qualified_name}: {len(errors)} partition(s) failed;"
                    f" first {errors[0].get('PartitionValues')}:"
                    f" {detail.get('ErrorCode')}: {detail.get('ErrorMessage')}",
                    transient=detail.get("ErrorCode") in _TRANSIENT_CODES,
                )


def _key_names(keys: list[dict[str, Any]]) -> list[str]:
    return [k["Name"] for k in keys]


# --- names and errors ----------------------------------------------------------------------


def _check_name(name: str, what: str) -> None:
    if name != name.lower():
        raise CatalogError(
            f"Glue folds {what} names to lowercase; {name!r} would come back as {name.lower()!r}",
            hint=f"name the {what} {name.lower()!r}",
        )


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(exc).__name__))


def _translate(exc: Exception, op: str) -> CatalogError:
    """A botocore error as a CatalogError, marked transient for throttling, 5xx and timeouts."""
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    code = _code(exc)
    response = getattr(exc, "response", None) or {}
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    message = response.get("Error", {}).get("Message") or str(exc)
    # Refused, reset or timed-out connections (EndpointConnectionError, ReadTimeoutError, …).
    connection = isinstance(exc, BotoConnectionError | HTTPClientError)
    hints = {
        "AccessDeniedException": "check that the AWS credentials allow glue:* on this catalog",
        "NoCredentialsError": "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
        "NoRegionError": "set `region:` in the profile's catalog section, or AWS_REGION",
    }
    hint = hints.get(code) or (
        "check the Glue endpoint (endpoint_url, AWS_ENDPOINT_URL_GLUE)" if connection else None
    )
    return CatalogError(
        f"Glue {op} failed: {code}: {message}",
        hint=hint,
        transient=connection or code in _TRANSIENT_CODES or status >= 500,
    )
