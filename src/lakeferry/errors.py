"""lakeferry's exceptions: one root, one subclass per stage, and a retry mark.

    LakeferryError                 every error lakeferry raises on purpose
    ├── ConfigError                lakeferry.yml / model / dashboard files
    ├── StorageError               the object store
    │   ├── ObjectNotFound
    │   └── InvalidLocation        bad bucket, key escaping the store, not s3://
    ├── CatalogError               the catalog and the crawler
    │   └── TableNotFound          carries the nearest names
    ├── QueryError                 SQL over the lake (translation, execution)
    ├── TransformError             ETL jobs
    │   └── QuarantineThresholdExceeded
    ├── WarehouseError             DDL, loads
    ├── CheckFailed                verification checks that did not pass
    └── RunError                   the run store and the step runner

``transient`` marks an error worth retrying (a timeout, a 5xx, a serialization
failure); everything else is terminal. Retry logic reads the mark, never the message.
"""

from __future__ import annotations


class LakeferryError(Exception):
    """The root of every error lakeferry raises on purpose."""

    transient: bool = False
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None, transient: bool | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint
        if transient is not None:
            self.transient = transient

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class ConfigError(LakeferryError):
    """A project file (lakeferry.yml, model, dashboards) is invalid."""


class StorageError(LakeferryError):
    """The object store failed or was asked for something impossible."""


class ObjectNotFound(StorageError):
    """No object at that key."""


class InvalidLocation(StorageError):
    """A location that is not a valid s3://bucket/key, or one that escapes the store."""


class CatalogError(LakeferryError):
    """The catalog or the crawler failed."""


class TableNotFound(CatalogError):
    """A table name the catalog does not know; the message lists the nearest names."""


class QueryError(LakeferryError):
    """SQL over the lake could not be translated or run."""


class TransformError(LakeferryError):
    """An ETL job failed."""


class QuarantineThresholdExceeded(TransformError):
    """More rows were set aside than the job allows."""


class WarehouseError(LakeferryError):
    """DDL or a load into the warehouse failed."""


class CheckFailed(LakeferryError):
    """One or more verification checks did not pass."""


class RunError(LakeferryError):
    """The run store or the step runner failed."""


class MissingDependency(LakeferryError):
    """An optional dependency is not installed; the message names its pip install line."""


def require(module: str, extra: str) -> object:
    """Import an optional module, or raise MissingDependency naming the pip install line."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(
            f"this backend needs the Python package {module!r}",
            hint=f"pip install 'lakeferry[{extra}]'",
        ) from exc


def nearest(name: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    """The candidates closest to a misspelt name, best first."""
    import difflib

    return difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.5)
