"""Start real worker processes against the test database and the test Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Any

from django.db import connection

from renderqueue.broker import default_broker
from renderqueue.worker import worker_command


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for the database this process is using now (the test database)."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    if engine.endswith("postgresql"):
        auth = settings_dict.get("USER") or ""
        if settings_dict.get("PASSWORD"):
            auth += f":{settings_dict['PASSWORD']}"
        host = settings_dict.get("HOST") or "localhost"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}{'@' if auth else ''}{host}:{port}/{settings_dict['NAME']}"
    raise NotImplementedError(f"no DATABASE_URL form for {engine}")


class WorkerProcess:
    def __init__(self, concurrency: int = 1, *, extra_env: dict[str, str] | None = None) -> None:
        command, env = worker_command(concurrency)
        env.update(DATABASE_URL=database_url(connection.settings_dict), **(extra_env or {}))
        env.setdefault("RENDERQUEUE_LOG", "WARNING")
        self.concurrency = concurrency
        self.process = subprocess.Popen(command, env=env, start_new_session=True)

    def wait_until_ready(self, timeout: float = 30) -> WorkerProcess:
        broker = default_broker()
        deadline = time.monotonic() + timeout
        while len(broker.workers()) < self.concurrency:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode} before it was ready")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.concurrency} workers did not register within {timeout}s")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode
