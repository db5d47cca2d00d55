"""Object storage: the protocol, the backends, and a registry that picks one by name."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, nearest
from .base import ObjectInfo, ObjectStore, S3Uri
from .local import LocalStore
from .s3 import S3Store

BACKENDS = ("local", "s3")

__all__ = [
    "BACKENDS",
    "LocalStore",
    "ObjectInfo",
    "ObjectStore",
    "S3Store",
    "S3Uri",
    "open_store",
]


def open_store(
    kind: str, *, root: Path, endpoint_url: str | None = None, region: str | None = None
) -> ObjectStore:
    """The storage backend named ``kind`` (as in lakeferry.yml).

    ``local`` keeps objects under ``root``; ``s3`` talks to ``endpoint_url`` (AWS S3 when
    None) in ``region``, with credentials from the environment or the AWS credential chain.
    """
    if kind == "local":
        return LocalStore(root)
    if kind == "s3":
        return S3Store(endpoint_url=endpoint_url, region=region)
    close = nearest(kind, BACKENDS)
    raise ConfigError(
        f"unknown storage backend {kind!r}",
        hint=f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(BACKENDS)}",
    )
