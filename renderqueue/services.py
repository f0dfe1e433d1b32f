"""Writes: every change to render jobs goes through these functions (keyword-only, typed).

Redis is only touched through `renderqueue.broker`; enqueueing happens after the DB commits.
"""

from __future__ import annotations

import logging
import time
import traceback as tb
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from renderqueue import conf, signals
from renderqueue.assets import font_book, load_image
from renderqueue.broker import Broker, default_broker
from renderqueue.models import (
    PENDING_STATES,
    Composition,
    JobPriority,
    JobState,
    RenderJob,
    RenderJobType,
    RenderOutput,
    SizePreset,
)
from renderqueue.rendering import render_ad
from renderqueue.storage import output_storage
from renderqueue.validation import (
    FieldErrors,
    InvalidRenderRequest,
    clean_metadata,
    clean_options,
    clean_priority,
    clean_retry,
    clean_template,
    existing_compositions,
    existing_presets,
)

log = logging.getLogger(__name__)


class JobStateError(RuntimeError):
    """The job is not in a state that allows this action; the message says which it is in."""


# --- creating jobs ------------------------------------------------------------------------


def _new_job_id(job_type: str, label: str) -> str:
    slug = slugify(label)[:60].strip("-") or "job"
    return f"{job_type}-{slug}-{int(time.time() * 1000)}"


def job_create(
    *,
    job_type: RenderJobType,
    label: str,
    payload: dict[str, Any],
    options: dict[str, Any] | None = None,
    priority: JobPriority | int | str = JobPriority.NORMAL,
    metadata: dict[str, Any] | None = None,
    attempts: int | None = None,
    backoff: dict[str, Any] | None = None,
    broker: Broker | None = None,
) -> RenderJob:
    """Validate, store the row, and enqueue it in RQ once the transaction commits."""
    errors = FieldErrors()
    try:
        level = clean_priority(priority)
    except InvalidRenderRequest as exc:
        errors.by_field.update(exc.message_dict)
        level = JobPriority.NORMAL
    clean_opts = clean_options(options, errors)
    clean_meta = clean_metadata(metadata, errors)
    attempts, backoff = clean_retry(
        conf.get("ATTEMPTS") if attempts is None else attempts,
        conf.get("BACKOFF") if backoff is None else backoff,
        errors,
    )
    _check_payload(job_type, payload, errors)
    errors.raise_if_any()

    broker = broker or default_broker()
    # Fail before writing anything if the job could not be enqueued anyway.
    broker.ping()

    paused = level in broker.paused_priorities()
    with transaction.atomic():
        job = _insert_job(
            job_type=job_type,
            label=label,
            priority=level,
            state=JobState.PAUSED if paused else JobState.WAITING,
            options=clean_opts,
            metadata=clean_meta,
            payload=payload,
            max_attempts=attempts,
            backoff=backoff,
        )
        transaction.on_commit(lambda: _enqueue_or_fail(job, broker))
    return job


def _insert_job(*, job_type: str, label: str, **fields: Any) -> RenderJob:
    base = _new_job_id(job_type, label)
    for n in range(1, 1000):
        # Two jobs made in the same millisecond (or on two machines) get -2, -3, … suffixes.
        job_id = base if n == 1 else f"{base}-{n}"
        try:
            with transaction.atomic():
                return RenderJob.objects.create(id=job_id, job_type=job_type, **fields)
        except IntegrityError:
            if not RenderJob.objects.filter(pk=job_id).exists():
                raise
    raise IntegrityError(f"could not find a free job id after {base}")


def _enqueue_or_fail(job: RenderJob, broker: Broker) -> None:
    try:
        broker.enqueue(job.id, job.priority, attempts=job.max_attempts, backoff=job.backoff)
    except Exception as exc:
        # The row must not claim to be waiting for a worker that will never see it.
        RenderJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, error=f"Could not enqueue: {exc}", finished_at=timezone.now()
        )
        raise


def _check_payload(job_type: str, payload: dict[str, Any], errors: FieldErrors) -> None:
    if job_type == RenderJobType.SINGLE:
        existing_compositions([payload.get("composition_id")], "composition_id", errors)
    elif job_type == RenderJobType.TEMPLATE:
        clean_template(payload.get("template"), "template", errors)
    elif job_type == RenderJobType.BATCH:
        ids = payload.get("composition_ids")
        if not isinstance(ids, list) or not ids:
            errors.add("composition_ids", f"{ids!r} must be a non-empty list of composition ids")
        else:
            existing_compositions(ids, "composition_ids", errors)
    elif job_type == RenderJobType.CAMPAIGN:
        if "templates" in payload:
            templates = payload["templates"]
            if not isinstance(templates, list) or not templates:
                errors.add("templates", f"{templates!r} must be a non-empty list of templates")
            else:
                fonts = font_book()  # one lookup of the uploaded fonts for every template
                for i, template in enumerate(templates):
                    clean_template(template, f"templates[{i}]", errors, fonts)
        else:
            existing_compositions([payload.get("composition_id")], "composition_id", errors)
            # Stored as the preset names they resolve to, so the job renders what was asked.
            payload["presets"] = existing_presets(payload.get("presets"), "presets", errors)
    else:
        errors.add("job_type", f"{job_type!r} is not one of {', '.join(RenderJobType.values)}")


# --- what a job renders -------------------------------------------------------------------


@dataclass(frozen=True)
class RenderItem:
    item_id: str
    design: dict[str, Any]
    width: int
    height: int
    # Set when the item cannot be rendered at all (its composition was deleted after enqueue).
    error: str = ""


def _template_item(template: dict[str, Any]) -> RenderItem:
    dims = template["dimensions"]
    return RenderItem(str(template["id"]), dict(template.get("content") or {}), dims["width"], dims["height"])


def _composition_item(composition: Composition, preset: SizePreset | None = None) -> RenderItem:
    if preset is None:
        return RenderItem(composition.id, composition.design, composition.width, composition.height)
    return RenderItem(f"{composition.id}-{preset.name}", composition.design, preset.width, preset.height)


def job_items(job: RenderJob) -> list[RenderItem]:
    """Resolved when the job runs, so a retry after fixing a composition renders the fix."""
    payload = job.payload
    if job.job_type == RenderJobType.TEMPLATE:
        return [_template_item(payload["template"])]
    if job.job_type == RenderJobType.CAMPAIGN and "templates" in payload:
        return [_template_item(t) for t in payload["templates"]]
    if job.job_type == RenderJobType.CAMPAIGN:
        composition = Composition.objects.get(pk=payload["composition_id"])
        by_name = SizePreset.objects.in_bulk(payload["presets"])
        return [_composition_item(composition, by_name[n]) for n in payload["presets"] if n in by_name]
    ids = [payload["composition_id"]] if job.job_type == RenderJobType.SINGLE else payload["composition_ids"]
    found = Composition.objects.in_bulk(ids)
    # A composition deleted after enqueue becomes a failed item, not a crashed job.
    return [
        _composition_item(found[i])
        if i in found
        else RenderItem(i, {}, 1, 1, f"composition {i!r} no longer exists")
        for i in ids
    ]


# --- running a job (in the worker) --------------------------------------------------------


def _claim(job_id: str) -> bool:
    """Atomically take the job; a second delivery of the same job finds it taken and does nothing."""
    now = timezone.now()
    return bool(
        RenderJob.objects.filter(pk=job_id, state__in=PENDING_STATES).update(
            state=JobState.ACTIVE,
            attempts_made=F("attempts_made") + 1,
            started_at=now,
            finished_at=None,
            error="",
            traceback="",
            progress_current=0,
            current_item="",
            updated_at=now,
        )
    )


def _still_active(job_id: str, **fields: Any) -> bool:
    """Write progress only while the job is active; False means it was cancelled meanwhile."""
    return bool(
        RenderJob.objects.filter(pk=job_id, state=JobState.ACTIVE).update(updated_at=timezone.now(), **fields)
    )


def job_execute(*, job_id: str, broker: Broker | None = None) -> None:
    if not _claim(job_id):
        log.info("job %s is not pending (duplicate delivery, removed or cancelled): skipped", job_id)
        return
    broker = broker or default_broker()
    job = RenderJob.objects.get(pk=job_id)
    try:
        items = job_items(job)
        _render_items(job, items, broker)
    except _Cancelled:
        log.info("job %s was cancelled while running", job_id)
        return
    except Exception as exc:
        _record_failure(job, exc, broker)
        raise
    _prune_now_and_then(broker)


class _Cancelled(Exception):
    pass


class _AllItemsFailed(Exception):
    pass


def _render_items(job: RenderJob, items: list[RenderItem], broker: Broker) -> None:
    total = len(items)
    if job.attempts_made > 1:
        # Outputs of an earlier attempt are replaced, not duplicated.
        _delete_outputs(RenderOutput.objects.filter(job=job))
    fmt = job.options.get("format", "png")
    render_options = {"quality": 90, **job.options}
    scale = float(job.options.get("scale", 1))
    ext = "jpg" if fmt == "jpeg" else fmt
    fonts = font_book()
    storage = output_storage()
    outputs: list[RenderOutput] = []
    for position, item in enumerate(items):
        # One write per item: progress so far and what is being rendered. It doubles as the
        # cancellation check — it matches nothing once the job is no longer active.
        if not _still_active(
            job.id, progress_current=position, progress_total=total, current_item=item.item_id[:200]
        ):
            raise _Cancelled
        if position:
            job.progress_current, job.progress_total, job.current_item = position, total, item.item_id
            _announce_progress(job, broker)
        started = time.perf_counter()
        output = RenderOutput(
            job=job,
            position=position,
            item_id=item.item_id,
            width=max(1, round(item.width * scale)),
            height=max(1, round(item.height * scale)),
            format=fmt,
        )
        try:
            if item.error:
                raise LookupError(item.error)
            data = render_ad(
                item.design, item.width, item.height, fonts=fonts, images=load_image, **render_options
            )
            name = f"{conf.get('OUTPUT_DIR')}/{job.id}/{position:04d}-{slugify(item.item_id)[:80]}.{ext}"
            output.file.name = storage.save(name, ContentFile(data))
            output.size_bytes = len(data)
        except Exception as exc:
            output.error = f"{exc.__class__.__name__}: {exc}"
            log.warning("job %s item %s failed: %s", job.id, item.item_id, output.error)
        output.duration_ms = round((time.perf_counter() - started) * 1000, 2)
        output.save()
        outputs.append(output)

    failed = sum(1 for o in outputs if o.error)
    rendered = total - failed
    if total and rendered == 0:
        raise _AllItemsFailed(f"all {total} items failed; first: {outputs[0].error}")

    finished = timezone.now()
    done = {
        "state": JobState.COMPLETED,
        "success": failed == 0,
        "total_rendered": rendered,
        "total_failed": failed,
        "finished_at": finished,
        "progress_current": total,
        "progress_total": total,
        "current_item": "",
    }
    if not _still_active(job.id, **done):
        raise _Cancelled
    for field, value in done.items():
        setattr(job, field, value)
    _announce_progress(job, broker)
    result = job.result_summary(outputs)
    signals.render_completed.send(sender=RenderJob, job=job, result=result)
    broker.publish("completed", job.id, result=result)


def _announce_progress(job: RenderJob, broker: Broker) -> None:
    progress = job.progress()
    signals.render_progress.send(sender=RenderJob, job=job, progress=progress)
    broker.publish("progress", job.id, progress=progress)


_last_prune = 0.0
PRUNE_EVERY_SECONDS = 5.0


def _prune_now_and_then(broker: Broker) -> None:
    # Retention is a bound, not an exact count: checking it after every job would cost two
    # queries per render for nothing, so a worker checks at most every few seconds.
    global _last_prune
    if time.monotonic() - _last_prune >= PRUNE_EVERY_SECONDS:
        _last_prune = time.monotonic()
        job_prune_finished(broker=broker)


def _record_failure(job: RenderJob, exc: Exception, broker: Broker) -> None:
    job.refresh_from_db()
    if job.state != JobState.ACTIVE:
        return  # cancelled or removed meanwhile: nothing to record
    final = job.attempts_made >= job.max_attempts
    now = timezone.now()
    fields: dict[str, Any] = {
        "error": f"{exc.__class__.__name__}: {exc}",
        "traceback": "".join(tb.format_exception(exc)),
        "updated_at": now,
        "current_item": "",
    }
    rows = RenderJob.objects.filter(pk=job.id, state=JobState.ACTIVE)
    rendered = RenderOutput.objects.filter(job=job, error="").count()
    failed = RenderOutput.objects.filter(job=job).exclude(error="").count()
    if final:
        rows.update(
            state=JobState.FAILED,
            success=False,
            finished_at=now,
            total_rendered=rendered,
            total_failed=failed,
            **fields,
        )
        job.refresh_from_db()
        signals.render_failed.send(sender=RenderJob, job=job, error=job.error)
        broker.publish("failed", job.id, error=job.error, attempts_made=job.attempts_made)
        job_prune_finished(broker=broker)
    else:
        # RQ's Retry (set at enqueue) schedules the next attempt; the row shows it waiting.
        rows.update(state=JobState.DELAYED, **fields)


# --- steering -----------------------------------------------------------------------------


def _get(job_id: str) -> RenderJob:
    try:
        return RenderJob.objects.get(pk=job_id)
    except RenderJob.DoesNotExist:
        raise RenderJob.DoesNotExist(f"job_id: no render job {job_id!r}") from None


def job_retry(*, job_id: str, broker: Broker | None = None) -> RenderJob:
    """Put a failed or cancelled job back in its queue, with the same id and fresh attempts."""
    broker = broker or default_broker()
    broker.ping()
    job = _get(job_id)
    paused = job.priority in broker.paused_priorities()
    with transaction.atomic():
        updated = RenderJob.objects.filter(pk=job_id, state__in=(JobState.FAILED, JobState.CANCELLED)).update(
            state=JobState.PAUSED if paused else JobState.WAITING,
            attempts_made=0,
            error="",
            traceback="",
            success=None,
            total_rendered=0,
            total_failed=0,
            progress_current=0,
            current_item="",
            started_at=None,
            finished_at=None,
            created_at=timezone.now(),
        )
        if not updated:
            raise JobStateError(
                f"job {job_id!r} is {job.state}: only failed or cancelled jobs can be retried"
            )
        job.refresh_from_db()

        def requeue() -> None:
            broker.delete([job_id])
            _enqueue_or_fail(job, broker)

        transaction.on_commit(requeue)
    return job


def job_retry_all_failed(*, broker: Broker | None = None) -> int:
    ids = list(RenderJob.objects.failed().values_list("id", flat=True))
    for job_id in ids:
        job_retry(job_id=job_id, broker=broker)
    return len(ids)


def job_cancel(*, job_id: str, broker: Broker | None = None) -> RenderJob:
    """Stop a job: a waiting one never runs; a running one stops after the item it is rendering."""
    broker = broker or default_broker()
    job = _get(job_id)
    now = timezone.now()
    updated = RenderJob.objects.filter(pk=job_id, state__in=(*PENDING_STATES, JobState.ACTIVE)).update(
        state=JobState.CANCELLED, finished_at=now, updated_at=now, current_item=""
    )
    if not updated:
        raise JobStateError(f"job {job_id!r} is {job.state}: it has already finished")
    if job.state != JobState.ACTIVE:
        broker.delete([job_id])
    job.refresh_from_db()
    return job


def job_remove(*, job_id: str, broker: Broker | None = None) -> None:
    """Delete a job that is not running, with its outputs and RQ's copy."""
    broker = broker or default_broker()
    job = _get(job_id)
    _remove_jobs(RenderJob.objects.filter(pk=job_id).not_running(), broker)
    if RenderJob.objects.filter(pk=job_id).exists():
        raise JobStateError(f"job {job_id!r} is {job.state}: cancel it before removing it")


def queue_clear(*, broker: Broker | None = None) -> int:
    """Remove every job that is not running (the seed's clear())."""
    broker = broker or default_broker()
    broker.ping()
    removed = _remove_jobs(RenderJob.objects.not_running(), broker)
    broker.empty_all()
    return removed


def _remove_jobs(jobs: Iterable[RenderJob] | Any, broker: Broker) -> int:
    ids = list(jobs.values_list("id", flat=True))
    if not ids:
        return 0
    _delete_outputs(RenderOutput.objects.filter(job_id__in=ids))
    RenderJob.objects.filter(pk__in=ids).not_running().delete()
    broker.delete(ids)
    return len(ids)


def _delete_outputs(outputs: Any) -> None:
    storage = output_storage()
    for name in outputs.exclude(file="").values_list("file", flat=True):
        storage.delete(name)
    outputs.delete()


def job_prune_finished(*, broker: Broker | None = None) -> int:
    """Keep the newest REMOVE_ON_COMPLETE completed and REMOVE_ON_FAIL failed jobs (None keeps all)."""
    broker = broker or default_broker()
    removed = 0
    for state, setting in ((JobState.COMPLETED, "REMOVE_ON_COMPLETE"), (JobState.FAILED, "REMOVE_ON_FAIL")):
        keep = conf.get(setting)
        if keep is None:
            continue
        old = RenderJob.objects.filter(state=state).order_by("-finished_at", "-created_at")[keep:]
        ids = list(old.values_list("id", flat=True))
        if ids:
            removed += _remove_jobs(RenderJob.objects.filter(pk__in=ids), broker)
    return removed


def job_recover_abandoned(*, broker: Broker | None = None) -> list[str]:
    """Active jobs whose worker stopped renewing its lease: back to their queue with the same
    id if attempts remain, else failed. Safe to run from every worker at once."""
    broker = broker or default_broker()
    lease = float(conf.get("LEASE_SECONDS"))
    cutoff = timezone.now() - timedelta(seconds=lease)
    active = list(
        RenderJob.objects.filter(state=JobState.ACTIVE, started_at__lt=cutoff).values_list("id", flat=True)
    )
    leased = broker.leased(active)  # one MGET for all of them
    abandoned = [job_id for job_id in active if job_id not in leased]
    recovered = []
    paused = broker.paused_priorities()
    for job in RenderJob.objects.filter(pk__in=abandoned):
        message = "WorkerLost: the worker stopped while rendering (killed, or its machine went away)"
        now = timezone.now()
        rows = RenderJob.objects.filter(pk=job.pk, state=JobState.ACTIVE, started_at=job.started_at)
        if job.attempts_made < job.max_attempts:
            state = JobState.PAUSED if job.priority in paused else JobState.WAITING
            if rows.update(state=state, error=message, current_item="", updated_at=now):
                broker.delete([job.pk])
                _enqueue_or_fail(job, broker)
                recovered.append(job.pk)
        elif rows.update(
            state=JobState.FAILED, success=False, error=message, finished_at=now, updated_at=now
        ):
            broker.delete([job.pk])
            job.refresh_from_db()
            signals.render_failed.send(sender=RenderJob, job=job, error=message)
            broker.publish("failed", job.pk, error=message, attempts_made=job.attempts_made)
            recovered.append(job.pk)
        log.warning(
            "job %s was abandoned by its worker: %s", job.pk, "requeued" if job.pk in recovered else "failed"
        )
    return recovered


def queue_pause(*, priorities: Iterable[JobPriority] | None = None, broker: Broker | None = None) -> None:
    """Waiting jobs stay; running jobs finish; workers take nothing more from these queues."""
    broker = broker or default_broker()
    levels = list(priorities or JobPriority)
    broker.pause(levels)
    RenderJob.objects.filter(state=JobState.WAITING, priority__in=levels).update(state=JobState.PAUSED)


def queue_resume(*, priorities: Iterable[JobPriority] | None = None, broker: Broker | None = None) -> None:
    broker = broker or default_broker()
    levels = list(priorities or JobPriority)
    broker.resume(levels)
    RenderJob.objects.filter(state=JobState.PAUSED, priority__in=levels).update(state=JobState.WAITING)


__all__ = [
    "InvalidRenderRequest",
    "JobStateError",
    "job_cancel",
    "job_create",
    "job_execute",
    "job_items",
    "job_prune_finished",
    "job_recover_abandoned",
    "job_remove",
    "job_retry",
    "job_retry_all_failed",
    "queue_clear",
    "queue_pause",
    "queue_resume",
]
