"""The DB is the source of truth: one RenderJob row per render job, one RenderOutput per image."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class RenderJobType(models.TextChoices):
    SINGLE = "single", "Single composition"
    TEMPLATE = "template", "Ad template"
    BATCH = "batch", "Batch"
    CAMPAIGN = "campaign", "Campaign"


class JobPriority(models.IntegerChoices):
    # The seed's values: lower runs first. Each level is its own RQ queue, drained strictly in order.
    URGENT = 0, "Urgent"
    HIGH = 1, "High"
    NORMAL = 5, "Normal"
    LOW = 10, "Low"

    @property
    def slug(self) -> str:
        return self.name.lower()


class JobState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    PAUSED = "paused", "Paused"  # waiting in a paused queue
    ACTIVE = "active", "Active"
    DELAYED = "delayed", "Delayed"  # waiting for a scheduled retry
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


PENDING_STATES = (JobState.WAITING, JobState.PAUSED, JobState.DELAYED)
FINISHED_STATES = (JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED)


class ImageFormat(models.TextChoices):
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"
    WEBP = "webp", "WebP"


class RenderJobQuerySet(models.QuerySet["RenderJob"]):
    def waiting(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.WAITING)

    def paused(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.PAUSED)

    def active(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.ACTIVE)

    def delayed(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.DELAYED)

    def completed(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.COMPLETED)

    def failed(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.FAILED)

    def cancelled(self) -> RenderJobQuerySet:
        return self.filter(state=JobState.CANCELLED)

    def pending(self) -> RenderJobQuerySet:
        return self.filter(state__in=PENDING_STATES)

    def finished(self) -> RenderJobQuerySet:
        return self.filter(state__in=FINISHED_STATES)

    def not_running(self) -> RenderJobQuerySet:
        return self.exclude(state=JobState.ACTIVE)


class RenderJob(models.Model):
    # The seed's readable id, e.g. "single-simple-ad-1706400000000"; also the RQ job id.
    id = models.CharField(primary_key=True, max_length=120, editable=False)
    job_type = models.CharField(max_length=max(len(v) for v in RenderJobType.values), choices=RenderJobType)
    priority = models.PositiveSmallIntegerField(choices=JobPriority, default=JobPriority.NORMAL)
    state = models.CharField(
        max_length=max(len(v) for v in JobState.values), choices=JobState, default=JobState.WAITING
    )
    options = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="The request as it was made.")

    progress_current = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    current_item = models.CharField(max_length=200, blank=True)

    attempts_made = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    backoff = models.JSONField(default=dict, blank=True)

    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    success = models.BooleanField(null=True)
    total_rendered = models.PositiveIntegerField(default=0)
    total_failed = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RenderJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="renderjob_state_created"),
            models.Index(fields=["priority", "state"], name="renderjob_priority_state"),
            models.Index(fields=["job_type", "-created_at"], name="renderjob_type_created"),
            models.Index(fields=["state", "finished_at"], name="renderjob_state_finished"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__in=JobPriority.values), name="renderjob_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress_current__lte=F("progress_total")), name="renderjob_progress_in_range"
            ),
        ]
        permissions = [("manage_render_queue", "Can manage the render queue")]

    def __str__(self) -> str:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("renderqueue:job_detail", args=[self.id])

    @property
    def percentage(self) -> int:
        if not self.progress_total:
            return 100 if self.state == JobState.COMPLETED else 0
        return round(100 * self.progress_current / self.progress_total)

    @property
    def duration_ms(self) -> int | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds() * 1000)
        return None

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left at the pace so far, while running."""
        if self.state != JobState.ACTIVE or not self.started_at or not self.progress_current:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        return round(elapsed / self.progress_current * (self.progress_total - self.progress_current))

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    def progress(self) -> dict[str, Any]:
        """The seed's RenderJobProgress."""
        return {
            "current": self.progress_current,
            "total": self.progress_total,
            "percentage": self.percentage,
            "current_item": self.current_item or None,
        }

    def result_summary(self, outputs: list[RenderOutput] | None = None) -> dict[str, Any]:
        """The seed's RenderJobResult, in snake_case."""
        outputs = list(self.outputs.all()) if outputs is None else outputs
        return {
            "success": bool(self.success),
            "results": [output.as_result() for output in outputs],
            "total_rendered": self.total_rendered,
            "total_failed": self.total_failed,
            "start_time": self.started_at,
            "end_time": self.finished_at,
            "duration": self.duration_ms,
            "error": self.error or None,
        }


class RenderOutput(models.Model):
    """One rendered image (the seed's RenderStillResult)."""

    job = models.ForeignKey(RenderJob, on_delete=models.CASCADE, related_name="outputs")
    position = models.PositiveIntegerField()
    item_id = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=4, choices=ImageFormat)
    file = models.FileField(max_length=300, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    duration_ms = models.FloatField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="renderoutput_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.item_id}"

    def as_result(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "output_path": self.file.name or None,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "size_bytes": self.size_bytes,
            "duration_ms": self.duration_ms,
            "error": self.error or None,
        }


class Composition(models.Model):
    """A saved ad design, addressed by id (the seed's "composition-id")."""

    id = models.SlugField(primary_key=True, max_length=100)
    name = models.CharField(max_length=200)
    width = models.PositiveIntegerField(default=1080)
    height = models.PositiveIntegerField(default=1080)
    design = models.JSONField(
        default=dict, blank=True, help_text="background, text_color, accent_color, headline, body, cta."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from renderqueue.assets import font_book
        from renderqueue.rendering import DesignError, validate_design

        try:
            validate_design(self.design, fonts=font_book())
        except DesignError as exc:
            raise ValidationError({"design": exc.errors}) from None


class SizePreset(models.Model):
    name = models.SlugField(primary_key=True, max_length=60)
    platform = models.CharField(max_length=60, blank=True)
    label = models.CharField(max_length=120)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return f"{self.label} ({self.width}x{self.height})"


class FontWeight(models.TextChoices):
    REGULAR = "regular", "Regular"
    BOLD = "bold", "Bold"


class Font(models.Model):
    """An uploaded font file, chosen in designs by family name (`"font": {"family": …}`)."""

    family = models.CharField(max_length=100)
    weight = models.CharField(max_length=7, choices=FontWeight, default=FontWeight.REGULAR)
    file = models.FileField(upload_to="fonts/", help_text="A TrueType (.ttf) or OpenType (.otf) file.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family", "weight"]
        constraints = [models.UniqueConstraint(fields=["family", "weight"], name="font_unique_face")]

    def __str__(self) -> str:
        return f"{self.family} {self.get_weight_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from PIL import ImageFont

        if self.file:
            try:
                self.file.seek(0)
                ImageFont.truetype(self.file, 12)
            except OSError:
                raise ValidationError({"file": "This is not a TrueType or OpenType font file."}) from None
            finally:
                self.file.seek(0)


class Asset(models.Model):
    """An uploaded image (logo, photo) that designs use by its file name (`"src"`)."""

    name = models.CharField(max_length=200)
    file = models.ImageField(upload_to="assets/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
