"""Everything that talks to Redis and RQ: queues per priority, pause flags, events, workers.

Nothing else in renderqueue imports redis or rq (but the worker, which *is* RQ).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_rq
import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.worker import BaseWorker

from renderqueue import conf
from renderqueue.models import JobPriority

log = logging.getLogger(__name__)

TASK = "renderqueue.tasks.run_render_job"


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached. The message names the address and what to do."""


def queue_name(priority: JobPriority | int) -> str:
    return f"{conf.get('QUEUE_PREFIX')}-{JobPriority(priority).slug}"


def queue_names() -> list[str]:
    """In the order workers drain them: URGENT before HIGH before NORMAL before LOW."""
    return [queue_name(p) for p in sorted(JobPriority)]


def priority_of_queue(name: str) -> JobPriority:
    for priority in JobPriority:
        if queue_name(priority) == name:
            return priority
    raise ValueError(f"queue: {name!r} is not a render queue (known: {', '.join(queue_names())})")


def describe_address(conn: redis.Redis) -> str:
    pool = conn.connection_pool
    if getattr(pool, "service_name", None):  # a Sentinel-managed master
        sentinels = ", ".join(
            f"{c.connection_pool.connection_kwargs.get('host')}:"
            f"{c.connection_pool.connection_kwargs.get('port')}"
            for c in pool.sentinel_manager.sentinels
        )
        return f"the master {pool.service_name!r} of sentinels {sentinels}"
    kwargs = pool.connection_kwargs
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def unavailable(conn: redis.Redis, exc: BaseException) -> RedisUnavailable:
    return RedisUnavailable(
        f"Cannot reach Redis at {describe_address(conn)} ({exc.__class__.__name__}). "
        "Start it (`make run` starts the embedded one; `redis-server` for a system one) "
        "or point REDIS_URL at a running server."
    )


@dataclass
class Broker:
    connection: redis.Redis

    # -- keys of our own -------------------------------------------------------------
    @property
    def paused_key(self) -> str:
        return f"{conf.get('KEY_PREFIX')}:paused"

    @property
    def events_channel(self) -> str:
        return f"{conf.get('KEY_PREFIX')}:events"

    def ping(self) -> None:
        try:
            self.connection.ping()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise unavailable(self.connection, exc) from exc

    # -- queues ----------------------------------------------------------------------
    def queue(self, priority: JobPriority | int) -> Queue:
        return Queue(
            queue_name(priority),
            connection=self.connection,
            serializer=JSONSerializer,
            default_timeout=conf.get("JOB_TIMEOUT"),
        )

    def queues(self) -> list[Queue]:
        return [self.queue(p) for p in sorted(JobPriority)]

    def enqueue(
        self, job_id: str, priority: JobPriority | int, *, attempts: int, backoff: dict[str, Any]
    ) -> None:
        retry = None
        if attempts > 1:
            retry = Retry(max=attempts - 1, interval=backoff_intervals(attempts, backoff))
        try:
            self.queue(priority).enqueue(
                TASK,
                job_id,
                job_id=job_id,
                retry=retry,
                result_ttl=conf.get("RESULT_TTL"),
                failure_ttl=conf.get("FAILURE_TTL"),
                description=f"render {job_id}",
            )
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            raise unavailable(self.connection, exc) from exc

    def delete(self, job_ids: Iterable[str]) -> None:
        """Forget RQ's copy of these jobs: out of every queue and registry."""
        for job_id in job_ids:
            try:
                job = Job.fetch(job_id, connection=self.connection, serializer=JSONSerializer)
            except NoSuchJobError:
                continue
            job.delete()

    def waiting_counts(self) -> dict[JobPriority, int]:
        with self.connection.pipeline() as pipe:
            for q in self.queues():
                pipe.llen(q.key)
            counts = pipe.execute()
        return dict(zip(sorted(JobPriority), counts, strict=True))

    def empty_all(self) -> None:
        """Drop every job not running: waiting, scheduled retries, finished, failed."""
        for q in self.queues():
            for registry in (
                q.scheduled_job_registry,
                q.finished_job_registry,
                q.failed_job_registry,
                q.canceled_job_registry,
                q.deferred_job_registry,
            ):
                self.delete(registry.get_job_ids())
            q.empty()

    def overview(self) -> tuple[set[JobPriority], dict[JobPriority, int], list[dict[str, Any]]]:
        """Paused queues, waiting counts and workers, for the dashboard."""
        try:
            return self.paused_priorities(), self.waiting_counts(), self.workers()
        except (redis.RedisError, OSError) as exc:
            raise unavailable(self.connection, exc) from exc

    # -- pause -----------------------------------------------------------------------
    def pause(self, priorities: Iterable[JobPriority]) -> None:
        names = [queue_name(p) for p in priorities]
        if names:
            self.connection.sadd(self.paused_key, *names)

    def resume(self, priorities: Iterable[JobPriority]) -> None:
        names = [queue_name(p) for p in priorities]
        if names:
            self.connection.srem(self.paused_key, *names)

    def paused_queue_names(self) -> set[str]:
        return {n.decode() if isinstance(n, bytes) else n for n in self.connection.smembers(self.paused_key)}

    def paused_priorities(self) -> set[JobPriority]:
        return {priority_of_queue(n) for n in self.paused_queue_names() if n in queue_names()}

    # -- leases: which running jobs still have a live worker ---------------------------
    def lease_key(self, job_id: str) -> str:
        return f"{conf.get('KEY_PREFIX')}:lease:{job_id}"

    def renew_lease(self, job_id: str, holder: str, seconds: float) -> None:
        self.connection.set(self.lease_key(job_id), holder, px=round(seconds * 1000))

    def release_lease(self, job_id: str) -> None:
        self.connection.delete(self.lease_key(job_id))

    def leased(self, job_ids: list[str]) -> set[str]:
        if not job_ids:
            return set()
        values = self.connection.mget([self.lease_key(i) for i in job_ids])
        return {job_id for job_id, value in zip(job_ids, values, strict=True) if value is not None}

    # -- events ----------------------------------------------------------------------
    def publish(self, event: str, job_id: str, **data: Any) -> None:
        message = json.dumps({"event": event, "job_id": job_id, **data}, cls=DjangoJSONEncoder)
        try:
            self.connection.publish(self.events_channel, message)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            # Events are a notification, not the record (the DB row is): never fail a render for one.
            log.warning("could not publish %s event for %s", event, job_id, exc_info=True)

    def listen(self, handler: Callable[[dict[str, Any]], None]) -> EventListener:
        """Call `handler` with each event in a background thread until `.stop()`."""
        listener = EventListener(
            self.connection.pubsub(ignore_subscribe_messages=True), self.events_channel, handler
        )
        listener.start()
        return listener

    # -- workers ---------------------------------------------------------------------
    def workers(self) -> list[dict[str, Any]]:
        mine = set(queue_names())
        found = []
        for worker in BaseWorker.all(connection=self.connection):
            if not mine & set(worker.queue_names()):
                continue
            heartbeat: datetime | None = worker.last_heartbeat
            found.append(
                {
                    "name": worker.name,
                    "hostname": worker.hostname,
                    "pid": worker.pid,
                    "state": worker.get_state(),
                    "current_job_id": worker.get_current_job_id(),
                    "last_heartbeat": heartbeat,
                    "queues": worker.queue_names(),
                }
            )
        return sorted(found, key=lambda w: w["name"])


class EventListener(threading.Thread):
    """Reads our pub/sub channel. Unlike redis-py's run_in_thread, stop() lets the reading
    thread close its own socket, so stopping never races a read on a closed descriptor."""

    def __init__(self, pubsub: Any, channel: str, handler: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(daemon=True, name=f"renderqueue-events-{channel}")
        self.pubsub, self.handler = pubsub, handler
        self.pubsub.subscribe(channel)
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.is_set():
                try:
                    message = self.pubsub.get_message(timeout=0.1)
                except (redis.ConnectionError, redis.TimeoutError):
                    log.warning("render event listener lost Redis; reconnecting", exc_info=True)
                    self._stopped.wait(1)
                    continue
                if message and message.get("type") == "message":
                    try:
                        self.handler(json.loads(message["data"]))
                    except Exception:
                        log.exception("render event listener raised")
        finally:
            self.pubsub.close()

    def stop(self, timeout: float = 2) -> None:
        self._stopped.set()
        self.join(timeout)


def backoff_intervals(attempts: int, backoff: dict[str, Any]) -> list[int]:
    """Seconds before each retry: the seed's {type, delay ms}; exponential doubles each time."""
    delay_s = max(0, round(int(backoff.get("delay", 0)) / 1000))
    if backoff.get("type", "exponential") == "fixed":
        return [delay_s] * (attempts - 1)
    return [delay_s * 2**i for i in range(attempts - 1)]


_connections: dict[tuple[int, str], redis.Redis] = {}


def default_broker() -> Broker:
    """A Broker on the connection django-rq's RQ_QUEUES gives our queues, one client per process.

    django_rq.get_connection builds a new client (and so a new TCP connection) on every call;
    reusing one keeps each Redis command a single round trip. Keyed by pid: never share a
    socket across fork.
    """
    name = queue_names()[0]
    if name not in getattr(settings, "RQ_QUEUES", {}):
        # The system check renderqueue.E001 says the same at start-up.
        raise RedisUnavailable(f"RQ_QUEUES has no entry {name!r}: declare the render queues (see README)")
    key = (os.getpid(), name)
    if key not in _connections:
        _connections[key] = django_rq.get_connection(name)
    return Broker(_connections[key])


@receiver(setting_changed)
def _forget_connections(*, setting: str, **kwargs: object) -> None:
    if setting in ("RQ_QUEUES", "RENDERQUEUE"):
        _connections.clear()


def broker_from_config(redis_config: dict[str, Any]) -> Broker:
    """The seed's `redis: {host, port, password, db}` (or `url`)."""
    if "url" in redis_config:
        return Broker(redis.Redis.from_url(redis_config["url"]))
    return Broker(
        redis.Redis(
            host=redis_config.get("host", "localhost"),
            port=int(redis_config.get("port", 6379)),
            password=redis_config.get("password") or None,
            db=int(redis_config.get("db", 0)),
        )
    )
