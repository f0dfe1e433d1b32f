"""Dashboard views: thin. Reads come from selectors, writes go through the queue API/services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from renderqueue import selectors
from renderqueue.broker import RedisUnavailable, default_broker
from renderqueue.forms import NewRenderForm
from renderqueue.models import Composition, JobPriority, JobState, RenderJobType
from renderqueue.permissions import can_manage, manager_required, staff_required
from renderqueue.queue import get_render_queue
from renderqueue.rendering import RenderError, render_ad
from renderqueue.services import JobStateError, job_retry_all_failed

FAST_POLL_SECONDS = 1
IDLE_POLL_SECONDS = 10
PAGE_SIZE = 25


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@require_GET
@staff_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    filters = {
        "state": request.GET.get("state") if request.GET.get("state") in JobState.values else None,
        "job_type": request.GET.get("type") if request.GET.get("type") in RenderJobType.values else None,
        "priority": _int_or_none(request.GET.get("priority")),
        "search": request.GET.get("q", "").strip()[:200],
    }
    page = Paginator(selectors.job_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    try:
        paused, waiting, workers = default_broker().overview()
        redis_error = None
    except RedisUnavailable as exc:  # show it on the page rather than a 500
        paused, waiting, workers, redis_error = set(), {}, [], str(exc)
    stats = selectors.job_stats()
    context: dict[str, Any] = {
        "stats": stats,
        "counters": [(state.value, state.label, stats[state.value]) for state in JobState],
        "queues": [
            {"priority": p, "paused": p in paused, "waiting": waiting.get(p, 0)} for p in sorted(JobPriority)
        ],
        "workers": workers,
        "redis_error": redis_error,
        "chart": selectors.throughput_per_minute(),
        "page": page,
        "filters": filters,
        "states": JobState.choices,
        "job_types": RenderJobType.choices,
        "priorities": JobPriority.choices,
        "can_manage": can_manage(request),
        "poll_seconds": FAST_POLL_SECONDS if selectors.is_moving() else IDLE_POLL_SECONDS,
    }
    template = "renderqueue/partials/overview.html" if request.htmx else "renderqueue/dashboard.html"
    return render(request, template, context)


@require_GET
@staff_required
def job_detail(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_get(job_id)
    if job is None:
        raise Http404(f"No render job {job_id!r}.")
    context = {"job": job, "outputs": job.outputs.all(), "can_manage": can_manage(request)}
    # A finished job renders without a poll trigger: swapping it in stops the polling.
    template = "renderqueue/partials/job.html" if request.htmx else "renderqueue/job_detail.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@manager_required
def new_render(request: HttpRequest) -> HttpResponse:
    form = NewRenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = form.save()
        except RedisUnavailable as exc:
            form.add_error(None, str(exc))
            job = None
        if job is not None:
            messages.success(request, f"Queued {job.id}.")
            return redirect(job)
    return render(request, "renderqueue/new_render.html", {"form": form})


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("renderqueue:dashboard")
    return HttpResponseRedirect(target)


def _act(request: HttpRequest, action: Any, success: str) -> HttpResponseRedirect:
    try:
        action()
    except (JobStateError, RedisUnavailable) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return _back(request)


def _priority(level: str) -> JobPriority:
    if level.upper() not in JobPriority.names:
        raise Http404(f"No queue {level!r}.")
    return JobPriority[level.upper()]


@require_POST
@manager_required
def queue_pause(request: HttpRequest, level: str) -> HttpResponse:
    priority = _priority(level)
    return _act(request, lambda: get_render_queue().pause(priority), f"Paused the {priority.label} queue.")


@require_POST
@manager_required
def queue_resume(request: HttpRequest, level: str) -> HttpResponse:
    priority = _priority(level)
    return _act(request, lambda: get_render_queue().resume(priority), f"Resumed the {priority.label} queue.")


@require_POST
@manager_required
def pause_all(request: HttpRequest) -> HttpResponse:
    return _act(request, lambda: get_render_queue().pause(), "Paused every queue.")


@require_POST
@manager_required
def resume_all(request: HttpRequest) -> HttpResponse:
    return _act(request, lambda: get_render_queue().resume(), "Resumed every queue.")


@require_POST
@manager_required
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    return _act(request, lambda: get_render_queue().retry_job(job_id), f"Retrying {job_id}.")


@require_POST
@manager_required
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    return _act(request, lambda: get_render_queue().cancel_job(job_id), f"Cancelled {job_id}.")


@require_POST
@manager_required
def job_remove(request: HttpRequest, job_id: str) -> HttpResponse:
    response = _act(request, lambda: get_render_queue().remove_job(job_id), f"Removed {job_id}.")
    if selectors.job_get(job_id) is None and response.url == reverse("renderqueue:job_detail", args=[job_id]):
        return redirect("renderqueue:dashboard")
    return response


@require_POST
@manager_required
def retry_failed(request: HttpRequest) -> HttpResponse:
    try:
        count = job_retry_all_failed(broker=get_render_queue().broker)
    except RedisUnavailable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Retrying {count} failed job{'s' if count != 1 else ''}.")
    return _back(request)


@require_http_methods(["GET", "POST"])
@manager_required
def clear(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Confirmation step: GET only shows what would go.
        stats = selectors.job_stats()
        going = stats["total"] - stats["active"]
        return render(request, "renderqueue/clear_confirm.html", {"stats": stats, "going": going})
    return _act(request, lambda: get_render_queue().clear(), "Cleared every job that was not running.")


@require_GET
@staff_required
def composition_preview(request: HttpRequest, composition_id: str, width: int, height: int) -> HttpResponse:
    composition = get_object_or_404(Composition, pk=composition_id)
    try:
        data = render_ad(composition.design, width, height, format="png")
    except RenderError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response
