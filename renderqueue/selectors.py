"""Reads: what the dashboard, admin, commands and the public API show."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from renderqueue.models import JobState, RenderJob, RenderJobType


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


def job_types() -> list[tuple[str, str]]:
    return list(RenderJobType.choices)
