"""pytest plugin: a private redis-server for the whole run, started before Django's settings load.

Enable with `-p renderqueue.testing.pytest_plugin`. It never touches a Redis it did not start:
REDIS_URL is pointed at the new server for this process and every worker it spawns.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from renderqueue.testing.redis_server import RedisServer, free_port

_server: RedisServer | None = None
_tmp: tempfile.TemporaryDirectory[str] | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    global _server, _tmp
    _tmp = tempfile.TemporaryDirectory(prefix="renderqueue-tests-")
    _server = RedisServer(data_dir=Path(_tmp.name) / "redis", port=free_port()).start()
    for name in ("REDIS_SENTINELS", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB"):
        os.environ.pop(name, None)
    os.environ["REDIS_URL"] = _server.url
    # Rendered files of the tests go to a throw-away folder, never the project's media.
    os.environ["MEDIA_ROOT"] = str(Path(_tmp.name) / "media")


def pytest_unconfigure(config: pytest.Config) -> None:
    global _server, _tmp
    if _server is not None:
        _server.stop()
        _server = None
    if _tmp is not None:
        _tmp.cleanup()
        _tmp = None
