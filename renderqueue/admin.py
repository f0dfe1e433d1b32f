"""Admin: read-only jobs with the dashboard's actions (same services), editable designs and presets."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from renderqueue.broker import RedisUnavailable
from renderqueue.models import Asset, Composition, Font, RenderJob, RenderOutput, SizePreset
from renderqueue.permissions import MANAGE_PERMISSION
from renderqueue.services import JobStateError, job_cancel, job_remove, job_retry

PREVIEW_SIZES = [(1080, 1080), (1080, 1920), (1200, 628), (728, 90)]


class RenderOutputInline(admin.TabularInline):
    model = RenderOutput
    extra = 0
    can_delete = False
    fields = ("thumbnail", "item_id", "width", "height", "format", "size_bytes", "duration_ms", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Image")
    def thumbnail(self, output: RenderOutput) -> str:
        if not output.file:
            return "—"
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" style="max-width:120px;max-height:90px"></a>',
            output.file.url,
            output.file.url,
            output.item_id,
        )


def _run_on_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, jobs: QuerySet[RenderJob], action: Any, verb: str
) -> None:
    done = 0
    for job in jobs:
        try:
            action(job_id=job.id)
            done += 1
        except (JobStateError, RedisUnavailable) as exc:
            modeladmin.message_user(request, str(exc), messages.WARNING)
    if done:
        modeladmin.message_user(request, f"{verb} {done} job{'s' if done != 1 else ''}.", messages.SUCCESS)


@admin.register(RenderJob)
class RenderJobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "job_type",
        "priority",
        "state_display",
        "progress_display",
        "created_at",
        "duration_display",
    )
    list_filter = ("state", "job_type", "priority", "created_at")
    search_fields = ("id", "payload", "metadata", "error")
    date_hierarchy = "created_at"
    list_per_page = 50
    inlines = [RenderOutputInline]
    actions = ["retry_jobs", "cancel_jobs", "remove_jobs"]
    readonly_fields = (
        "id",
        "job_type",
        "priority",
        "state",
        "dashboard_link",
        "options",
        "metadata",
        "payload",
        "progress_current",
        "progress_total",
        "current_item",
        "attempts_made",
        "max_attempts",
        "backoff",
        "success",
        "total_rendered",
        "total_failed",
        "error",
        "traceback",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs are made through the queue API, the dashboard or the commands

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting goes through "Remove", which also cleans Redis and the files

    def has_manage_permission(self, request: HttpRequest) -> bool:
        # Used by the actions below (permissions=["manage"]): staff may look, managers may act.
        return request.user.has_perm(MANAGE_PERMISSION)

    @admin.display(description="State", ordering="state")
    def state_display(self, job: RenderJob) -> str:
        return job.get_state_display()

    @admin.display(description="Progress")
    def progress_display(self, job: RenderJob) -> str:
        return f"{job.percentage}% ({job.progress_current}/{job.progress_total})"

    @admin.display(description="Duration")
    def duration_display(self, job: RenderJob) -> str:
        return "—" if job.duration_ms is None else f"{job.duration_ms} ms"

    @admin.display(description="Dashboard")
    def dashboard_link(self, job: RenderJob) -> str:
        return format_html('<a href="{}">Open in the live dashboard</a>', job.get_absolute_url())

    @admin.action(description="Retry selected failed/cancelled jobs", permissions=["manage"])
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[RenderJob]) -> None:
        _run_on_each(self, request, queryset, job_retry, "Retrying")

    @admin.action(description="Cancel selected jobs", permissions=["manage"])
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[RenderJob]) -> None:
        _run_on_each(self, request, queryset, job_cancel, "Cancelled")

    @admin.action(description="Remove selected jobs (not running) and their files", permissions=["manage"])
    def remove_jobs(self, request: HttpRequest, queryset: QuerySet[RenderJob]) -> None:
        _run_on_each(self, request, queryset, job_remove, "Removed")


@admin.register(Composition)
class CompositionAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "width", "height", "updated_at")
    search_fields = ("id", "name")
    readonly_fields = ("previews", "created_at", "updated_at")
    prepopulated_fields = {"id": ("name",)}

    @admin.display(description="Previews")
    def previews(self, composition: Composition) -> str:
        if not composition.pk:
            return "Save to see previews."
        return format_html_join(
            "",
            '<figure style="display:inline-block;margin:0 1rem 1rem 0">'
            '<img src="{}" alt="{}" style="max-width:220px;max-height:220px;border:1px solid #ddd">'
            "<figcaption>{}</figcaption></figure>",
            (
                (
                    reverse("renderqueue:composition_preview", args=[composition.pk, w, h]),
                    f"{composition.name} {w}×{h}",
                    f"{w}×{h}",
                )
                for w, h in PREVIEW_SIZES
            ),
        )


@admin.register(SizePreset)
class SizePresetAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "label", "width", "height", "sort_order")
    list_editable = ("sort_order",)
    list_filter = ("platform",)
    search_fields = ("name", "label", "platform")


@admin.register(Font)
class FontAdmin(admin.ModelAdmin):
    list_display = ("family", "weight", "file", "updated_at")
    search_fields = ("family",)


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("name", "thumbnail", "src")
    search_fields = ("name", "file")
    readonly_fields = ("thumbnail", "src")

    @admin.display(description="Use in designs as")
    def src(self, asset: Asset) -> str:
        return asset.file.name if asset.file else "—"

    @admin.display(description="Image")
    def thumbnail(self, asset: Asset) -> str:
        if not asset.file:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:120px;max-height:60px">', asset.file.url, asset.name
        )
