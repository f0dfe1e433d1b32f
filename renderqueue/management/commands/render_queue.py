"""`manage.py render_queue ACTION`: the seed's test script, plus the worker."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from renderqueue import selectors
from renderqueue.broker import RedisUnavailable
from renderqueue.models import JobPriority
from renderqueue.queue import get_render_queue, wait_for_job_completion
from renderqueue.samples import load_samples
from renderqueue.validation import InvalidRenderRequest

ACTIONS = (
    "demo",
    "stats",
    "clear",
    "test-single",
    "test-template",
    "test-batch",
    "test-campaign",
    "load-samples",
    "worker",
    "pause",
    "resume",
    "preview",
)
RULE = "=" * 60
DEMO_TEMPLATE = {
    "id": "social-ad-1",
    "name": "Instagram Square",
    "dimensions": {"width": 1080, "height": 1080},
    "content": {"headline": "Summer Sale", "body": "Up to 50% off", "cta": "Shop now"},
}
DEMO_TEMPLATES = [
    {"id": "square", "dimensions": {"width": 1080, "height": 1080}, "content": DEMO_TEMPLATE["content"]},
    {"id": "story", "dimensions": {"width": 1080, "height": 1920}, "content": DEMO_TEMPLATE["content"]},
    {"id": "landscape", "dimensions": {"width": 1920, "height": 1080}, "content": DEMO_TEMPLATE["content"]},
]


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise ArgumentTypeError(f"{value!r} must be at least 1")
    return number


class Command(BaseCommand):
    help = "Render queue: demo, stats, clear, test-single|template|batch|campaign, load-samples, worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("--json", action="store_true", help="stats: print JSON")
        parser.add_argument("--concurrency", type=positive_int, default=1, help="worker: processes to run")
        parser.add_argument("--burst", action="store_true", help="worker: exit when the queues are empty")
        parser.add_argument("--wait", action="store_true", help="test-*: wait for the job to finish")
        parser.add_argument("--queue", help="pause/resume: URGENT, HIGH, NORMAL or LOW (default: all)")
        parser.add_argument("composition", nargs="?", help="preview: the composition id")
        parser.add_argument(
            "--sizes", default="all", help="preview: preset or platform names, comma-separated, or all"
        )
        parser.add_argument("-o", "--output", default="previews", help="preview: folder to write into")
        parser.add_argument(
            "--format", default="png", choices=("png", "jpeg", "webp"), help="preview: image format"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        handler = getattr(self, "do_" + action.replace("-", "_"))
        try:
            handler(**options)
        except RedisUnavailable as exc:
            raise CommandError(str(exc)) from None
        except InvalidRenderRequest as exc:
            raise CommandError(f"Invalid request: {exc}") from None

    # -- output helpers ------------------------------------------------------------------
    def section(self, title: str) -> None:
        self.stdout.write(f"\n{RULE}\n  {title}\n{RULE}")

    def show_job(self, job: Any, extra: dict[str, Any] | None = None) -> None:
        self.stdout.write(self.style.SUCCESS(f"✓ Job created: {job.id}"))
        self.stdout.write(f"  - Type: {job.job_type}")
        self.stdout.write(f"  - Priority: {job.priority}")
        for key, value in (extra or {}).items():
            self.stdout.write(f"  - {key}: {value}")
        self.stdout.write(f"  - State: {get_render_queue().get_job_state(job.id)}")

    def maybe_wait(self, job: Any, wait: bool) -> None:
        if not wait:
            return
        result = wait_for_job_completion(job.id, timeout=300)
        self.stdout.write(
            f"  - Finished: rendered {result['total_rendered']}, failed {result['total_failed']}, "
            f"{result['duration']} ms"
        )
        for item in result["results"]:
            where = item["output_path"] or item["error"]
            self.stdout.write(
                f"    {item['item_id']}: {item['width']}x{item['height']} {item['format']} {where}"
            )

    # -- actions -------------------------------------------------------------------------
    def do_load_samples(self, **options: Any) -> None:
        compositions, presets = load_samples()
        self.stdout.write(f"Loaded {compositions} compositions and {presets} size presets.")

    def do_test_single(self, wait: bool = False, **options: Any) -> None:
        self.section("TEST 1: Single Render Job")
        job = get_render_queue().add_single_render_job(
            "simple-ad",
            {"format": "png", "quality": 90},
            JobPriority.NORMAL,
            {"user": "user-123", "project": "project-456"},
        )
        self.show_job(job, {"Composition": "simple-ad"})
        self.maybe_wait(job, wait)

    def do_test_template(self, wait: bool = False, **options: Any) -> None:
        self.section("TEST 2: Template Render Job")
        job = get_render_queue().add_template_render_job(
            DEMO_TEMPLATE, {"format": "jpeg", "quality": 85}, JobPriority.HIGH
        )
        self.show_job(job, {"Template": DEMO_TEMPLATE["id"]})
        self.maybe_wait(job, wait)

    def do_test_batch(self, wait: bool = False, **options: Any) -> None:
        self.section("TEST 3: Batch Render Job")
        ids = ["ad-1", "ad-2", "ad-3", "ad-4", "ad-5"]
        job = get_render_queue().add_batch_render_job(
            ids, {"format": "webp", "quality": 90}, JobPriority.NORMAL
        )
        self.show_job(job, {"Compositions": ", ".join(ids)})
        self.maybe_wait(job, wait)

    def do_test_campaign(self, wait: bool = False, **options: Any) -> None:
        self.section("TEST 4: Campaign Render Job")
        job = get_render_queue().add_campaign_render_job(
            DEMO_TEMPLATES,
            {"format": "png", "quality": 95},
            JobPriority.URGENT,
            {"campaign": "Summer Sale 2024"},
        )
        self.show_job(job, {"Sizes": ", ".join(t["id"] for t in DEMO_TEMPLATES)})
        self.maybe_wait(job, wait)

    def do_stats(self, json: bool = False, title: str = "Queue Statistics", **options: Any) -> None:
        stats = selectors.job_stats()
        if json:
            self.stdout.write(_json({**stats, "paused_queues": self._paused()}))
            return
        self.section(title)
        for key in ("total", "waiting", "paused", "active", "delayed", "completed", "failed", "cancelled"):
            label = "Total Jobs" if key == "total" else key.capitalize()
            self.stdout.write(f"{label + ':':<17}{stats[key]}")
        paused = self._paused()
        self.stdout.write(f"{'Paused queues:':<17}{', '.join(paused) or 'none'}")

    def _paused(self) -> list[str]:
        return [p.name for p in sorted(get_render_queue().broker.paused_priorities())]

    def do_clear(self, **options: Any) -> None:
        removed = get_render_queue().clear()
        self.stdout.write(f"Removed {removed} jobs (running jobs were left to finish).")

    def do_pause(self, queue: str | None = None, **options: Any) -> None:
        get_render_queue().pause(queue)
        self.stdout.write(f"Paused {queue.upper() if queue else 'all queues'}.")

    def do_resume(self, queue: str | None = None, **options: Any) -> None:
        get_render_queue().resume(queue)
        self.stdout.write(f"Resumed {queue.upper() if queue else 'all queues'}.")

    def do_worker(self, concurrency: int = 1, burst: bool = False, **options: Any) -> None:
        from renderqueue.worker import run_worker, supervise

        if concurrency == 1:
            run_worker(burst=burst)
        else:
            self.stdout.write(f"Starting {concurrency} render workers (Ctrl-C lets running jobs finish).")
            raise SystemExit(supervise(concurrency, burst=burst))

    def do_preview(
        self,
        composition: str | None = None,
        sizes: str = "all",
        output: str = "previews",
        format: str = "png",
        **options: Any,
    ) -> None:
        """Render a composition in each size straight to files, without the queue."""
        from pathlib import Path

        from renderqueue.assets import font_book, load_image
        from renderqueue.models import Composition, SizePreset
        from renderqueue.rendering import RenderError, render_ad
        from renderqueue.validation import FieldErrors, existing_presets

        if not composition:
            raise CommandError("preview needs a composition id: render_queue preview simple-ad --sizes all")
        design = Composition.objects.filter(pk=composition).first()
        if design is None:
            raise CommandError(f"composition_id: unknown composition {composition!r}")
        errors = FieldErrors()
        names = existing_presets(sizes.split(",") if sizes != "all" else "all", "--sizes", errors)
        if errors.by_field:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.by_field.items()))
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        fonts = font_book()
        for preset in SizePreset.objects.filter(name__in=names):
            ext = "jpg" if format == "jpeg" else format
            path = folder / f"{composition}-{preset.name}.{ext}"
            try:
                data = render_ad(
                    design.design, preset.width, preset.height, format=format, fonts=fonts, images=load_image
                )
            except RenderError as exc:
                raise CommandError(str(exc)) from None
            path.write_bytes(data)
            self.stdout.write(f"{path}  {preset.width}x{preset.height}  {len(data) / 1024:.1f} KB")

    def do_demo(self, **options: Any) -> None:
        self.section("RENDER QUEUE DEMO")
        self.stdout.write(
            _json(
                {
                    "description": "Full demonstration of render queue features",
                    "features": [
                        "Job creation (single, template, batch, campaign)",
                        "Priority management",
                        "Progress tracking",
                        "Queue statistics",
                        "Event listeners",
                    ],
                }
            )
        )
        load_samples()
        queue = get_render_queue()
        events: list[str] = []
        queue.setup_event_listener(
            on_completed=lambda job_id, result: events.append(f"completed {job_id}"),
            on_failed=lambda job_id, error: events.append(f"failed {job_id}: {error}"),
        )
        self.do_test_single()
        self.do_test_template()
        self.do_test_batch()
        self.do_test_campaign()
        self.do_stats(title="TEST 6: Queue Statistics")
        workers = queue.broker.workers()
        if workers:
            self.section("Waiting for workers")
            deadline = time.monotonic() + 120
            # Events arrive just after each row is updated: wait for both (bounded).
            while time.monotonic() < deadline and (
                len(events) < 4 or any(selectors.job_stats()[s] for s in ("waiting", "active", "delayed"))
            ):
                time.sleep(0.1)
            for line in events:
                self.stdout.write(f"  event: {line}")
            self.do_stats()
        else:
            self.stdout.write("\nNo worker is running: start one with `manage.py render_queue worker`.")
        queue.close()
        self.section("DEMO COMPLETE")
        self.stdout.write(
            _json(
                {
                    "status": "success",
                    "message": "All jobs were queued." if not workers else "All jobs were processed.",
                    "nextSteps": [
                        "1. Start Redis server: make run (embedded) or REDIS_URL",
                        "2. Start worker: python manage.py render_queue worker --concurrency 2",
                        "3. Add jobs to queue",
                        "4. Monitor progress and results",
                    ],
                }
            )
        )


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, cls=DjangoJSONEncoder)
