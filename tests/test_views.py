"""Dashboard views: who may see, who may press, and that pressing changes Redis and the DB."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from renderqueue import services
from renderqueue.broker import default_broker
from renderqueue.models import Composition, JobPriority, JobState, RenderJob
from renderqueue.queue import RenderQueue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer() -> User:
    return User.objects.create_user("viewer", password="pw", is_staff=True)


@pytest.fixture
def manager() -> User:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_render_queue"))
    return user


def client_for(user: User | None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def jobs(live_samples):
    queue = RenderQueue()
    waiting = queue.add_single_render_job("simple-ad")
    failed = queue.add_single_render_job("ad-1", priority=JobPriority.HIGH)
    RenderJob.objects.filter(pk=failed.id).update(state=JobState.FAILED, error="boom")
    default_broker().queue(JobPriority.HIGH).empty()
    return {"waiting": waiting.id, "failed": failed.id}


def controls(jobs: dict[str, str]) -> list[tuple[str, str]]:
    return [
        ("pause NORMAL", reverse("renderqueue:queue_pause", args=["normal"])),
        ("resume NORMAL", reverse("renderqueue:queue_resume", args=["normal"])),
        ("pause all", reverse("renderqueue:pause_all")),
        ("resume all", reverse("renderqueue:resume_all")),
        ("retry", reverse("renderqueue:job_retry", args=[jobs["failed"]])),
        ("retry all failed", reverse("renderqueue:retry_failed")),
        ("cancel", reverse("renderqueue:job_cancel", args=[jobs["waiting"]])),
        ("remove", reverse("renderqueue:job_remove", args=[jobs["waiting"]])),
        ("clear", reverse("renderqueue:clear")),
        ("new render", reverse("renderqueue:new_render")),
    ]


def snapshot() -> tuple:
    rows = tuple(RenderJob.objects.order_by("id").values_list("id", "state", "attempts_made"))
    broker = default_broker()
    return rows, tuple(sorted(broker.waiting_counts().items())), tuple(sorted(broker.paused_queue_names()))


def test_anonymous_is_sent_to_login_everywhere(jobs):
    client = client_for(None)
    pages = [reverse("renderqueue:dashboard"), reverse("renderqueue:job_detail", args=[jobs["waiting"]])]
    for url in pages + [url for _, url in controls(jobs)]:
        response = client.post(url) if url not in pages else client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_non_staff_gets_403(jobs):
    client = client_for(User.objects.create_user("someone", password="pw"))
    assert client.get(reverse("renderqueue:dashboard")).status_code == 403


def test_staff_without_permission_sees_but_cannot_press(jobs, viewer):
    client = client_for(viewer)
    page = client.get(reverse("renderqueue:dashboard"))
    assert page.status_code == 200
    assert jobs["waiting"] in page.content.decode()
    assert "Pause all" not in page.content.decode()
    before = snapshot()
    for name, url in controls(jobs):
        assert client.post(url, {"job_type": "single", "composition": "simple-ad"}).status_code == 403, name
    assert snapshot() == before


def test_get_never_changes_anything(jobs, manager):
    client = client_for(manager)
    before = snapshot()
    for name, url in controls(jobs):
        status = client.get(url).status_code
        # Plain actions refuse GET; clear and new render show a page (confirmation / form).
        assert status in (405, 200), name
    assert snapshot() == before


def test_post_without_csrf_is_refused(jobs, manager):
    client = client_for(manager, csrf=True)
    before = snapshot()
    for name, url in controls(jobs):
        assert client.post(url).status_code == 403, name
    assert snapshot() == before


def test_pause_and_resume_change_redis_and_rows(jobs, manager):
    client = client_for(manager)
    response = client.post(reverse("renderqueue:queue_pause", args=["normal"]), {"next": "/"})
    assert response.status_code == 302
    assert default_broker().paused_queue_names() == {"renderqueue-normal"}
    assert RenderJob.objects.get(pk=jobs["waiting"]).state == JobState.PAUSED
    client.post(reverse("renderqueue:resume_all"))
    assert default_broker().paused_queue_names() == set()
    assert RenderJob.objects.get(pk=jobs["waiting"]).state == JobState.WAITING


def test_retry_cancel_remove_clear(jobs, manager):
    client = client_for(manager)
    client.post(reverse("renderqueue:job_retry", args=[jobs["failed"]]))
    assert RenderJob.objects.get(pk=jobs["failed"]).state == JobState.WAITING
    assert default_broker().queue(JobPriority.HIGH).get_job_ids() == [jobs["failed"]]

    client.post(reverse("renderqueue:job_cancel", args=[jobs["waiting"]]))
    assert RenderJob.objects.get(pk=jobs["waiting"]).state == JobState.CANCELLED
    assert default_broker().queue(JobPriority.NORMAL).get_job_ids() == []

    response = client.post(reverse("renderqueue:job_remove", args=[jobs["waiting"]]))
    assert response.status_code == 302 and not RenderJob.objects.filter(pk=jobs["waiting"]).exists()

    confirm = client.get(reverse("renderqueue:clear"))
    assert "Yes, clear 1 job" in confirm.content.decode()
    client.post(reverse("renderqueue:clear"))
    assert RenderJob.objects.count() == 0
    assert sum(default_broker().waiting_counts().values()) == 0


def test_refused_action_shows_why(jobs, manager):
    client = client_for(manager)
    response = client.post(reverse("renderqueue:job_retry", args=[jobs["waiting"]]), follow=True)
    assert "only failed or cancelled jobs can be retried" in response.content.decode()


def test_new_render_form_creates_a_campaign(jobs, manager):
    client = client_for(manager)
    response = client.post(
        reverse("renderqueue:new_render"),
        {
            "job_type": "campaign",
            "composition": "simple-ad",
            "presets": ["square", "story"],
            "priority": "1",
            "format": "jpeg",
            "quality": "80",
        },
    )
    job = RenderJob.objects.get(job_type="campaign")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.priority, job.options) == (JobPriority.HIGH, {"format": "jpeg", "quality": 80})
    assert [i.item_id for i in services.job_items(job)] == ["simple-ad-square", "simple-ad-story"]


def test_new_render_form_shows_errors_inline(jobs, manager):
    client = client_for(manager)
    response = client.post(
        reverse("renderqueue:new_render"),
        {
            "job_type": "template",
            "template": '{"id": "x", "dimensions": {"width": 0, "height": 5}}',
            "priority": "5",
            "format": "png",
            "quality": "90",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "template.dimensions.width" in body and "0 must be a whole number" in body
    bad_json = client.post(
        reverse("renderqueue:new_render"),
        {"job_type": "template", "template": "{oops", "priority": "5", "format": "png", "quality": "90"},
    )
    assert "Not valid JSON" in bad_json.content.decode()
    assert RenderJob.objects.filter(job_type="template").count() == 0


def test_htmx_poll_returns_only_the_fragment(jobs, viewer):
    client = client_for(viewer)
    response = client.get(reverse("renderqueue:dashboard"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="live"') and "<html" not in body
    # Something is waiting, so the fragment keeps polling fast.
    assert 'hx-trigger="every 1s"' in body


def test_finished_job_fragment_stops_polling(jobs, viewer):
    client = client_for(viewer)
    url = reverse("renderqueue:job_detail", args=[jobs["failed"]])
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="live"' in body and "hx-trigger" not in body
    live = client.get(
        reverse("renderqueue:job_detail", args=[jobs["waiting"]]), headers={"HX-Request": "true"}
    )
    assert 'hx-trigger="every 1s"' in live.content.decode()


def test_search_finds_jobs_by_composition_and_metadata(live_samples, viewer):
    queue = RenderQueue()
    a = queue.add_single_render_job("ad-3", metadata={"campaign": "Black Friday"})
    b = queue.add_single_render_job("ad-4")
    client = client_for(viewer)
    by_meta = client.get(reverse("renderqueue:dashboard"), {"q": "black friday"}).content.decode()
    assert a.id in by_meta and b.id not in by_meta
    by_composition = client.get(reverse("renderqueue:dashboard"), {"q": "ad-4"}).content.decode()
    assert b.id in by_composition and a.id not in by_composition


XSS = "<script>alert(1)</script>"


def test_job_strings_are_escaped_in_dashboard_and_admin(live_samples, manager):
    Composition.objects.create(id="xss", name=XSS, design={"headline": XSS})
    job = RenderQueue().add_single_render_job("xss", metadata={"note": XSS})
    RenderJob.objects.filter(pk=job.id).update(state=JobState.FAILED, error=f"<b>bad</b>{XSS}", traceback=XSS)
    manager.is_superuser = True
    manager.save()
    client = client_for(manager)
    pages = [
        reverse("renderqueue:dashboard"),
        reverse("renderqueue:dashboard") + "?q=xss",
        job.get_absolute_url(),
        reverse("admin:renderqueue_renderjob_changelist"),
        reverse("admin:renderqueue_renderjob_change", args=[job.id]),
        reverse("admin:renderqueue_composition_changelist"),
        reverse("admin:renderqueue_composition_change", args=["xss"]),
        reverse("renderqueue:new_render"),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert XSS not in body, url
        assert "<b>bad</b>" not in body, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(job.get_absolute_url()).content.decode()


def test_admin_actions_use_the_services(jobs, manager):
    manager.is_superuser = True
    manager.save()
    client = client_for(manager)
    url = reverse("admin:renderqueue_renderjob_changelist")
    client.post(url, {"action": "retry_jobs", "_selected_action": [jobs["failed"]]})
    assert RenderJob.objects.get(pk=jobs["failed"]).state == JobState.WAITING
    assert default_broker().queue(JobPriority.HIGH).get_job_ids() == [jobs["failed"]]
    client.post(url, {"action": "remove_jobs", "_selected_action": [jobs["waiting"]]})
    assert not RenderJob.objects.filter(pk=jobs["waiting"]).exists()


def test_composition_preview_renders_a_png(live_samples, viewer):
    response = client_for(viewer).get(
        reverse("renderqueue:composition_preview", args=["simple-ad", 300, 250])
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_django_rq_pages_see_our_queues(jobs, manager):
    manager.is_superuser = True
    manager.save()
    body = client_for(manager).get("/django-rq/").content.decode()
    for name in ("renderqueue-urgent", "renderqueue-high", "renderqueue-normal", "renderqueue-low"):
        assert name in body


def test_admin_actions_need_the_manage_permission(jobs, viewer):
    viewer.user_permissions.add(Permission.objects.get(codename="view_renderjob"))
    client = client_for(viewer)
    url = reverse("admin:renderqueue_renderjob_changelist")
    page = client.get(url).content.decode()
    assert jobs["failed"] in page and "retry_jobs" not in page
    client.post(url, {"action": "retry_jobs", "_selected_action": [jobs["failed"]]})
    assert RenderJob.objects.get(pk=jobs["failed"]).state == JobState.FAILED
