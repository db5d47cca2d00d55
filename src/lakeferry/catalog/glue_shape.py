"""How a lakeferry ``Table`` is written to AWS Glue and read back: pure mapping, no client.

    Table field        Glue
    database, name     DatabaseName, Name (Glue folds names to lowercase: mixed case is refused)
    location           StorageDescriptor.Location
    format             Parameters.classification; InputFormat/OutputFormat and SerDe (SERDES)
    compression        Parameters.compressionType ("none" when None); StorageDescriptor.Compressed
    serde              SerdeInfo.Parameters for Athena/Spark (separatorChar/quoteChar or
                       field.delim, skip.header.line.count), and the whole dict as JSON in
                       Parameters["lakeferry:serde"] (Glue's strings lose booleans and the BOM flag)
    columns            StorageDescriptor.Columns: Name, Type, Comment (255 characters; a longer
                       one is kept whole in Parameters["lakeferry:comment"]), Parameters
                       "lakeferry:original_name" and "lakeferry:format" (the parse format)
    partition_keys     PartitionKeys, encoded like columns
    objects            JSON lists in chunked parameters ("lakeferry:objects.0", ".1", …, and
                       "lakeferry:objects.chunks"), each under Glue's 512,000-byte value limit.
                       An object in a hive partition of the table is kept on its Glue partition
                       (one per list of partition values, with its own Location, so Athena sees
                       it); any other object on the table. Each record carries its position "i".
    version            Parameters["lakeferry:version"]
    deprecated         Parameters["lakeferry:deprecated"] = "true" (and DEPRECATED_BY_CRAWLER,
                       Glue's own mark)
    Column.manual      column Parameters["lakeferry:manual"] = "true"
    crawler            Parameters["lakeferry:crawler"]
    updated_at         Parameters["lakeferry:updated_at"]

A table lakeferry did not write (one made by a Glue crawler) is read from Glue's own fields:
classification, compressionType, SerdeInfo, skip.header.line.count, UPDATED_BY_CRAWLER.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from ..errors import CatalogError
from .base import Column, Table, TableObject

_LF = "lakeferry:"
_CHUNK = 400_000  # characters of ASCII JSON; Glue allows 512,000 bytes per parameter value
_COMMENT_MAX = 255  # https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html
FINGERPRINT = f"{_LF}fingerprint"  # a partition is rewritten only when this differs

_TEXT = (
    "org.apache.hadoop.mapred.TextInputFormat",
    "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
)
_PARQUET = (
    "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
)
# format -> (SerializationLibrary, InputFormat, OutputFormat); "csv" without a quote
# character uses LazySimpleSerDe, the one Glue's own crawler picks for unquoted files.
SERDES: dict[str, tuple[str, str, str]] = {
    "csv": ("org.apache.hadoop.hive.serde2.OpenCSVSerde", *_TEXT),
    "csv-unquoted": ("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", *_TEXT),
    "json": ("org.openx.data.jsonserde.JsonSerDe", *_TEXT),
    "parquet": ("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", *_PARQUET),
}

# --- Table -> Glue --------------------------------------------------------------------------


def to_table_input(table: Table, project: str | None = None) -> dict[str, Any]:
    """Glue's TableInput for a table; objects outside hive partitions ride on its parameters."""
    on_table, _ = _split_objects(table)
    params = {
        **_data_parameters(table, [o for _, o in on_table]),
        "EXTERNAL": "TRUE",
        f"{_LF}version": str(table.version),
        f"{_LF}serde": json.dumps(table.serde),
        **{
            f"{_LF}{k}": v
            for k, v in [("crawler", table.crawler), ("updated_at", table.updated_at)]
            if v is not None
        },
        **({f"{_LF}project": project} if project else {}),
        **({f"{_LF}deprecated": "true", "DEPRECATED_BY_CRAWLER": "1"} if table.deprecated else {}),
        **_pack(on_table),
    }
    if table.serde.get("header"):
        params["skip.header.line.count"] = "1"
    if table.format == "csv":
        params["delimiter"] = str(table.serde.get("delimiter") or ",")
    return {
        "Name": table.name,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": _storage_descriptor(table, table.location),
        "PartitionKeys": [_column_to_glue(c) for c in table.partition_keys],
        "Parameters": params,
    }


def to_partition_inputs(table: Table) -> dict[tuple[str, ...], dict[str, Any]]:
    """One PartitionInput per hive partition value list, holding that partition's objects."""
    _, by_values = _split_objects(table)
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    for values, records in by_values.items():
        # the folder of the partition's objects: hive `k=v/` and positional `v/` levels alike
        bucket = table.location.removeprefix("s3://").split("/", 1)[0]
        location = f"s3://{bucket}/{records[0][1].key.rsplit('/', 1)[0]}/"
        part: dict[str, Any] = {
            "Values": list(values),
            "StorageDescriptor": _storage_descriptor(table, location),
            "Parameters": {**_data_parameters(table, [o for _, o in records]), **_pack(records)},
        }
        part["Parameters"][FINGERPRINT] = hashlib.sha256(
            json.dumps(part, sort_keys=True).encode()
        ).hexdigest()
        out[values] = part
    return out


def _split_objects(
    table: Table,
) -> tuple[list[tuple[int, TableObject]], dict[tuple[str, ...], list[tuple[int, TableObject]]]]:
    """Objects kept on the table, and objects by partition values (in the keys' order)."""
    keys = [
        k.original_name if k.original_name is not None else k.name for k in table.partition_keys
    ]
    on_table: list[tuple[int, TableObject]] = []
    by_values: dict[tuple[str, ...], list[tuple[int, TableObject]]] = {}
    for i, obj in enumerate(table.objects):
        values = tuple(obj.partition.get(k, "") for k in keys)
        if keys and list(obj.partition) == keys and all(values):
            by_values.setdefault(values, []).append((i, obj))
        else:
            on_table.append((i, obj))
    return on_table, by_values


def _data_parameters(table: Table, objects: list[TableObject]) -> dict[str, str]:
    """The parameters Glue's own crawler writes on tables and partitions."""
    return {
        "classification": table.format,
        "compressionType": table.compression or "none",
        "typeOfData": "file",
        "objectCount": str(len(objects)),
        "sizeKey": str(sum(o.size for o in objects)),
    }


def _storage_descriptor(table: Table, location: str) -> dict[str, Any]:
    serde = table.serde
    quoted = bool(serde.get("quote"))
    kind = "csv-unquoted" if table.format == "csv" and not quoted else table.format
    library, input_format, output_format = SERDES.get(kind, SERDES["csv-unquoted"])
    return {
        "Columns": [_column_to_glue(c) for c in table.columns],
        "Location": location,
        "InputFormat": input_format,
        "OutputFormat": output_format,
        "Compressed": table.compression is not None,
        "NumberOfBuckets": -1,
        "SerdeInfo": {
            "SerializationLibrary": library,
            "Parameters": _serde_parameters(table, kind),
        },
        "StoredAsSubDirectories": False,
    }


def _serde_parameters(table: Table, kind: str) -> dict[str, str]:
    serde = table.serde
    delimiter = str(serde.get("delimiter") or ",")
    header = {"skip.header.line.count": "1"} if serde.get("header") else {}
    if kind == "csv":
        return {"separatorChar": delimiter, "quoteChar": str(serde["quote"]), **header}
    if kind == "json":
        # OpenX maps a lowercase column to a JSON key that differs from it.
        mapping = {
            f"mapping.{c.name}": c.original_name
            for c in table.columns
            if c.original_name and c.original_name != c.name
        }
        paths = ",".join(c.original_name or c.name for c in table.columns)
        return {"paths": paths, **mapping, **({"case.insensitive": "FALSE"} if mapping else {})}
    if kind == "parquet":
        return {"serialization.format": "1"}
    encoding = {"serialization.encoding": str(serde["encoding"])} if serde.get("encoding") else {}
    return {"field.delim": delimiter, "serialization.format": delimiter, **header, **encoding}


def _column_to_glue(column: Column) -> dict[str, Any]:
    params = {
        f"{_LF}{k}": v
        for k, v in [("original_name", column.original_name), ("format", column.format)]
        if v is not None
    }
    if column.manual:
        params[f"{_LF}manual"] = "true"
    out: dict[str, Any] = {"Name": column.name, "Type": column.type}
    if column.comment is not None:
        out["Comment"] = column.comment[:_COMMENT_MAX]
        if len(column.comment) > _COMMENT_MAX:
            params[f"{_LF}comment"] = column.comment
    if params:
        out["Parameters"] = params
    return out


def _pack(records: list[tuple[int, TableObject]]) -> dict[str, str]:
    """Object records as JSON in chunks, each under Glue's parameter value limit."""
    text = json.dumps([{"i": i, **asdict(o)} for i, o in records], separators=(",", ":"))
    chunks = [text[start : start + _CHUNK] for start in range(0, len(text), _CHUNK)]
    return {f"{_LF}objects.chunks": str(len(chunks))} | {
        f"{_LF}objects.{n}": chunk for n, chunk in enumerate(chunks)
    }


# --- Glue -> Table --------------------------------------------------------------------------


def table_from_glue(raw: dict[str, Any], partitions: list[dict[str, Any]]) -> Table:
    """A lakeferry Table from Glue's Table and its partitions (lakeferry's or a Glue crawler's)."""
    params = raw.get("Parameters") or {}
    sd = raw.get("StorageDescriptor") or {}
    records = _unpack(params) + [r for p in partitions for r in _unpack(p.get("Parameters") or {})]
    records.sort(key=lambda r: int(r["i"]))
    compression = params.get("compressionType", "none")
    serde_json = params.get(f"{_LF}serde")
    return Table(
        database=raw["DatabaseName"],
        name=raw["Name"],
        location=sd.get("Location", ""),
        format=params.get("classification", "unknown"),
        columns=[_column_from_glue(c) for c in sd.get("Columns", [])],
        compression=None if compression == "none" else compression,
        serde=json.loads(serde_json) if serde_json else _serde_from_glue(sd, params),
        partition_keys=[_column_from_glue(c) for c in raw.get("PartitionKeys", [])],
        objects=[TableObject(**{k: v for k, v in r.items() if k != "i"}) for r in records],
        version=int(params.get(f"{_LF}version") or raw.get("VersionId") or 1),
        crawler=params.get(f"{_LF}crawler", params.get("UPDATED_BY_CRAWLER")),
        updated_at=params.get(
            f"{_LF}updated_at", _iso(raw.get("UpdateTime") or raw.get("CreateTime"))
        ),
        deprecated=params.get(f"{_LF}deprecated") == "true" or "DEPRECATED_BY_CRAWLER" in params,
    )


def _column_from_glue(raw: dict[str, Any]) -> Column:
    params = raw.get("Parameters") or {}
    return Column(
        name=raw["Name"],
        type=raw.get("Type") or "string",
        original_name=params.get(f"{_LF}original_name"),
        format=params.get(f"{_LF}format"),
        comment=params.get(f"{_LF}comment", raw.get("Comment")),
        manual=params.get(f"{_LF}manual") == "true",
    )


def _serde_from_glue(sd: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """The serde of a table lakeferry did not write (e.g. one made by a Glue crawler)."""
    info = (sd.get("SerdeInfo") or {}).get("Parameters") or {}
    header = info.get("skip.header.line.count") or params.get("skip.header.line.count") or "0"
    return {
        "delimiter": info.get("separatorChar")
        or info.get("field.delim")
        or params.get("delimiter"),
        "quote": info.get("quoteChar"),
        "header": header != "0",
        "encoding": info.get("serialization.encoding", "utf-8"),
        "bom": False,
    }


def _unpack(params: dict[str, str]) -> list[dict[str, Any]]:
    """The object records of a table or partition (none on one lakeferry did not write)."""
    try:
        chunks = int(params.get(f"{_LF}objects.chunks") or 0)
        text = "".join(params[f"{_LF}objects.{n}"] for n in range(chunks))
        records: list[dict[str, Any]] = json.loads(text) if chunks else []
    except (KeyError, ValueError) as exc:
        raise CatalogError(
            f"the {_LF}objects.* parameters in Glue are incomplete or not JSON: {exc!r}",
            hint="run `lakeferry crawl` again to rewrite the table",
        ) from exc
    return records


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else None
