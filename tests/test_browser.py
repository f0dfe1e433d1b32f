"""The dashboard in a real Chromium (Debian's package, driven by Playwright), with real workers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from renderqueue.models import JobPriority, JobState, RenderJob
from renderqueue.queue import RenderQueue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, live_samples):
    user = User.objects.create_user("manager", password="pw-manager-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_render_queue"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pw-manager-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#live")
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_campaign_from_the_form_progresses_to_100_without_reload(page, live_server, start_workers):
    start_workers(1)
    page.click("text=New render")
    page.select_option("#id_job_type", "campaign")
    page.select_option("#id_composition", "simple-ad")
    for preset in ("square", "story", "landscape", "meta-feed-portrait"):
        page.check(f"input[name=presets][value={preset}]")
    page.select_option("#id_format", "jpeg")
    page.click("text=Queue render")
    page.wait_for_url("**/jobs/campaign-simple-ad-*/")
    page.evaluate("window.__noReload = true")
    page.wait_for_selector("#live[data-state=completed]")
    assert page.get_attribute(".progress", "aria-valuenow") == "100"
    assert "4/4" in page.inner_text(".progress-text")
    assert page.evaluate("window.__noReload") is True  # updated by HTMX, not by a reload
    assert page.locator(".output").count() == 4
    screenshot(page, "job-page")


def test_pause_a_queue_then_resume_it(page, live_server, start_workers):
    start_workers(1)
    page.click("tr[data-queue=NORMAL] >> text=Pause Normal")
    page.wait_for_selector("tr[data-queue=NORMAL] >> text=Resume Normal")
    job = RenderQueue().add_single_render_job("simple-ad", priority=JobPriority.NORMAL)
    row = f"tr[data-job='{job.id}']"
    page.wait_for_selector(f"{row} >> text=Paused")
    page.wait_for_timeout(1500)
    assert RenderJob.objects.get(pk=job.id).state == JobState.PAUSED
    assert "Paused" in page.inner_text(row)
    screenshot(page, "overview-paused")
    page.evaluate("window.__noReload = true")
    page.click("tr[data-queue=NORMAL] >> text=Resume Normal")
    page.wait_for_selector(f"{row} >> text=Completed")
    assert page.evaluate("window.__noReload") is True


def test_retry_a_failed_job(page, live_server, start_workers):
    job = RenderQueue().add_single_render_job("ad-1")
    RenderJob.objects.filter(pk=job.id).update(state=JobState.FAILED, error="LookupError: simulated")
    start_workers(1)
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    assert "LookupError: simulated" in page.inner_text(".error")
    page.click("button:has-text('Retry')")
    page.wait_for_selector("#live[data-state=completed]")
    assert RenderJob.objects.get(pk=job.id).state == JobState.COMPLETED


def test_clear_asks_first(page, live_server):
    queue = RenderQueue()
    for _ in range(3):
        queue.add_single_render_job("simple-ad")
    page.reload()
    page.click("text=Clear…")
    page.wait_for_selector("text=Clear the render queue?")
    assert RenderJob.objects.count() == 3  # the confirmation page changed nothing
    page.click("text=Yes, clear 3 jobs")
    page.wait_for_selector("#live")
    assert RenderJob.objects.count() == 0
    assert page.inner_text("[data-counter=waiting] .count") == "0"
    screenshot(page, "overview")


def test_phone_layout_has_no_sideways_scroll(browser, live_server, live_samples):
    User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "pw-viewer-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#live")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, "overview-phone")
    context.close()
    assert overflow <= 0
