"""The project file, ``lakeferry.yml``: typed models, safe loading, errors with lines.

Precedence for a stage's backend: explicit arguments > environment
(``LAKEFERRY_WAREHOUSE_URL``, ``LAKEFERRY_STORAGE_URL``) > the profile in lakeferry.yml.
YAML is always loaded with ``SafeLoader``: a project file never executes code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, LakeferryError, nearest
from .storage.base import S3Uri

PROJECT_FILE = "lakeferry.yml"
STATE_DIR = ".lakeferry"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorageProfile(_Strict):
    """Where ``s3://bucket/key`` lives: ``local`` is a folder below the project; ``s3`` is
    an S3 API at ``endpoint_url`` (AWS S3 when unset), credentials from the AWS chain."""

    type: str = "local"
    root: str = "lake"
    endpoint_url: str | None = None
    region: str | None = None


class CatalogProfile(_Strict):
    """The catalog: ``sqlite`` is an embedded file with Glue's shape; ``glue`` is AWS Glue.

    ``region`` and ``endpoint_url`` are for ``glue`` (AWS_REGION and AWS_ENDPOINT_URL_GLUE
    in the environment win over them); credentials come from the AWS credential chain.
    """

    type: str = "sqlite"
    path: str = f"{STATE_DIR}/catalog.sqlite"
    region: str | None = None
    endpoint_url: str | None = None


class EngineProfile(_Strict):
    """The engine for lake SQL or ETL jobs."""

    type: str = "duckdb"
    memory_limit: str | None = None
    threads: int | None = None


class WarehouseProfile(_Strict):
    """The warehouse: ``duckdb`` is an embedded file."""

    type: str = "duckdb"
    path: str = f"{STATE_DIR}/warehouse.duckdb"


class Profile(_Strict):
    """Which backend each stage uses."""

    storage: StorageProfile = Field(default_factory=StorageProfile)
    catalog: CatalogProfile = Field(default_factory=CatalogProfile)
    query: EngineProfile = Field(default_factory=EngineProfile)
    etl: EngineProfile = Field(default_factory=EngineProfile)
    warehouse: WarehouseProfile = Field(default_factory=WarehouseProfile)


def _s3(value: str) -> str:
    try:
        S3Uri.parse(value)
    except LakeferryError as exc:
        raise ValueError(str(exc).replace("\n", ";")) from None
    return value if value.endswith("/") else value + "/"


class Zones(_Strict):
    """The lake's zones, always named as s3:// prefixes."""

    raw: str
    processed: str
    query_results: str
    quarantine: str | None = None

    _check = field_validator("raw", "processed", "query_results", "quarantine")(
        lambda cls, v: None if v is None else _s3(v)
    )

    def quarantine_prefix(self) -> str:
        """Where rows set aside are written: its own zone or ``processed/_quarantine/``."""
        return self.quarantine or f"{self.processed}_quarantine/"


ColumnType = Literal["string", "bigint", "double", "boolean", "date", "timestamp"]


class CrawlTarget(_Strict):
    """A path a crawler reads; each folder of compatible files below it becomes a table."""

    path: str
    table: str | None = None
    header: Literal["auto", "present", "absent"] = "auto"
    exclude: list[str] = Field(default_factory=list)
    # how a source column's SQL name is made from its original name
    column_names: Literal["snake_case", "lower", "original"] = "snake_case"
    # column (SQL or original name) -> catalog type; always wins over inference and edits
    columns: dict[str, ColumnType] = Field(default_factory=dict)

    _check = field_validator("path")(lambda cls, v: _s3(v))


class Crawler(_Strict):
    """A crawler: targets → tables in one catalog database."""

    name: str
    database: str
    targets: list[CrawlTarget]
    sample_rows: int = Field(default=2000, ge=10)
    # update: evolve (add columns, widen types); log: keep the schema, report the drift;
    # fail: that table is not updated and the report names the change
    schema_change: Literal["update", "log", "fail"] = "update"
    # a table whose folder vanished: deprecate (marked), delete, or log (report only)
    deletion: Literal["deprecate", "delete", "log"] = "deprecate"


OutputFormat = Literal["csv", "parquet"]
DEFAULT_FORMATS: tuple[OutputFormat, ...] = ("csv", "parquet")


class Job(_Strict):
    """An ETL job: SQL models (one SELECT per output table) written to the processed zone."""

    name: str
    sql: list[str]
    formats: list[OutputFormat] = Field(default_factory=lambda: list(DEFAULT_FORMATS))
    depends_on: list[str] = Field(default_factory=list)
    max_quarantine_rows: int | None = Field(default=None, ge=0)
    max_quarantine_pct: float | None = Field(default=None, ge=0, le=100)


class Load(_Strict):
    """Which model tables to load from the processed zone, and how."""

    tables: list[str] | Literal["all"] = "all"
    mode: Literal["replace"] = "replace"


class CheckSpec(_Strict):
    """A custom SQL check: the query returns the offending rows; zero rows passes."""

    name: str
    sql: str
    description: str | None = None


class ProjectConfig(_Strict):
    """The whole of ``lakeferry.yml``."""

    name: str
    version: int = 1
    profiles: dict[str, Profile] = Field(default_factory=lambda: {"local": Profile()})
    zones: Zones
    model: str = "model"
    crawlers: list[Crawler] = Field(default_factory=list)
    jobs: list[Job] = Field(default_factory=list)
    load: Load = Field(default_factory=Load)
    checks: list[CheckSpec] = Field(default_factory=list)
    dashboards: list[str] = Field(default_factory=lambda: ["dashboards/*.yml"])

    def profile(self, name: str) -> Profile:
        """A profile by name; ``local`` always exists (embedded defaults)."""
        if name in self.profiles:
            return self.profiles[name]
        if name == "local":
            return Profile()
        close = nearest(name, list(self.profiles))
        raise ConfigError(
            f"no profile {name!r} in {PROJECT_FILE}",
            hint=f"did you mean {close[0]!r}?"
            if close
            else f"profiles: {', '.join(self.profiles)}",
        )


def load_project_config(path: Path) -> ProjectConfig:
    """Read and validate ``lakeferry.yml``; errors name the file, key, line and expectation."""
    if not path.is_file():
        raise ConfigError(
            f"no {PROJECT_FILE} at {path.parent}",
            hint="run `lakeferry init DIR --example covid`, or pass --project DIR",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, text, ProjectConfig)) from None


def describe_validation_error(
    exc: ValidationError, path: Path, text: str, root: type[BaseModel]
) -> str:
    """One line per problem: ``file:line: key.path: message (got …)``."""
    lines_by_path = yaml_key_lines(text)
    out = [f"{path}: {exc.error_count()} problem(s)"]
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = _nearest_line(lines_by_path, loc)
        where = f"{path}:{line}" if line else str(path)
        key = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = _unknown_key_message(root, loc)
        elif "input" in err and err["type"] != "missing":
            msg = f"{msg} (got {err['input']!r})"
        out.append(f"  {where}: {key}: {msg}")
    return "\n".join(out)


def _unknown_key_message(root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    node: Any = root
    for part in loc[:-1]:
        node = _step(node, part)
    model = _inner_model(node)
    known = list(model.model_fields) if model is not None and hasattr(model, "model_fields") else []
    close = nearest(str(loc[-1]), known)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"unknown key{suggestion} (expected one of: {', '.join(known)})" if known else "unknown key"
    )


def _step(annotation: Any, part: Any) -> Any:
    """The annotation one step down a location: a model's field, a list item, a dict value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field else None
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is list and args:
        return args[0]
    if get_origin(annotation) is dict and len(args) == 2:
        return args[1]
    return _step(args[0], part) if len(args) == 1 else None


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside ``list[X]``, ``dict[str, X]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def yaml_key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Map each key path in a YAML document to its 1-based line number."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, prefix: tuple[Any, ...]) -> None:
        found[prefix] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (*prefix, key_node.value)
                walk(value_node, key)
                found[key] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*prefix, index))

    if root is not None:
        walk(root, ())
    return found


def _nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


STORAGE_URL_OPTIONS = ("endpoint_url", "region")


def storage_from_url(url: str) -> dict[str, str | None]:
    """``LAKEFERRY_STORAGE_URL`` as storage profile fields.

    ``s3://?endpoint_url=http://127.0.0.1:8333&region=us-east-1`` (AWS S3 without
    ``endpoint_url``); ``file://`` is the local folder.
    """
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    if not parts.scheme:
        raise ConfigError(
            f"LAKEFERRY_STORAGE_URL={url!r} has no scheme",
            hint="write s3://?endpoint_url=http://HOST:PORT or file://",
        )
    fields: dict[str, str | None] = {"type": {"file": "local"}.get(parts.scheme, parts.scheme)}
    if fields["type"] == "local":
        return fields
    if parts.netloc or parts.path.strip("/"):
        raise ConfigError(
            f"LAKEFERRY_STORAGE_URL={url!r}: the endpoint goes in the query string",
            hint="write s3://?endpoint_url=http://HOST:PORT&region=REGION",
        )
    fields.update(dict.fromkeys(STORAGE_URL_OPTIONS))
    for key, values in parse_qs(parts.query, keep_blank_values=True).items():
        if key not in STORAGE_URL_OPTIONS:
            close = nearest(key, STORAGE_URL_OPTIONS)
            known = f"options: {', '.join(STORAGE_URL_OPTIONS)}"
            raise ConfigError(
                f"LAKEFERRY_STORAGE_URL: unknown option {key!r}",
                hint=f"did you mean {close[0]!r}?" if close else known,
            )
        fields[key] = values[-1] or None
    return fields


def env_overrides() -> dict[str, str]:
    """Backend URLs chosen from the environment, which win over the profile."""
    names = ("LAKEFERRY_WAREHOUSE_URL", "LAKEFERRY_STORAGE_URL")
    return {name: os.environ[name] for name in names if os.environ.get(name)}
