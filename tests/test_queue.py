"""The public API end to end: real redis-server, real `render_queue worker` processes."""

from __future__ import annotations

import threading
import time
from io import BytesIO

import pytest
from django.db import transaction
from PIL import Image

from renderqueue.broker import default_broker
from renderqueue.models import Composition, JobPriority, JobState, RenderJob, RenderOutput
from renderqueue.queue import RenderQueue, wait_for_job_completion

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE = {
    "id": "social-ad-1",
    "name": "Instagram Square",
    "dimensions": {"width": 1080, "height": 1080},
    "content": {"headline": "Summer Sale", "body": "Up to 50% off"},
}


def open_output(storage, result_item):
    with storage.open(result_item["output_path"]) as fh:
        image = Image.open(BytesIO(fh.read()))
        image.load()
    return image


def test_every_job_type_renders_real_files(live_samples, start_workers, output_storage):
    queue = RenderQueue()
    start_workers(2)
    single = queue.add_single_render_job("simple-ad", {"format": "png"}, metadata={"user": "user-123"})
    template = queue.add_template_render_job(TEMPLATE, {"format": "jpeg", "quality": 85}, JobPriority.HIGH)
    batch = queue.add_batch_render_job(["ad-1", "ad-2", "ad-3"], {"format": "webp", "quality": 90})
    campaign = queue.add_campaign_render_job(
        "simple-ad", {"format": "png"}, presets=["square", "story", "landscape"]
    )

    expected = {
        single.id: [("PNG", (1080, 1080))],
        template.id: [("JPEG", (1080, 1080))],
        batch.id: [("WEBP", (1080, 1080))] * 3,
        campaign.id: [("PNG", (1080, 1080)), ("PNG", (1080, 1920)), ("PNG", (1920, 1080))],
    }
    for job_id, images in expected.items():
        result = wait_for_job_completion(job_id, timeout=60)
        assert result["success"], result
        assert result["total_rendered"] == len(images)
        assert result["total_failed"] == 0
        assert result["duration"] is not None and result["end_time"] >= result["start_time"]
        got = [
            (open_output(output_storage, r).format, open_output(output_storage, r).size)
            for r in result["results"]
        ]
        assert got == images
        for item in result["results"]:
            assert item["size_bytes"] == output_storage.size(item["output_path"])

    assert queue.get_job(single.id).metadata == {"user": "user-123"}
    assert queue.get_job_progress(batch.id) == {
        "current": 3,
        "total": 3,
        "percentage": 100,
        "current_item": None,
    }
    assert queue.get_stats()["completed"] == 4


def test_seed_style_job_ids_are_readable_and_unique(live_samples):
    queue = RenderQueue()
    ids = [queue.add_single_render_job("simple-ad").id for _ in range(5)]
    assert len(set(ids)) == 5
    assert all(i.startswith("single-simple-ad-") for i in ids)
    # The same string is RQ's job id, so `rq info` and django-rq's pages show the same name.
    rq_ids = default_broker().queue(JobPriority.NORMAL).get_job_ids()
    assert rq_ids == ids


def test_priorities_are_strict_across_queues(live_samples, start_workers):
    queue = RenderQueue()
    order = [JobPriority.LOW, JobPriority.NORMAL, JobPriority.LOW, JobPriority.HIGH, JobPriority.URGENT]
    jobs = [queue.add_single_render_job("simple-ad", priority=p) for p in order]
    start_workers(1)
    for job in jobs:
        wait_for_job_completion(job.id, timeout=60)
    started = sorted(RenderJob.objects.all(), key=lambda j: j.started_at)
    assert [j.priority for j in started] == [
        JobPriority.URGENT,
        JobPriority.HIGH,
        JobPriority.NORMAL,
        JobPriority.LOW,
        JobPriority.LOW,
    ]


def test_pause_one_queue_keeps_its_jobs_waiting_and_resume_runs_them(
    live_samples, start_workers, wait_for_state
):
    queue = RenderQueue()
    start_workers(1)
    queue.pause(JobPriority.NORMAL)
    paused_job = queue.add_single_render_job("simple-ad", priority=JobPriority.NORMAL)
    assert paused_job.state == JobState.PAUSED

    urgent = queue.add_single_render_job("simple-ad", priority=JobPriority.URGENT)
    wait_for_job_completion(urgent.id, timeout=30)  # other queues keep flowing
    time.sleep(1.5)
    assert queue.get_job_state(paused_job.id) == JobState.PAUSED
    assert queue.get_stats()["paused"] == 1

    resumed_at = time.monotonic()
    queue.resume(JobPriority.NORMAL)
    assert queue.get_job_state(paused_job.id) in (JobState.WAITING, JobState.ACTIVE, JobState.COMPLETED)
    wait_for_state(paused_job.id, JobState.ACTIVE, JobState.COMPLETED, timeout=10)
    # The worker was not restarted: it noticed the resume by itself, within its poll interval.
    assert time.monotonic() - resumed_at < 2.0


def test_pause_all_then_resume_all(live_samples, start_workers, wait_for_state):
    queue = RenderQueue()
    start_workers(1)
    queue.pause()
    jobs = [queue.add_single_render_job("simple-ad", priority=p) for p in JobPriority]
    time.sleep(1.2)
    assert {queue.get_job_state(j.id) for j in jobs} == {JobState.PAUSED}
    queue.resume()
    for job in jobs:
        wait_for_state(job.id, JobState.COMPLETED)


def test_failed_attempts_back_off_then_retry_succeeds_after_fix(live_samples, start_workers, wait_for_state):
    queue = RenderQueue(
        {"default_job_options": {"attempts": 3, "backoff": {"type": "exponential", "delay": 1000}}}
    )
    design = Composition.objects.values("id", "name", "design").get(pk="ad-1")
    job = queue.add_single_render_job("ad-1")
    Composition.objects.filter(pk="ad-1").delete()  # the worker will fail to find it
    start_workers(1)

    delayed = wait_for_state(job.id, JobState.DELAYED)
    assert delayed.attempts_made == 1
    assert "ad-1" in delayed.error
    # Put the composition back: the scheduled retry picks it up (rows are resolved when a job runs).
    Composition.objects.create(**design)
    done = wait_for_state(job.id, JobState.COMPLETED, timeout=30)
    assert done.attempts_made == 2
    assert done.error == ""


def test_job_fails_after_all_attempts_with_exponential_backoff(live_samples, start_workers, wait_for_state):
    queue = RenderQueue(
        {"default_job_options": {"attempts": 3, "backoff": {"type": "exponential", "delay": 1000}}}
    )
    job = queue.add_batch_render_job(["ad-2", "ad-3"])
    Composition.objects.filter(pk__in=["ad-2", "ad-3"]).delete()
    started = time.monotonic()
    start_workers(1)
    failed = wait_for_state(job.id, JobState.FAILED, timeout=40)
    elapsed = time.monotonic() - started
    assert failed.attempts_made == 3
    assert failed.total_failed == 2 and failed.total_rendered == 0
    assert "no longer exists" in failed.error and "Traceback" in failed.traceback
    # Waits of 1 s then 2 s between the three attempts (RQ's scheduler works in whole seconds).
    assert elapsed >= 3
    rq_failed = default_broker().queue(JobPriority.NORMAL).failed_job_registry.get_job_ids()
    assert rq_failed == [job.id]


def test_one_bad_item_does_not_stop_a_batch(live_samples, start_workers):
    queue = RenderQueue()
    job = queue.add_batch_render_job(["ad-1", "ad-2", "ad-3"])
    Composition.objects.filter(pk="ad-2").delete()
    start_workers(1)
    result = wait_for_job_completion(job.id, timeout=30)
    assert (result["total_rendered"], result["total_failed"]) == (2, 1)
    assert result["success"] is False
    bad = [r for r in result["results"] if r["error"]]
    assert [r["item_id"] for r in bad] == ["ad-2"] and bad[0]["output_path"] is None


def test_events_reach_callbacks_in_this_process_from_the_worker_process(live_samples, start_workers):
    queue = RenderQueue()
    seen: dict[str, list] = {"completed": [], "failed": [], "progress": []}
    done = threading.Event()

    def on_completed(job_id, result):
        seen["completed"].append((job_id, result["total_rendered"]))
        done.set()

    queue.setup_event_listener(
        on_completed=on_completed,
        on_failed=lambda job_id, error: seen["failed"].append(job_id),
        on_progress=lambda job_id, progress: seen["progress"].append(progress["current"]),
    )
    try:
        start_workers(1)
        job = queue.add_batch_render_job(["ad-1", "ad-2", "ad-3", "ad-4"])
        assert done.wait(30)
    finally:
        queue.close()
    assert seen["completed"] == [(job.id, 4)]
    assert seen["progress"] == [1, 2, 3, 4]
    assert seen["failed"] == []


def test_sigterm_lets_the_running_job_finish(live_samples, start_workers, wait_for_state):
    queue = RenderQueue()
    job = queue.add_campaign_render_job("simple-ad", {"format": "png"})  # every preset: a few seconds
    worker = start_workers(1)
    wait_for_state(job.id, JobState.ACTIVE)
    assert worker.stop() == 0
    finished = RenderJob.objects.get(pk=job.id)
    assert finished.state == JobState.COMPLETED
    assert finished.total_rendered == finished.progress_total > 1


def test_rollback_leaves_no_job(live_samples):
    queue = RenderQueue()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.add_single_render_job("simple-ad")
        raise RuntimeError("the caller's transaction fails")
    assert RenderJob.objects.count() == 0
    assert default_broker().waiting_counts()[JobPriority.NORMAL] == 0


def test_enqueue_waits_for_the_callers_commit(live_samples):
    queue = RenderQueue()
    with transaction.atomic():
        job = queue.add_single_render_job("simple-ad")
        assert default_broker().waiting_counts()[JobPriority.NORMAL] == 0
    assert default_broker().queue(JobPriority.NORMAL).get_job_ids() == [job.id]


def test_a_job_whose_worker_is_killed_is_recovered_by_another(live_samples, start_workers, wait_for_state):
    import os
    import signal

    fast_lease = {"RENDERQUEUE_SETTINGS": '{"LEASE_SECONDS": 2}'}
    # Big, slow images: a few seconds of work, so the worker can be killed half-way.
    job = RenderQueue().add_campaign_render_job(
        "simple-ad", {"format": "png", "scale": 2, "png_compression": 9}
    )
    doomed = start_workers(1, extra_env=fast_lease)
    wait_for_state(job.id, JobState.ACTIVE)
    os.killpg(doomed.process.pid, signal.SIGKILL)  # no chance to clean up: like a machine dying
    doomed.process.wait()
    assert RenderJob.objects.get(pk=job.id).state == JobState.ACTIVE  # stuck, as RQ alone would leave it

    start_workers(1, extra_env=fast_lease)
    done = wait_for_state(job.id, JobState.COMPLETED, timeout=120)
    assert done.attempts_made == 2  # the lost attempt counts; the second one rendered everything
    assert done.total_rendered == done.progress_total == RenderOutput.objects.filter(job=done).count()


def test_cancel_stops_a_running_job_after_its_current_item(live_samples, start_workers, wait_for_state):
    queue = RenderQueue()
    job = queue.add_campaign_render_job("simple-ad", {"format": "png", "scale": 2, "png_compression": 9})
    start_workers(1)
    running = wait_for_state(job.id, JobState.ACTIVE)
    queue.cancel_job(job.id)
    time.sleep(2)  # the worker notices at its next item
    cancelled = RenderJob.objects.get(pk=job.id)
    assert cancelled.state == JobState.CANCELLED
    rendered = RenderOutput.objects.filter(job=cancelled).count()
    assert rendered < running.progress_total or running.progress_total == 0
    time.sleep(1)
    assert RenderOutput.objects.filter(job=cancelled).count() == rendered  # nothing more was rendered
    # The worker is free again.
    follow_up = queue.add_single_render_job("simple-ad", priority=JobPriority.URGENT)
    assert wait_for_job_completion(follow_up.id, timeout=30)["success"]


def test_start_worker_and_stop_worker_from_the_api(live_samples, monkeypatch):
    from django.db import connection

    from renderqueue.testing.workers import database_url

    # The workers the API starts inherit this process's environment: point them at the test DB.
    monkeypatch.setenv("DATABASE_URL", database_url(connection.settings_dict))
    queue = RenderQueue()
    job = queue.add_batch_render_job(["ad-1", "ad-2"])
    process = queue.start_worker(concurrency=2)
    try:
        assert wait_for_job_completion(job.id, timeout=60)["total_rendered"] == 2
    finally:
        queue.stop_worker()
    assert process.returncode == 0
