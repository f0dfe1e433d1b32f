"""Reads: what the dashboard, admin, commands and the public API show."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from renderqueue.models import JobState, RenderJob


def job_stats() -> dict[str, int]:
    """Counts per state in one query, plus the total."""
    counts = dict(RenderJob.objects.values_list("state").annotate(n=Count("id")).order_by())
    stats = {state.value: counts.get(state.value, 0) for state in JobState}
    return {"total": sum(stats.values()), **stats}


def job_list(
    *,
    state: str | None = None,
    job_type: str | None = None,
    priority: int | None = None,
    search: str = "",
) -> QuerySet[RenderJob]:
    jobs = RenderJob.objects.all()
    if state:
        jobs = jobs.filter(state=state)
    if job_type:
        jobs = jobs.filter(job_type=job_type)
    if priority is not None:
        jobs = jobs.filter(priority=priority)
    if search:
        # Composition ids and metadata live in JSON; a text match over them finds both portably.
        jobs = jobs.filter(
            Q(id__icontains=search) | Q(payload__icontains=search) | Q(metadata__icontains=search)
        )
    return jobs


def job_get(job_id: str) -> RenderJob | None:
    return RenderJob.objects.filter(pk=job_id).first()


def throughput_per_minute(*, minutes: int = 60, now: datetime | None = None) -> list[dict[str, Any]]:
    """Completed and failed jobs per minute, oldest first, for the dashboard's chart."""
    now = now or timezone.now()
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    buckets = [{"minute": start + timedelta(minutes=i), "completed": 0, "failed": 0} for i in range(minutes)]
    rows = RenderJob.objects.filter(
        state__in=(JobState.COMPLETED, JobState.FAILED), finished_at__gte=start, finished_at__lt=end
    ).values_list("state", "finished_at")
    for state, finished_at in rows:
        index = int((finished_at - start).total_seconds() // 60)
        buckets[index][state] += 1
    return buckets


def is_moving() -> bool:
    """Whether anything can change without a person acting: then the dashboard keeps polling fast."""
    return RenderJob.objects.filter(state__in=(JobState.WAITING, JobState.ACTIVE, JobState.DELAYED)).exists()
