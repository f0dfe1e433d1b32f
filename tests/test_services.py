"""Services and the public API in this process, against the test redis-server."""

from __future__ import annotations

import pytest
from django.test import override_settings

from renderqueue import services
from renderqueue.broker import default_broker
from renderqueue.models import JobPriority, JobState, RenderJob, RenderJobType, RenderOutput
from renderqueue.queue import InvalidRenderRequest, RenderQueue, get_render_queue
from renderqueue.services import JobStateError

pytestmark = pytest.mark.django_db(transaction=True)

GOOD_TEMPLATE = {"id": "t", "dimensions": {"width": 300, "height": 250}, "content": {"headline": "Hi"}}


def waiting_in_redis() -> int:
    return sum(default_broker().waiting_counts().values())


@pytest.mark.parametrize(
    ("call", "field", "value_text"),
    [
        (lambda q: q.add_single_render_job("no-such-ad"), "composition_id", "'no-such-ad'"),
        (lambda q: q.add_single_render_job("simple-ad", {"format": "gif"}), "options.format", "'gif'"),
        (lambda q: q.add_single_render_job("simple-ad", {"quality": 0}), "options.quality", "0"),
        (lambda q: q.add_single_render_job("simple-ad", {"quality": 101}), "options.quality", "101"),
        (lambda q: q.add_single_render_job("simple-ad", {"qualty": 80}), "options.qualty", "'qualty'"),
        (lambda q: q.add_single_render_job("simple-ad", priority=3), "priority", "3"),
        (lambda q: q.add_single_render_job("simple-ad", priority="SOON"), "priority", "'SOON'"),
        (lambda q: q.add_batch_render_job(["ad-1", "nope"]), "composition_ids", "'nope'"),
        (lambda q: q.add_batch_render_job([]), "composition_ids", "[]"),
        (
            lambda q: q.add_template_render_job({**GOOD_TEMPLATE, "dimensions": {"width": 0, "height": 250}}),
            "template.dimensions.width",
            "0",
        ),
        (
            lambda q: q.add_template_render_job(
                {**GOOD_TEMPLATE, "dimensions": {"width": 100000, "height": 9}}
            ),
            "template.dimensions.width",
            "100000",
        ),
        (
            lambda q: q.add_campaign_render_job([GOOD_TEMPLATE, {"id": "x", "dimensions": "big"}]),
            "templates[1].dimensions",
            "'big'",
        ),
        (lambda q: q.add_campaign_render_job("simple-ad", presets=["square", "huge"]), "presets", "'huge'"),
    ],
)
def test_bad_input_names_field_and_value_and_creates_nothing(live_samples, call, field, value_text):
    with pytest.raises(InvalidRenderRequest) as info:
        call(RenderQueue())
    assert field in info.value.message_dict
    assert value_text in str(info.value)
    assert RenderJob.objects.count() == 0
    assert waiting_in_redis() == 0


def test_several_bad_fields_are_reported_together(live_samples):
    with pytest.raises(InvalidRenderRequest) as info:
        RenderQueue().add_single_render_job("nope", {"format": "bmp", "quality": -1}, priority=7)
    assert set(info.value.message_dict) == {"composition_id", "options.format", "options.quality", "priority"}


def test_priority_accepts_enum_value_and_name(live_samples):
    queue = RenderQueue()
    jobs = [queue.add_single_render_job("simple-ad", priority=p) for p in (JobPriority.HIGH, 10, "urgent")]
    assert [j.priority for j in jobs] == [JobPriority.HIGH, JobPriority.LOW, JobPriority.URGENT]
    counts = default_broker().waiting_counts()
    assert (counts[JobPriority.HIGH], counts[JobPriority.LOW], counts[JobPriority.URGENT]) == (1, 1, 1)


def test_duplicate_delivery_renders_once(live_samples):
    job = RenderQueue().add_batch_render_job(["ad-1", "ad-2"])
    services.job_execute(job_id=job.id)
    first_files = list(RenderOutput.objects.filter(job=job).values_list("file", flat=True))
    services.job_execute(job_id=job.id)  # RQ delivers the same job again
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED and job.attempts_made == 1
    assert list(RenderOutput.objects.filter(job=job).values_list("file", flat=True)) == first_files


def test_stats_count_every_state(live_samples):
    queue = RenderQueue()
    a = queue.add_single_render_job("simple-ad")
    queue.add_single_render_job("simple-ad")
    queue.pause(JobPriority.LOW)
    queue.add_single_render_job("simple-ad", priority=JobPriority.LOW)
    services.job_execute(job_id=a.id)
    stats = queue.get_stats()
    assert stats == {
        "total": 3,
        "waiting": 1,
        "paused": 1,
        "active": 0,
        "delayed": 0,
        "completed": 1,
        "failed": 0,
        "cancelled": 0,
    }
    assert list(queue.get_jobs("completed")) == [RenderJob.objects.get(pk=a.id)]
    with pytest.raises(InvalidRenderRequest, match="state"):
        queue.get_jobs("done")


def test_remove_job_deletes_row_files_and_rq_job(live_samples, output_storage):
    queue = RenderQueue()
    job = queue.add_single_render_job("simple-ad")
    services.job_execute(job_id=job.id)
    path = RenderOutput.objects.get(job=job).file.name
    assert output_storage.exists(path)
    queue.remove_job(job.id)
    assert not RenderJob.objects.filter(pk=job.id).exists()
    assert not output_storage.exists(path)
    assert default_broker().queue(JobPriority.NORMAL).fetch_job(job.id) is None


def test_remove_refuses_a_running_job(live_samples):
    job = RenderQueue().add_single_render_job("simple-ad")
    RenderJob.objects.filter(pk=job.id).update(state=JobState.ACTIVE)
    with pytest.raises(JobStateError, match="active"):
        RenderQueue().remove_job(job.id)
    assert RenderJob.objects.filter(pk=job.id).exists()


def test_retry_puts_a_failed_job_back_with_its_id(live_samples):
    queue = RenderQueue()
    job = queue.add_single_render_job("simple-ad")
    RenderJob.objects.filter(pk=job.id).update(state=JobState.FAILED, attempts_made=3, error="boom")
    default_broker().queue(JobPriority.NORMAL).empty()
    retried = queue.retry_job(job.id)
    assert retried.id == job.id and retried.state == JobState.WAITING
    assert retried.attempts_made == 0 and retried.error == ""
    assert default_broker().queue(JobPriority.NORMAL).get_job_ids() == [job.id]


def test_retry_refuses_a_waiting_job(live_samples):
    job = RenderQueue().add_single_render_job("simple-ad")
    with pytest.raises(JobStateError, match="only failed or cancelled"):
        RenderQueue().retry_job(job.id)


def test_cancel_a_waiting_job_takes_it_out_of_redis(live_samples):
    queue = RenderQueue()
    job = queue.add_single_render_job("simple-ad")
    queue.cancel_job(job.id)
    assert queue.get_job_state(job.id) == JobState.CANCELLED
    assert waiting_in_redis() == 0
    services.job_execute(job_id=job.id)  # even if delivered, it does not run
    assert RenderOutput.objects.count() == 0


def test_clear_removes_everything_not_running(live_samples):
    queue = RenderQueue()
    done = queue.add_single_render_job("simple-ad")
    services.job_execute(job_id=done.id)
    queue.add_single_render_job("simple-ad")
    running = queue.add_single_render_job("simple-ad", priority=JobPriority.HIGH)
    RenderJob.objects.filter(pk=running.id).update(state=JobState.ACTIVE)
    assert queue.clear() == 2
    assert list(RenderJob.objects.values_list("id", flat=True)) == [running.id]
    assert waiting_in_redis() == 0


@override_settings(RENDERQUEUE={"REMOVE_ON_COMPLETE": 2, "REMOVE_ON_FAIL": 1})
def test_retention_keeps_the_newest_finished_jobs(live_samples):
    queue = RenderQueue()
    completed = []
    for _ in range(4):
        job = queue.add_single_render_job("simple-ad")
        services.job_execute(job_id=job.id)  # prunes after each job
        completed.append(job.id)
    failed = [queue.add_single_render_job("simple-ad").id for _ in range(2)]
    RenderJob.objects.filter(pk__in=failed).update(state=JobState.FAILED)
    services.job_prune_finished()
    assert set(RenderJob.objects.completed().values_list("id", flat=True)) == set(completed[-2:])
    assert RenderJob.objects.failed().count() == 1
    assert RenderOutput.objects.count() == 2


def test_progress_is_the_seeds_shape(live_samples):
    job = RenderQueue().add_batch_render_job(["ad-1", "ad-2", "ad-3", "ad-4"])
    assert RenderQueue().get_job_progress(job.id) == {
        "current": 0,
        "total": 0,
        "percentage": 0,
        "current_item": None,
    }
    RenderJob.objects.filter(pk=job.id).update(progress_current=1, progress_total=4, current_item="ad-2")
    assert RenderQueue().get_job_progress(job.id) == {
        "current": 1,
        "total": 4,
        "percentage": 25,
        "current_item": "ad-2",
    }
    assert RenderQueue().get_job_progress("missing") is None


def test_get_render_queue_is_a_singleton(live_samples):
    assert get_render_queue() is get_render_queue()


def test_campaign_from_templates_uses_each_templates_size(live_samples):
    templates = [
        {"id": "square", "dimensions": {"width": 1080, "height": 1080}, "content": {"headline": "A"}},
        {"id": "banner", "dimensions": {"width": 728, "height": 90}, "content": {"headline": "A"}},
    ]
    job = RenderQueue().add_campaign_render_job(
        templates, {"format": "jpeg"}, metadata={"campaign": "Summer"}
    )
    assert job.job_type == RenderJobType.CAMPAIGN and job.id.startswith("campaign-summer-")
    services.job_execute(job_id=job.id)
    sizes = list(RenderOutput.objects.filter(job=job).values_list("item_id", "width", "height"))
    assert sizes == [("square", 1080, 1080), ("banner", 728, 90)]


def test_campaign_defaults_to_every_preset(live_samples):
    from renderqueue.models import SizePreset

    job = RenderQueue().add_campaign_render_job("simple-ad", {"format": "jpeg"})
    assert [i.item_id for i in services.job_items(job)] == [
        f"simple-ad-{p}" for p in SizePreset.objects.values_list("name", flat=True)
    ]


def test_abandoned_job_without_attempts_left_fails_with_a_reason(live_samples):
    from datetime import timedelta

    from django.utils import timezone

    job = RenderQueue().add_single_render_job("simple-ad")
    long_ago = timezone.now() - timedelta(minutes=5)
    RenderJob.objects.filter(pk=job.id).update(state=JobState.ACTIVE, attempts_made=3, started_at=long_ago)
    leased = RenderQueue().add_single_render_job("ad-1")
    RenderJob.objects.filter(pk=leased.id).update(state=JobState.ACTIVE, attempts_made=1, started_at=long_ago)
    default_broker().renew_lease(leased.id, "a live worker", 30)

    assert services.job_recover_abandoned() == [job.id]
    failed = RenderJob.objects.get(pk=job.id)
    assert failed.state == JobState.FAILED and failed.error.startswith("WorkerLost")
    assert RenderJob.objects.get(pk=leased.id).state == JobState.ACTIVE  # its worker is alive


def test_django_signals_fire_as_a_job_runs(live_samples):
    from renderqueue.signals import render_completed, render_failed, render_progress

    seen: list[tuple[str, object]] = []

    def progress(sender, job, progress, **kwargs):
        seen.append(("progress", progress["current"]))

    def completed(sender, job, result, **kwargs):
        seen.append(("completed", result["total_rendered"]))

    def failed(sender, job, error, **kwargs):
        seen.append(("failed", error))

    render_progress.connect(progress)
    render_completed.connect(completed)
    render_failed.connect(failed)
    try:
        job = RenderQueue({"default_job_options": {"attempts": 1}}).add_batch_render_job(["ad-1", "ad-2"])
        services.job_execute(job_id=job.id)
        doomed = RenderQueue({"default_job_options": {"attempts": 1}}).add_single_render_job("ad-3")
        from renderqueue.models import Composition

        Composition.objects.filter(pk="ad-3").delete()
        with pytest.raises(Exception, match="all 1 items failed"):
            services.job_execute(job_id=doomed.id)
    finally:
        render_progress.disconnect(progress)
        render_completed.disconnect(completed)
        render_failed.disconnect(failed)
    assert seen[:3] == [("progress", 1), ("progress", 2), ("completed", 2)]
    assert seen[-1][0] == "failed" and "no longer exists" in str(seen[-1][1])


def test_queue_config_mistakes_are_named(live_samples):
    with pytest.raises(InvalidRenderRequest) as info:
        RenderQueue(
            {"redis": {"hots": "x"}, "default_job_options": {"remove_on_complete": 5, "attempt": 2}, "x": 1}
        )
    assert set(info.value.message_dict) == {
        "redis.hots",
        "default_job_options.remove_on_complete",
        "default_job_options.attempt",
        "x",
    }
    assert "RENDERQUEUE['REMOVE_ON_COMPLETE']" in str(info.value)
    # The settings' own values are accepted, as the seed's example passes them.
    RenderQueue({"default_job_options": {"remove_on_complete": 100, "remove_on_fail": 500}})


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"attempts": 0}, "attempts"),
        ({"backoff": "slow"}, "backoff"),
        ({"backoff": {"type": "linear", "delay": 100}}, "backoff.type"),
        ({"backoff": {"type": "fixed", "delay": -5}}, "backoff.delay"),
    ],
)
def test_bad_retry_options_are_named(live_samples, config, field):
    with pytest.raises(InvalidRenderRequest) as info:
        RenderQueue({"default_job_options": config}).add_single_render_job("simple-ad")
    assert field in info.value.message_dict
    assert RenderJob.objects.count() == 0
