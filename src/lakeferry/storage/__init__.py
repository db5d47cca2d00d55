"""Object storage: the protocol, the backends, and a registry that picks one by name."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, nearest
from .base import ObjectInfo, ObjectStore, S3Uri
from .local import LocalStore

BACKENDS = ("local",)

__all__ = ["BACKENDS", "LocalStore", "ObjectInfo", "ObjectStore", "S3Uri", "open_store"]


def open_store(kind: str, *, root: Path) -> ObjectStore:
    """The storage backend named ``kind`` (as in lakeferry.yml)."""
    if kind == "local":
        return LocalStore(root)
    close = nearest(kind, BACKENDS)
    raise ConfigError(
        f"unknown storage backend {kind!r}",
        hint=f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(BACKENDS)}",
    )
