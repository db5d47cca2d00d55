"""An object store over the S3 API: AWS S3, SeaweedFS, MinIO — anything that speaks it.

The client is boto3 (chosen by measurement, see ``docs/backends.md``); DuckDB reads objects
in place through its httpfs extension, set up by ``configure_duckdb``. Credentials come from
the environment or the AWS credential chain and are never logged or put in a message.

botocore's exceptions are translated here, and nowhere else::

    ClientError 404, NoSuchKey, NoSuchBucket   → ObjectNotFound
    ClientError 5xx, 429, throttling codes     → StorageError(transient=True)
    connection refused or reset, timeouts      → StorageError(transient=True)
    anything else (403, 400, no credentials)   → StorageError

Retries: botocore's ``standard`` mode, set explicitly — up to ``max_attempts`` tries per
request with exponential backoff and full jitter (base 1 s, at most 20 s) on 5xx,
throttling, timeouts and connection errors. A streaming read that breaks mid-body resumes
from the byte it reached with a Range request pinned to the object's ETag.

Integrity: every upload carries SHA-256 checksums that the server verifies on receipt (per
part for multipart). Afterwards the object's checksum — for multipart, S3's COMPOSITE form,
the SHA-256 of the parts' digests plus ``-N`` — is compared with one computed from the local
bytes (servers without flexible checksums are checked against the MD5 ETag). On a
mismatch the object is deleted and the upload fails.

Buckets are created on the first write that finds them missing (a dev server starts
empty); ``ensure_bucket`` does it explicitly. Listing a missing bucket lists nothing.

Listing order: S3 lists keys in UTF-8 byte order; some S3-compatible servers list folder by
folder instead (SeaweedFS 4.x returns ``a/b/c.csv`` before ``a/b.csv``). With a custom
endpoint the listing is collected and sorted here; against AWS it streams page by page.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Literal
from urllib.parse import urlsplit

from ..errors import InvalidLocation, MissingDependency, ObjectNotFound, StorageError, require
from ..naming import quote_literal
from .base import ObjectInfo, S3Uri, validate_bucket, validate_key

log = logging.getLogger(__name__)

MiB = 1 << 20
DEFAULT_MULTIPART_THRESHOLD = 8 * MiB  # boto3's default: files this size or larger go multipart
DEFAULT_PART_SIZE = 8 * MiB
DEFAULT_MAX_ATTEMPTS = 4  # worst case about 1 + 2 + 4 s of backoff before giving up
RESUMES = 3  # a broken streaming read is resumed this many times
SECRET_NAME = "lakeferry_s3"

# https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html — codes worth retrying
_THROTTLING = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestThrottled",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
    }
)
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
_FORBIDDEN_HINT = (
    "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket's policy"
)


class _NoSuchBucket(ObjectNotFound):
    """The bucket itself is missing (a write creates it; a listing sees nothing)."""


class S3Store:
    """Objects in buckets behind an S3 endpoint (AWS when ``endpoint_url`` is None)."""

    name: ClassVar[str] = "s3"

    def __init__(
        self,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        part_size: int = DEFAULT_PART_SIZE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        listing_order: Literal["server", "sorted"] | None = None,
        create_buckets: bool = True,
        access_key: str | None = None,
        secret_key: str | None = None,
    ):
        """A client for ``endpoint_url``; credentials from the AWS chain unless given.

        Without ``endpoint_url``, boto3's ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``
        variables apply, and then AWS S3.
        """
        require("boto3", "s3")
        import boto3
        from botocore.config import Config

        endpoint_url = (
            endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or os.environ.get("AWS_ENDPOINT_URL")
        )
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self._session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key
        )
        self.region = region or self._session.region_name or "us-east-1"
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self.create_buckets = create_buckets
        self.listing_order = listing_order or ("sorted" if self.endpoint_url else "server")
        config = Config(
            region_name=self.region,
            retries={"mode": "standard", "max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
            max_pool_connections=16,
        )
        self.client = self._session.client("s3", endpoint_url=self.endpoint_url, config=config)

    def __repr__(self) -> str:
        return f"S3Store({self.where!r})"

    @property
    def where(self) -> str:
        """The endpoint, for messages (never the credentials)."""
        return self.endpoint_url or f"AWS S3 ({self.region})"

    # --- the protocol ------------------------------------------------------------

    def list(self, prefix: S3Uri) -> Iterator[ObjectInfo]:
        """Every object whose key starts with the prefix, in key (UTF-8 byte) order."""
        self._check(prefix)
        listing = self._listing(prefix)
        if self.listing_order == "sorted":
            # str order is code-point order, which is UTF-8 byte order
            yield from sorted(listing, key=lambda info: info.key)
        else:
            yield from listing

    def head(self, uri: S3Uri) -> ObjectInfo:
        """Size, etag and modification time of one object."""
        self._check(uri)
        return _info(uri, self._head(uri))

    def open(self, uri: S3Uri) -> BinaryIO:
        """A buffered stream of the object; a broken connection resumes where it stopped."""
        self._check(uri)
        response = self._get(uri)
        assert response is not None  # a whole-object GET is never 416
        reader = _ObjectReader(self, uri, response["Body"], response["ETag"])
        return io.BufferedReader(reader, buffer_size=MiB)

    def read_range(self, uri: S3Uri, start: int, length: int) -> bytes:
        """Bytes ``[start, start+length)`` through an HTTP Range request."""
        self._check(uri)
        if length <= 0:
            return b""
        response = self._get(uri, byte_range=f"bytes={start}-{start + length - 1}")
        if response is None:  # 416: the range starts at or past the end
            return b""
        with self._errors("read", uri), closing(response["Body"]) as body:
            return bytes(body.read())

    def put_file(
        self, path: Path, uri: S3Uri, *, progress: Callable[[int], None] | None = None
    ) -> ObjectInfo:
        """Upload a file (multipart from ``multipart_threshold``), then verify its checksum."""
        self._check(uri, object_key=True)
        path = Path(path)
        size = path.stat().st_size  # a missing file fails here, before any request
        part = self._part_size(size)
        expected = file_checksum(path, part)
        self._write(uri, lambda: self._upload(path, uri, progress))
        return self._verified(uri, expected, lambda: file_checksum(path, part, "md5"))

    def put_bytes(self, data: bytes, uri: S3Uri) -> ObjectInfo:
        """Write a small object in one request; the server checks its SHA-256 on receipt."""
        self._check(uri, object_key=True)
        digest = _encode(hashlib.sha256(data).digest(), "sha256")
        self._write(
            uri,
            lambda: self.client.put_object(
                Bucket=uri.bucket, Key=uri.key, Body=data, ChecksumSHA256=digest
            ),
        )
        return self._verified(uri, digest, lambda: hashlib.md5(data).hexdigest())

    def delete(self, uri: S3Uri) -> None:
        """Remove an object; an absent object or bucket is fine."""
        self._check(uri, object_key=True)
        try:
            with self._errors("delete", uri):
                self.client.delete_object(Bucket=uri.bucket, Key=uri.key)
        except _NoSuchBucket:
            pass

    def duckdb_path(self, uri: S3Uri) -> str:
        """``s3://bucket/key``: DuckDB reads it through httpfs (see ``configure_duckdb``)."""
        self._check(uri)
        return f"s3://{uri.bucket}/{uri.key}"

    def local_path(self, uri: S3Uri) -> Path | None:
        """Objects are remote."""
        return None

    def configure_duckdb(self, con: Any) -> None:
        """Load httpfs and create a temporary secret so ``con`` reads ``s3://`` from here."""
        import duckdb

        load_httpfs(con)
        options = self._duckdb_secret_options()
        body = ", ".join(f"{k} {v}" for k, v in options.items())
        try:
            con.execute(f"CREATE OR REPLACE TEMPORARY SECRET {SECRET_NAME} ({body})")
        except duckdb.Error as exc:
            # the statement holds the credentials: keep DuckDB's text out of the message
            raise StorageError(
                f"could not give DuckDB access to {self.where} ({type(exc).__name__})"
            ) from None

    # --- buckets -----------------------------------------------------------------

    def ensure_bucket(self, bucket: str) -> None:
        """Create ``bucket`` if it does not exist yet."""
        validate_bucket(bucket)
        where = S3Uri(bucket)
        args: dict[str, Any] = {"Bucket": bucket}
        if self.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            with self._errors("create bucket", where):
                self.client.create_bucket(**args)
        except StorageError as exc:
            code = _error_code(exc.__cause__)
            if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    # --- internals ---------------------------------------------------------------

    def _check(self, uri: S3Uri, *, object_key: bool = False) -> None:
        try:
            validate_bucket(uri.bucket)
            validate_key(uri.key, f"s3://{uri.bucket}/{uri.key}")
        except InvalidLocation as exc:
            raise InvalidLocation(f"{uri} is outside the store: {exc.args[0]}") from None
        if object_key and (not uri.key or uri.key.endswith("/")):
            raise InvalidLocation(f"{uri} names a folder, not an object")

    def _listing(self, prefix: S3Uri) -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            with self._errors("list", prefix):
                for page in paginator.paginate(Bucket=prefix.bucket, Prefix=prefix.key):
                    for item in page.get("Contents", ()):
                        info = self._listed(prefix.bucket, item)
                        if info is not None:
                            yield info
        except _NoSuchBucket:
            return

    def _listed(self, bucket: str, item: dict[str, Any]) -> ObjectInfo | None:
        key = item["Key"]
        if key.endswith("/"):
            return None  # a folder marker, not an object
        try:
            validate_key(key, f"s3://{bucket}/{key}")
        except InvalidLocation as exc:
            log.warning("skipping an object lakeferry cannot address: %s", exc.args[0])
            return None
        return ObjectInfo(
            S3Uri(bucket, key), int(item["Size"]), _etag(item), item["LastModified"].timestamp()
        )

    def _head(self, uri: S3Uri, *, checksum: bool = False) -> dict[str, Any]:
        if not uri.key or uri.key.endswith("/"):
            raise ObjectNotFound(f"no object at {uri}")
        extra = {"ChecksumMode": "ENABLED"} if checksum else {}
        with self._errors("head", uri):
            response: dict[str, Any] = self.client.head_object(
                Bucket=uri.bucket, Key=uri.key, **extra
            )
        return response

    def _get(
        self, uri: S3Uri, *, byte_range: str | None = None, if_match: str | None = None
    ) -> dict[str, Any] | None:
        """GetObject; None when the server answers 416 (range not satisfiable)."""
        if not uri.key or uri.key.endswith("/"):
            raise ObjectNotFound(f"no object at {uri}")
        extra = {"Range": byte_range} if byte_range else {}
        if if_match:
            extra["IfMatch"] = if_match
        try:
            with self._errors("read", uri):
                response: dict[str, Any] = self.client.get_object(
                    Bucket=uri.bucket, Key=uri.key, **extra
                )
        except StorageError as exc:
            if byte_range and _status(exc.__cause__) == 416:
                return None
            raise
        return response

    def _part_size(self, size: int) -> int | None:
        """The part size s3transfer will use for a file of ``size`` bytes (None: one PUT)."""
        if size < self.multipart_threshold:
            return None
        from s3transfer.utils import ChunksizeAdjuster

        return int(ChunksizeAdjuster().adjust_chunksize(self.part_size, size))

    def _upload(self, path: Path, uri: S3Uri, progress: Callable[[int], None] | None) -> None:
        from boto3.s3.transfer import TransferConfig, create_transfer_manager

        config = TransferConfig(
            multipart_threshold=self.multipart_threshold,
            multipart_chunksize=self.part_size,
            use_threads=True,
        )
        subscribers = [_Progress(progress)] if progress else None
        with create_transfer_manager(self.client, config) as manager:
            future = manager.upload(
                str(path),
                uri.bucket,
                uri.key,
                extra_args={"ChecksumAlgorithm": "SHA256"},
                subscribers=subscribers,
            )
            future.result()

    def _write(self, uri: S3Uri, action: Callable[[], object]) -> None:
        """Run a write; if the bucket is missing, create it and run the write once more."""
        try:
            with self._errors("write", uri):
                action()
        except _NoSuchBucket:
            if not self.create_buckets:
                raise
            self.ensure_bucket(uri.bucket)
            with self._errors("write", uri):
                action()

    def _verified(self, uri: S3Uri, expected: str, md5: Callable[[], str]) -> ObjectInfo:
        """Compare the stored object's checksum with the local one; delete it if they differ."""
        head = self._head(uri, checksum=True)
        try:
            if head.get("ChecksumSHA256"):
                verify_checksum(uri, expected, head["ChecksumSHA256"], "sha256")
            elif _looks_like_md5(_etag(head)):
                verify_checksum(uri, md5(), _etag(head), "md5 etag")
            else:
                raise StorageError(
                    f"cannot verify {uri}: {self.where} reports neither a SHA-256 checksum"
                    " nor an MD5 ETag",
                    hint="use an S3 server that supports flexible checksums",
                )
        except StorageError:
            self.delete(uri)
            raise
        return _info(uri, head)

    def _duckdb_secret_options(self) -> dict[str, str]:
        options = {"TYPE": "s3", "REGION": quote_literal(self.region)}
        credentials = self._session.get_credentials()
        if credentials is not None:
            frozen = credentials.get_frozen_credentials()
            options["KEY_ID"] = quote_literal(frozen.access_key)
            options["SECRET"] = quote_literal(frozen.secret_key)
            if frozen.token:
                options["SESSION_TOKEN"] = quote_literal(frozen.token)
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            options["ENDPOINT"] = quote_literal(parts.netloc + parts.path)
            options["URL_STYLE"] = "'path'"
            options["USE_SSL"] = "true" if parts.scheme == "https" else "false"
        return options

    @contextmanager
    def _errors(self, action: str, uri: S3Uri) -> Iterator[None]:
        """The one place botocore's exceptions become lakeferry's."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            raise self._client_error(exc, action, uri) from exc
        except BotoCoreError as exc:
            raise self._transport_error(exc, action, uri) from exc

    def _client_error(self, exc: Any, action: str, uri: S3Uri) -> StorageError:
        code, status = _error_code(exc), _status(exc)
        if code == "NoSuchBucket":
            return _NoSuchBucket(f"no bucket {uri.bucket!r} at {self.where}")
        if code in _NOT_FOUND or (status == 404 and action in ("head", "read")):
            return ObjectNotFound(f"no object at {uri}")
        if status == 412:
            return StorageError(f"{uri} changed at {self.where} while it was being read")
        message = exc.response.get("Error", {}).get("Message") or code
        transient = status >= 500 or status == 429 or code in _THROTTLING
        hint = _FORBIDDEN_HINT if status == 403 else None
        return StorageError(
            f"S3 {action} of {uri} at {self.where} failed: {code} (HTTP {status}): {message}",
            hint=hint,
            transient=transient,
        )

    def _transport_error(self, exc: Any, action: str, uri: S3Uri) -> StorageError:
        import botocore.exceptions as bx

        if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
            return StorageError(
                f"S3 {action} of {uri}: no usable AWS credentials for {self.where}",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
            )
        transient = isinstance(
            exc, bx.ConnectionError | bx.HTTPClientError | bx.IncompleteReadError
        )
        reason = "cannot reach" if transient else "error talking to"
        return StorageError(
            f"S3 {action} of {uri} failed: {reason} the endpoint {self.where}"
            f" ({type(exc).__name__}: {exc})",
            hint="is the S3 server running? (`lakeferry s3 serve` starts one)"
            if transient
            else None,
            transient=transient,
        )

    def _stream_error(self, exc: BaseException, uri: S3Uri) -> StorageError:
        """A read that broke mid-body and could not be resumed."""
        from botocore.exceptions import BotoCoreError

        if isinstance(exc, BotoCoreError):
            return self._transport_error(exc, "read", uri)
        return StorageError(
            f"S3 read of {uri} at {self.where} broke off ({type(exc).__name__}: {exc})",
            transient=True,
        )


class _ObjectReader(io.RawIOBase):
    """The body of a GetObject; a broken connection is resumed from the current offset."""

    def __init__(self, store: S3Store, uri: S3Uri, body: Any, etag: str):
        super().__init__()
        self._store, self._uri, self._body, self._etag = store, uri, body, etag
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._pos += n
        return n

    def _read(self, size: int) -> bytes:
        from botocore.exceptions import BotoCoreError
        from urllib3.exceptions import HTTPError

        for attempt in range(RESUMES + 1):
            try:
                return bytes(self._body.read(size))
            except (BotoCoreError, HTTPError, OSError) as exc:
                if attempt == RESUMES:
                    raise self._store._stream_error(exc, self._uri) from exc
                time.sleep(min(2.0**attempt, 8.0) * random.random())
                self._resume()
        raise AssertionError("unreachable")

    def _resume(self) -> None:
        self._body.close()
        response = self._store._get(
            self._uri, byte_range=f"bytes={self._pos}-", if_match=self._etag
        )
        if response is None:  # the object ended exactly here
            self._body = io.BytesIO()
            return
        self._body = response["Body"]

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class _Progress:
    """An s3transfer subscriber passing byte counts to a callback."""

    def __init__(self, callback: Callable[[int], None]):
        self.callback = callback

    def on_queued(self, future: Any, **kwargs: Any) -> None:
        pass

    def on_progress(self, future: Any, bytes_transferred: int, **kwargs: Any) -> None:
        self.callback(bytes_transferred)

    def on_done(self, future: Any, **kwargs: Any) -> None:
        pass


def file_checksum(path: Path, part_size: int | None, algorithm: str = "sha256") -> str:
    """The checksum S3 reports for this file uploaded in parts of ``part_size`` (None: whole).

    ``sha256`` is base64 as in ``x-amz-checksum-sha256``; ``md5`` is hex as in an ETag.
    Multipart objects get the COMPOSITE form: the digest of the parts' digests, ``-N``.
    """
    with Path(path).open("rb") as fh:
        if part_size is None:
            whole = hashlib.new(algorithm)
            while chunk := fh.read(MiB):
                whole.update(chunk)
            return _encode(whole.digest(), algorithm)
        parts = []
        while part := _digest_part(fh, part_size, algorithm):
            parts.append(part)
    combined = hashlib.new(algorithm, b"".join(parts)).digest()
    return f"{_encode(combined, algorithm)}-{len(parts)}"


def _digest_part(fh: BinaryIO, size: int, algorithm: str) -> bytes:
    digest, remaining = hashlib.new(algorithm), size
    while remaining and (chunk := fh.read(min(MiB, remaining))):
        digest.update(chunk)
        remaining -= len(chunk)
    return digest.digest() if remaining < size else b""


def verify_checksum(uri: S3Uri, expected: str, reported: str, kind: str) -> None:
    """Raise StorageError unless the server's checksum of ``uri`` equals the local one."""
    if reported != expected:
        raise StorageError(
            f"integrity check failed for {uri}: the server reports {kind} {reported},"
            f" the local bytes give {expected}",
            hint="the object was removed; upload it again",
        )


def load_httpfs(con: Any) -> None:
    """Load DuckDB's httpfs from the ``duckdb-extension-httpfs`` package (no download)."""
    import duckdb

    try:
        import duckdb_extension_httpfs
    except ImportError:
        bundled = None
    else:
        root = Path(duckdb_extension_httpfs.__file__).parent
        bundled = root / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    try:
        if bundled is not None and bundled.is_file():
            con.execute(f"LOAD {quote_literal(str(bundled))}")
        else:
            con.execute("LOAD httpfs")  # installed in DuckDB's own extension folder
    except duckdb.Error as exc:
        raise MissingDependency(
            f"DuckDB {duckdb.__version__} cannot load its httpfs extension: {exc}",
            hint=f"pip install 'lakeferry[s3]' (duckdb-extension-httpfs=={duckdb.__version__})",
        ) from exc


def _info(uri: S3Uri, response: dict[str, Any]) -> ObjectInfo:
    return ObjectInfo(
        uri, int(response["ContentLength"]), _etag(response), response["LastModified"].timestamp()
    )


def _etag(response: dict[str, Any]) -> str:
    return str(response.get("ETag", "")).strip('"')


def _looks_like_md5(etag: str) -> bool:
    digest, _, parts = etag.partition("-")
    hexdigits = set("0123456789abcdef")
    return len(digest) == 32 and set(digest) <= hexdigits and (not parts or parts.isdigit())


def _encode(digest: bytes, algorithm: str) -> str:
    return digest.hex() if algorithm == "md5" else base64.b64encode(digest).decode()


def _error_code(exc: Any) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _status(exc: Any) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
