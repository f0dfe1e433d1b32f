from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.storage import storages

from renderqueue import conf
from renderqueue.broker import default_broker
from renderqueue.models import JobState, RenderJob
from renderqueue.samples import load_samples
from renderqueue.testing.workers import WorkerProcess


@pytest.fixture(autouse=True)
def _clean_redis() -> Iterator[None]:
    """Each test starts with an empty Redis: the plugin's own server, never anyone else's."""
    broker = default_broker()
    broker.connection.flushdb()
    conf.get_config.cache_clear()
    yield
    broker.connection.flushdb()


@pytest.fixture
def samples(db: None) -> None:
    load_samples()


@pytest.fixture
def live_samples(transactional_db: None) -> None:
    load_samples()


@pytest.fixture
def start_workers(transactional_db: None) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real worker processes (`manage.py render_queue worker`) on the test DB and Redis."""
    started: list[WorkerProcess] = []

    def start(concurrency: int = 1, **kwargs: Any) -> WorkerProcess:
        worker = WorkerProcess(concurrency, **kwargs).wait_until_ready()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def wait_for_state() -> Callable[..., RenderJob]:
    def wait(job_id: str, *states: str, timeout: float = 30) -> RenderJob:
        deadline = time.monotonic() + timeout
        while True:
            job = RenderJob.objects.get(pk=job_id)
            if job.state in states:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"{job_id} is {job.state}, not {'/'.join(states)}, after {timeout}s")
            time.sleep(0.05)

    return wait


@pytest.fixture
def output_storage() -> Any:
    return storages["default"]


FINISHED = (JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED)
