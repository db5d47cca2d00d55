"""The embedded object store: a local folder that stands for ``s3://bucket/key``.

``<root>/<bucket>/<key>``. Writes go to a temporary file in the same folder and are
renamed into place, so an object appears whole or not at all. ETags are a cheap
fingerprint of size and modification time, which is what incremental work needs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from ..errors import InvalidLocation, ObjectNotFound, StorageError
from .base import ObjectInfo, S3Uri

_TMP_PREFIX = ".lakeferry-tmp-"


class LocalStore:
    """Objects as files under a root folder, one subfolder per bucket."""

    name: ClassVar[str] = "local"

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def path(self, uri: S3Uri) -> Path:
        """The file behind a location; refuses anything outside its bucket's folder."""
        bucket = (self.root / uri.bucket).resolve()
        path = (bucket / uri.key).resolve()
        if bucket.parent != self.root or (path != bucket and bucket not in path.parents):
            raise InvalidLocation(f"{uri} resolves outside the store at {self.root / uri.bucket}")
        return path

    def list(self, prefix: S3Uri) -> Iterator[ObjectInfo]:
        """Every object whose key starts with the prefix, in key order."""
        bucket_dir = self.root / prefix.bucket
        if not bucket_dir.is_dir():
            return
        start = self.path(
            S3Uri(prefix.bucket, prefix.key.rsplit("/", 1)[0] if "/" in prefix.key else "")
        )
        if not start.is_dir():
            return
        found: list[tuple[str, Path]] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames.sort()
            for filename in filenames:
                if filename.startswith(_TMP_PREFIX):
                    continue
                full = Path(dirpath) / filename
                key = full.relative_to(bucket_dir).as_posix()
                if key.startswith(prefix.key):
                    found.append((key, full))
        for key, full in sorted(found):
            yield self._info(S3Uri(prefix.bucket, key), full)

    def head(self, uri: S3Uri) -> ObjectInfo:
        """Size, etag and mtime of one object."""
        path = self.path(uri)
        if not path.is_file():
            raise ObjectNotFound(f"no object at {uri}")
        return self._info(uri, path)

    def open(self, uri: S3Uri) -> BinaryIO:
        """Open an object for reading."""
        path = self.path(uri)
        if not path.is_file():
            raise ObjectNotFound(f"no object at {uri}")
        return path.open("rb")

    def read_range(self, uri: S3Uri, start: int, length: int) -> bytes:
        """Bytes ``[start, start+length)`` of an object."""
        with self.open(uri) as fh:
            fh.seek(start)
            return fh.read(length)

    def put_file(
        self, path: Path, uri: S3Uri, *, progress: Callable[[int], None] | None = None
    ) -> ObjectInfo:
        """Copy a file in atomically (temp file + rename)."""
        target = self._prepare(uri)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if progress is not None:
            progress(target.stat().st_size)
        return self._info(uri, target)

    def put_bytes(self, data: bytes, uri: S3Uri) -> ObjectInfo:
        """Write bytes atomically (temp file + rename)."""
        target = self._prepare(uri)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self._info(uri, target)

    def delete(self, uri: S3Uri) -> None:
        """Remove an object; empty parent folders are left alone."""
        self.path(uri).unlink(missing_ok=True)

    def duckdb_path(self, uri: S3Uri) -> str:
        """DuckDB reads local objects in place."""
        return str(self.path(uri))

    def local_path(self, uri: S3Uri) -> Path | None:
        """The file itself."""
        return self.path(uri)

    def configure_duckdb(self, con: Any) -> None:
        """Nothing to do: DuckDB reads local files as they are."""

    def _prepare(self, uri: S3Uri) -> Path:
        if not uri.key or uri.key.endswith("/"):
            raise InvalidLocation(f"{uri} names a folder, not an object")
        target = self.path(uri)
        if target.is_dir():
            raise StorageError(f"{uri}: the local store already holds objects below this key")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise StorageError(
                f"{uri}: a parent of this key is an object; the local store cannot hold both"
            ) from exc
        return target

    @staticmethod
    def _info(uri: S3Uri, path: Path) -> ObjectInfo:
        stat = path.stat()
        # inode + mtime + size: an atomic replace always gets a new inode, so a rewrite of
        # the same size within the clock's resolution still changes the etag
        etag = f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"
        return ObjectInfo(uri, stat.st_size, etag, stat.st_mtime)
