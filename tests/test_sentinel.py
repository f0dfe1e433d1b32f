"""Many machines: workers and producers that find Redis through Sentinel (a real sentinel)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from renderqueue.models import JobState, RenderJob
from renderqueue.testing.redis_server import RedisServer, find_redis_server, free_port
from renderqueue.testing.workers import database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sentinel(tmp_path: Path):
    master = RedisServer(data_dir=tmp_path / "master", port=free_port()).start()
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\nsentinel monitor rq-master 127.0.0.1 {master.port} 1\n"
    )
    process = subprocess.Popen([find_redis_server(), str(conf), "--sentinel"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    import redis

    while True:
        try:
            if redis.Redis(port=port).sentinel_master("rq-master"):
                break
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("sentinel did not come up")
        time.sleep(0.05)
    yield master, port
    process.terminate()
    process.wait(10)
    master.stop()


def test_producer_and_workers_through_sentinel(live_samples, sentinel):
    master, sentinel_port = sentinel
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_SENTINELS": f"127.0.0.1:{sentinel_port}",
        "REDIS_SENTINEL_MASTER": "rq-master",
    }
    env.pop("REDIS_URL")

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=120
        )

    queued = manage("render_queue", "test-batch")
    assert queued.returncode == 0, queued.stderr
    job = RenderJob.objects.get()
    # The job went to the master the sentinel names, not to the suite's own Redis.
    import redis

    assert redis.Redis(port=master.port).llen("rq:queue:renderqueue-normal") == 1
    worked = manage("render_queue", "worker", "--burst", "--concurrency", "2")
    assert worked.returncode == 0, worked.stderr
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED and job.total_rendered == 5
