"""The RQ worker that runs render jobs, and a supervisor for N of them.

RenderWorker is RQ's SimpleWorker (no fork per job: a fork costs ~9 ms here, more than many
renders) that skips paused queues. RQ itself only knows a global suspend (rq#2339); we keep a
Redis set of paused queue names and re-read it whenever the worker is idle, so a pause or
resume takes effect within WORKER_POLL_SECONDS without restarting anything.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

import redis
from django.db import close_old_connections
from rq.exceptions import DequeueTimeout
from rq.job import Job
from rq.queue import Queue
from rq.serializers import JSONSerializer
from rq.worker import SimpleWorker, WorkerStatus

from renderqueue import conf, services
from renderqueue.broker import Broker, default_broker

log = logging.getLogger(__name__)


class RenderWorker(SimpleWorker):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("serializer", JSONSerializer)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.broker = Broker(self.connection)
        self._last_recovery = 0.0

    def recover_abandoned_jobs(self) -> None:
        # Every few seconds while idle: cheap (one indexed query, usually empty).
        if time.monotonic() - self._last_recovery < float(conf.get("LEASE_SECONDS")) / 3:
            return
        self._last_recovery = time.monotonic()
        try:
            services.job_recover_abandoned(broker=self.broker)
        except Exception:
            self.log.exception("Worker %s: recovering abandoned jobs failed", self.name)

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        poll = float(conf.get("WORKER_POLL_SECONDS"))
        self.set_state(WorkerStatus.IDLE)
        self.procline("Listening on " + ",".join(self.queue_names()))
        while True:
            try:
                self.heartbeat()
                if self.should_run_maintenance_tasks:
                    self.run_maintenance_tasks()
                self.recover_abandoned_jobs()
                paused = self.broker.paused_queue_names()
                # Strict priority: self.queues is URGENT, HIGH, NORMAL, LOW and BLPOP honours key order.
                active = [q for q in self.queues if q.name not in paused]
                if not active:
                    if timeout is None:
                        return None
                    time.sleep(poll)
                    continue
                result = self.queue_class.dequeue_any(
                    active,
                    None if timeout is None else poll,  # type: ignore[arg-type]
                    connection=self.connection,
                    job_class=self.job_class,
                    serializer=self.serializer,
                    death_penalty_class=self.death_penalty_class,
                )
            except DequeueTimeout:
                continue
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                self.log.error("Worker %s: cannot reach Redis (%s); retrying in 1s", self.name, exc)
                time.sleep(1)
                continue
            if result is None:
                return None
            job, queue = result
            if queue.name in self.broker.paused_queue_names():
                # Paused while we were blocked on it: hand the job back, first in line.
                with self.connection.pipeline() as pipe:
                    pipe.lrem(queue.intermediate_queue_key, 1, job.id)
                    pipe.lpush(queue.key, job.id)
                    pipe.execute()
                continue
            job.redis_server_version = self.get_redis_server_version()
            self.log.info("Worker %s: %s: %s", self.name, queue.name, job.id)
            self.heartbeat()
            return job, queue

    def prepare_job_execution(self, job: Job, remove_from_intermediate_queue: bool = False) -> None:
        # RQ moves a job through an "intermediate" list when it dequeues from a single queue;
        # we often listen on one (the others paused), so always clear it.
        super().prepare_job_execution(job, remove_from_intermediate_queue=True)

    def perform_job(self, job: Job, queue: Queue, execution: object) -> bool:
        # Long-lived process: drop DB connections Django would consider stale, as a request would.
        close_old_connections()
        try:
            with JobLease(self.broker, job.id, self.name):
                return super().perform_job(job, queue, execution)  # type: ignore[arg-type]
        finally:
            close_old_connections()


class JobLease:
    """Renews a short Redis lease on the running job from a background thread, so that other
    workers can tell a job that is still being rendered from one whose worker died."""

    def __init__(self, broker: Broker, job_id: str, holder: str) -> None:
        self.broker, self.job_id, self.holder = broker, job_id, holder
        self.seconds = float(conf.get("LEASE_SECONDS"))
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True, name=f"lease-{job_id}")

    def _renew(self) -> None:
        while not self._done.wait(self.seconds / 3):
            try:
                self.broker.renew_lease(self.job_id, self.holder, self.seconds)
            except redis.RedisError:
                log.warning("could not renew the lease on %s", self.job_id, exc_info=True)

    def __enter__(self) -> JobLease:
        self.broker.renew_lease(self.job_id, self.holder, self.seconds)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        try:
            self.broker.release_lease(self.job_id)
        except redis.RedisError:
            log.warning("could not release the lease on %s", self.job_id, exc_info=True)


def run_worker(*, burst: bool = False, with_scheduler: bool = True, name: str | None = None) -> bool:
    """One worker in this process; returns whether it did any work."""
    broker = default_broker()
    broker.ping()
    worker = RenderWorker(broker.queues(), connection=broker.connection, name=name)
    # The scheduler moves retries (and other scheduled jobs) back into their queue when due.
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")


def worker_command(concurrency: int, *, burst: bool = False) -> tuple[list[str], dict[str, str]]:
    """`python -m django render_queue worker` for a child process, run from this project's folder."""
    command = [sys.executable, "-m", "django", "render_queue", "worker", "--concurrency", str(concurrency)]
    if burst:
        command.append("--burst")
    path = os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))
    return command, {**os.environ, "PYTHONPATH": path}


def supervise(concurrency: int, *, burst: bool = False) -> int:
    """Run `concurrency` worker processes; SIGTERM/SIGINT let each finish its job, then exit.

    Children are fresh interpreters (not forks), so no DB or Redis connection is shared.
    """
    command, env = worker_command(1, burst=burst)
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children.extend(subprocess.Popen(command, env=env) for _ in range(concurrency))
    while True:
        alive = [c for c in children if c.poll() is None]
        if not alive and (stopping or burst):
            break
        if not stopping and not burst:
            for i, child in enumerate(children):
                if child.poll() is not None:
                    log.warning("worker pid %s exited with %s; starting another", child.pid, child.returncode)
                    time.sleep(1)
                    children[i] = subprocess.Popen(command, env=env)
        time.sleep(0.2)
    return max((c.returncode or 0) for c in children)
