"""The public Python API, mirroring the seed's RenderQueue in snake_case.

from renderqueue.queue import get_render_queue, JobPriority

queue = get_render_queue()
job = queue.add_campaign_render_job("simple-ad", presets=["square", "story"])
result = wait_for_job_completion(job.id)
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from renderqueue import conf, selectors, services
from renderqueue.broker import Broker, broker_from_config, default_broker, priority_of_queue
from renderqueue.models import JobPriority, JobState, RenderJob, RenderJobType
from renderqueue.validation import InvalidRenderRequest, clean_priority

__all__ = [
    "InvalidRenderRequest",
    "JobPriority",
    "JobState",
    "RenderJobType",
    "RenderQueue",
    "close_render_queue",
    "get_render_queue",
    "wait_for_job_completion",
]

Options = dict[str, Any] | None
Metadata = dict[str, Any] | None


def _priority_levels(queue: JobPriority | int | str | None) -> list[JobPriority] | None:
    if queue is None:
        return None
    if isinstance(queue, str) and queue.startswith(f"{conf.get('QUEUE_PREFIX')}-"):
        return [priority_of_queue(queue)]
    return [clean_priority(queue)]


def _check_config(config: dict[str, Any]) -> None:
    """The seed's config shape; anything else is a mistake worth naming."""
    errors: dict[str, list[str]] = {}
    for key in set(config) - {"redis", "default_job_options"}:
        errors[key] = [f"unknown option {key!r} (known: redis, default_job_options)"]
    redis_config = config.get("redis") or {}
    for key in set(redis_config) - {"host", "port", "password", "db", "url"}:
        errors[f"redis.{key}"] = [f"unknown option {key!r} (known: host, port, password, db, url)"]
    job_options = config.get("default_job_options") or {}
    for key in set(job_options) - {"attempts", "backoff", "remove_on_complete", "remove_on_fail"}:
        errors[f"default_job_options.{key}"] = [
            f"unknown option {key!r} (known: attempts, backoff, remove_on_complete, remove_on_fail)"
        ]
    for key, setting in (("remove_on_complete", "REMOVE_ON_COMPLETE"), ("remove_on_fail", "REMOVE_ON_FAIL")):
        # Retention is enforced by the workers, for every job: it lives in settings, not per queue.
        if key in job_options and job_options[key] != conf.get(setting):
            errors[f"default_job_options.{key}"] = [
                f"{job_options[key]!r}: retention is kept by the workers for all jobs; "
                f"set RENDERQUEUE[{setting!r}] (now {conf.get(setting)!r}) instead"
            ]
    if errors:
        raise InvalidRenderRequest(errors)


class RenderQueue:
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        config = config or {}
        _check_config(config)
        self.broker: Broker = broker_from_config(config["redis"]) if config.get("redis") else default_broker()
        job_options = config.get("default_job_options", {})
        self.attempts: int | None = job_options.get("attempts")
        self.backoff: dict[str, Any] | None = job_options.get("backoff")
        self._listeners: list[Any] = []
        self._worker: subprocess.Popen[bytes] | None = None

    # -- adding jobs ---------------------------------------------------------------------
    def _add(
        self,
        job_type: RenderJobType,
        label: str,
        payload: dict[str, Any],
        options: Options,
        priority: JobPriority | int | str,
        metadata: Metadata,
    ) -> RenderJob:
        return services.job_create(
            job_type=job_type,
            label=label,
            payload=payload,
            options=options,
            priority=priority,
            metadata=metadata,
            attempts=self.attempts,
            backoff=self.backoff,
            broker=self.broker,
        )

    def add_single_render_job(
        self,
        composition_id: str,
        options: Options = None,
        priority: JobPriority | int | str = JobPriority.NORMAL,
        metadata: Metadata = None,
    ) -> RenderJob:
        payload = {"composition_id": composition_id}
        return self._add(RenderJobType.SINGLE, str(composition_id), payload, options, priority, metadata)

    def add_template_render_job(
        self,
        template: dict[str, Any],
        options: Options = None,
        priority: JobPriority | int | str = JobPriority.NORMAL,
        metadata: Metadata = None,
    ) -> RenderJob:
        label = str(template.get("id", "template")) if isinstance(template, dict) else "template"
        return self._add(RenderJobType.TEMPLATE, label, {"template": template}, options, priority, metadata)

    def add_batch_render_job(
        self,
        composition_ids: list[str],
        options: Options = None,
        priority: JobPriority | int | str = JobPriority.NORMAL,
        metadata: Metadata = None,
    ) -> RenderJob:
        count = len(composition_ids) if isinstance(composition_ids, list) else 0
        payload = {"composition_ids": composition_ids}
        return self._add(RenderJobType.BATCH, f"{count}-items", payload, options, priority, metadata)

    def add_campaign_render_job(
        self,
        templates: list[dict[str, Any]] | str,
        options: Options = None,
        priority: JobPriority | int | str = JobPriority.NORMAL,
        metadata: Metadata = None,
        *,
        presets: list[str] | str | None = None,
    ) -> RenderJob:
        """`templates`: the seed's list of templates, or one composition id rendered in `presets`
        (names from the catalogue; default: all of them)."""
        if isinstance(templates, str):
            payload: dict[str, Any] = {"composition_id": templates, "presets": presets or "all"}
            label = templates
        else:
            payload = {"templates": templates}
            label = (metadata or {}).get(
                "campaign"
            ) or f"{len(templates) if isinstance(templates, list) else 0}-sizes"
        return self._add(RenderJobType.CAMPAIGN, str(label), payload, options, priority, metadata)

    # -- reading -------------------------------------------------------------------------
    def get_job(self, job_id: str) -> RenderJob | None:
        return selectors.job_get(job_id)

    def get_job_state(self, job_id: str) -> str | None:
        job = selectors.job_get(job_id)
        return job.state if job else None

    def get_job_progress(self, job_id: str) -> dict[str, Any] | None:
        job = selectors.job_get(job_id)
        return job.progress() if job else None

    def get_jobs(self, state: str | JobState) -> QuerySet[RenderJob]:
        if state not in JobState.values:
            raise InvalidRenderRequest({"state": [f"{state!r} is not one of {', '.join(JobState.values)}"]})
        return selectors.job_list(state=state)

    def get_stats(self) -> dict[str, int]:
        return selectors.job_stats()

    # -- steering ------------------------------------------------------------------------
    def remove_job(self, job_id: str) -> None:
        services.job_remove(job_id=job_id, broker=self.broker)

    def retry_job(self, job_id: str) -> RenderJob:
        return services.job_retry(job_id=job_id, broker=self.broker)

    def cancel_job(self, job_id: str) -> RenderJob:
        return services.job_cancel(job_id=job_id, broker=self.broker)

    def pause(self, queue: JobPriority | int | str | None = None) -> None:
        """Pause one priority queue (URGENT/HIGH/NORMAL/LOW, its value, or its RQ name) or all."""
        services.queue_pause(priorities=_priority_levels(queue), broker=self.broker)

    def resume(self, queue: JobPriority | int | str | None = None) -> None:
        services.queue_resume(priorities=_priority_levels(queue), broker=self.broker)

    def is_paused(self, queue: JobPriority | int | str) -> bool:
        return clean_priority(queue) in self.broker.paused_priorities()

    def clear(self) -> int:
        return services.queue_clear(broker=self.broker)

    # -- workers -------------------------------------------------------------------------
    def start_worker(self, concurrency: int = 2) -> subprocess.Popen[bytes]:
        """Start `concurrency` worker processes in the background (the seed's startWorker)."""
        if self._worker is not None and self._worker.poll() is None:
            return self._worker
        from renderqueue.worker import worker_command

        command, env = worker_command(concurrency)
        self._worker = subprocess.Popen(command, env=env)
        return self._worker

    def stop_worker(self, timeout: float = 60) -> None:
        """Let running jobs finish, then stop the workers this queue started."""
        if self._worker is None:
            return
        if self._worker.poll() is None:
            self._worker.send_signal(signal.SIGTERM)
            try:
                self._worker.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._worker.kill()
                self._worker.wait()
        self._worker = None

    # -- events --------------------------------------------------------------------------
    def setup_event_listener(
        self,
        on_completed: Callable[[str, dict[str, Any]], Any] | None = None,
        on_failed: Callable[[str, str], Any] | None = None,
        on_progress: Callable[[str, dict[str, Any]], Any] | None = None,
    ) -> None:
        """Callbacks run in this process for jobs rendered by any worker on any machine."""

        def dispatch(event: dict[str, Any]) -> None:
            kind, job_id = event.get("event"), event.get("job_id", "")
            if kind == "completed" and on_completed:
                on_completed(job_id, event["result"])
            elif kind == "failed" and on_failed:
                on_failed(job_id, event["error"])
            elif kind == "progress" and on_progress:
                on_progress(job_id, event["progress"])

        self._listeners.append(self.broker.listen(dispatch))

    def close(self) -> None:
        for listener in self._listeners:
            listener.stop()
        self._listeners.clear()
        self.stop_worker()


_instance: RenderQueue | None = None


def get_render_queue(config: dict[str, Any] | None = None) -> RenderQueue:
    """The process-wide RenderQueue; a config given on first use sets it up."""
    global _instance
    if _instance is None:
        _instance = RenderQueue(config)
    return _instance


def close_render_queue() -> None:
    global _instance
    if _instance is not None:
        _instance.close()
        _instance = None


def wait_for_job_completion(job_id: str, timeout: float = 300, poll: float = 0.1) -> dict[str, Any]:
    """Block until the job completes, fails or is cancelled; return its result summary."""
    deadline = time.monotonic() + timeout
    while True:
        job = selectors.job_get(job_id)
        if job is None:
            raise RenderJob.DoesNotExist(f"job_id: no render job {job_id!r}")
        if job.is_finished:
            return job.result_summary()
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} is still {job.state} after {timeout:.0f}s")
        time.sleep(poll)
