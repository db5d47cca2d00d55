"""The object-store protocol: every backend speaks ``s3://bucket/key``.

A pipeline always names data as ``s3://bucket/key``; the backend decides where it
lives (a local folder, SeaweedFS, AWS S3). Four verbs matter — list, read, write,
delete — plus ``duckdb_path`` so the query engine can read an object in place, and
``configure_duckdb`` to give a DuckDB connection access to those paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Protocol

from ..errors import InvalidLocation

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET = re.compile(
    r"^(?!xn--|sthree-)(?!.*(-s3alias|--ol-s3)$)(?![0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$)"
    r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
)


@dataclass(frozen=True, order=True)
class S3Uri:
    """A parsed ``s3://bucket/key`` location; ``key`` may be a prefix ending in ``/``."""

    bucket: str
    key: str = ""

    @classmethod
    def parse(cls, uri: str) -> S3Uri:
        """Parse and validate; refuse anything that is not a safe s3:// location."""
        if not uri.startswith("s3://"):
            raise InvalidLocation(f"{uri!r} is not an s3:// location", hint="write s3://bucket/key")
        bucket, _, key = uri[5:].partition("/")
        validate_bucket(bucket)
        validate_key(key, uri)
        return cls(bucket, key)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def join(self, *parts: str) -> S3Uri:
        """A location below this one."""
        key = self.key
        for part in parts:
            key = f"{key.rstrip('/')}/{part.lstrip('/')}" if key else part.lstrip("/")
        validate_key(key, f"s3://{self.bucket}/{key}")
        return S3Uri(self.bucket, key)

    def as_prefix(self) -> S3Uri:
        """The same location, ending in ``/`` (a folder)."""
        if not self.key or self.key.endswith("/"):
            return self
        return S3Uri(self.bucket, self.key + "/")

    @property
    def name(self) -> str:
        """The last segment of the key."""
        return self.key.rstrip("/").rsplit("/", 1)[-1]


def validate_bucket(bucket: str) -> None:
    """Refuse bucket names S3 would refuse (and any that could address a parent folder)."""
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise InvalidLocation(
            f"invalid bucket name {bucket!r}",
            hint="3-63 characters: lowercase letters, digits, dots and hyphens",
        )


def validate_key(key: str, uri: str) -> None:
    """Refuse keys that would escape a folder-backed store."""
    if key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidLocation(f"invalid object key in {uri!r}: absolute path or bad character")
    if any(part in ("..", ".") for part in key.split("/")):
        raise InvalidLocation(f"invalid object key in {uri!r}: '.' and '..' segments are refused")


@dataclass(frozen=True)
class ObjectInfo:
    """What a listing says of one object."""

    uri: S3Uri
    size: int
    etag: str
    mtime: float

    @property
    def key(self) -> str:
        return self.uri.key


class ObjectStore(Protocol):
    """The protocol every storage backend implements."""

    name: ClassVar[str]

    def list(self, prefix: S3Uri) -> Iterator[ObjectInfo]:
        """Every object under a prefix, in key order."""
        ...

    def head(self, uri: S3Uri) -> ObjectInfo:
        """One object's size and etag; ObjectNotFound if absent."""
        ...

    def open(self, uri: S3Uri) -> BinaryIO:
        """A readable binary stream of the object."""
        ...

    def read_range(self, uri: S3Uri, start: int, length: int) -> bytes:
        """``length`` bytes from ``start`` (fewer at the end of the object)."""
        ...

    def put_file(
        self, path: Path, uri: S3Uri, *, progress: Callable[[int], None] | None = None
    ) -> ObjectInfo:
        """Upload a local file; the object appears whole or not at all.

        ``progress`` is called with the bytes sent since its last call (negative when a
        retried part starts over).
        """
        ...

    def put_bytes(self, data: bytes, uri: S3Uri) -> ObjectInfo:
        """Write a small object whole."""
        ...

    def delete(self, uri: S3Uri) -> None:
        """Remove an object (absent is fine)."""
        ...

    def duckdb_path(self, uri: S3Uri) -> str:
        """A path or URL DuckDB can read this object from, in place."""
        ...

    def local_path(self, uri: S3Uri) -> Path | None:
        """The object's file on this machine, when the backend has one."""
        ...

    def configure_duckdb(self, con: Any) -> None:
        """Let a DuckDB connection read this store's ``duckdb_path`` locations."""
        ...
