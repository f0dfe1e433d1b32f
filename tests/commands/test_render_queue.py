"""`manage.py render_queue …`: the seed's test script and the worker command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from renderqueue.models import Composition, JobPriority, JobState, RenderJob, SizePreset
from renderqueue.queue import RenderQueue
from renderqueue.testing.redis_server import free_port
from renderqueue.testing.workers import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command("render_queue", *args, stdout=out)
    return out.getvalue()


def test_load_samples_is_idempotent(transactional_db):
    run("load-samples")
    Composition.objects.filter(pk="simple-ad").update(name="edited by hand")
    run("load-samples")
    assert Composition.objects.count() == 6
    assert SizePreset.objects.count() >= 20
    assert {"simple-ad", "ad-1", "ad-5"} <= set(Composition.objects.values_list("id", flat=True))
    assert {"square", "story", "landscape"} <= set(SizePreset.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("action", "title", "job_type", "priority"),
    [
        ("test-single", "TEST 1: Single Render Job", "single", JobPriority.NORMAL),
        ("test-template", "TEST 2: Template Render Job", "template", JobPriority.HIGH),
        ("test-batch", "TEST 3: Batch Render Job", "batch", JobPriority.NORMAL),
        ("test-campaign", "TEST 4: Campaign Render Job", "campaign", JobPriority.URGENT),
    ],
)
def test_test_actions_queue_the_seeds_jobs(live_samples, action, title, job_type, priority):
    output = run(action)
    job = RenderJob.objects.get()
    assert title in output
    assert f"✓ Job created: {job.id}" in output
    assert f"- Priority: {priority.value}" in output
    assert "- State: waiting" in output
    assert (job.job_type, job.priority) == (job_type, priority)


def test_stats_prints_the_seeds_sections_and_json(live_samples):
    queue = RenderQueue()
    queue.add_single_render_job("simple-ad")
    queue.pause(JobPriority.LOW)
    text = run("stats")
    assert "Total Jobs:      1" in text and "Waiting:         1" in text
    assert "Paused queues:   LOW" in text
    data = json.loads(run("stats", "--json"))
    assert data["waiting"] == 1 and data["total"] == 1 and data["paused_queues"] == ["LOW"]


def test_clear_and_pause_resume(live_samples):
    queue = RenderQueue()
    queue.add_single_render_job("simple-ad")
    run("pause", "--queue", "normal")
    assert RenderJob.objects.get().state == JobState.PAUSED
    run("resume")
    assert RenderJob.objects.get().state == JobState.WAITING
    assert "Removed 1 jobs" in run("clear")
    assert RenderJob.objects.count() == 0


def test_bad_input_is_one_clear_line(live_samples):
    with pytest.raises(CommandError, match="priority: 'soon' is not a priority"):
        run("pause", "--queue", "soon")


def test_demo_queues_runs_and_reports(live_samples, start_workers):
    start_workers(2)
    output = run("demo")
    for section in (
        "RENDER QUEUE DEMO",
        "TEST 1: Single Render Job",
        "TEST 6: Queue Statistics",
        "DEMO COMPLETE",
    ):
        assert section in output
    assert "All jobs were processed." in output
    assert RenderJob.objects.filter(state=JobState.COMPLETED).count() == 4
    assert output.count("event: completed") == 4


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a new process on the test database."""
    full_env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=full_env, capture_output=True, text=True, timeout=60
    )


def test_worker_burst_processes_the_queue_and_exits(live_samples):
    jobs = [RenderQueue().add_single_render_job("simple-ad") for _ in range(3)]
    done = manage("render_queue", "worker", "--concurrency", "2", "--burst")
    assert done.returncode == 0, done.stderr
    assert {RenderJob.objects.get(pk=j.id).state for j in jobs} == {JobState.COMPLETED}


@pytest.mark.parametrize("action", ["test-single", "worker", "clear"])
def test_unreachable_redis_is_one_clear_line(live_samples, action):
    port = free_port()
    done = manage("render_queue", action, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"Cannot reach Redis at redis://127.0.0.1:{port}/0" in lines[0]
    assert "REDIS_URL" in lines[0]
    assert RenderJob.objects.count() == 0
