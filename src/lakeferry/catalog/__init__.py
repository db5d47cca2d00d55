"""The catalog (Glue's shape) and the crawler that fills it."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, nearest
from .base import Catalog, Column, Table, TableObject
from .glue import GlueCatalog
from .sqlite import SqliteCatalog

BACKENDS = ("sqlite", "glue")

__all__ = [
    "BACKENDS",
    "Catalog",
    "Column",
    "GlueCatalog",
    "SqliteCatalog",
    "Table",
    "TableObject",
    "open_catalog",
]


def open_catalog(
    kind: str,
    *,
    path: Path | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    project: str | None = None,
) -> Catalog:
    """The catalog backend named ``kind`` (as in lakeferry.yml).

    ``sqlite`` needs ``path``; ``glue`` takes the profile's ``region`` and ``endpoint_url``
    (the environment's AWS_REGION and AWS_ENDPOINT_URL_GLUE win over them) and tags its
    databases with ``project``. boto3 is imported only when ``glue`` is chosen.
    """
    if kind == "sqlite":
        if path is None:
            raise ConfigError("the sqlite catalog needs a path", hint="set `path:` in the profile")
        return SqliteCatalog(path)
    if kind == "glue":
        return GlueCatalog.from_profile(region=region, endpoint_url=endpoint_url, project=project)
    close = nearest(kind, BACKENDS)
    raise ConfigError(
        f"unknown catalog backend {kind!r}",
        hint=f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(BACKENDS)}",
    )
