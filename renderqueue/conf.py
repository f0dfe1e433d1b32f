"""renderqueue's settings: the RENDERQUEUE dict over these defaults (django-debug-toolbar style)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULTS: dict[str, Any] = {
    # RQ queue names are f"{QUEUE_PREFIX}-{level}" for urgent, high, normal, low.
    "QUEUE_PREFIX": "renderqueue",
    # Redis keys of our own (pause flags, events channel) start with this.
    "KEY_PREFIX": "renderqueue",
    # The seed's defaultJobOptions.
    "ATTEMPTS": 3,
    "BACKOFF": {"type": "exponential", "delay": 2000},
    "REMOVE_ON_COMPLETE": 100,
    "REMOVE_ON_FAIL": 500,
    # Seconds a render job may run before RQ stops it.
    "JOB_TIMEOUT": 600,
    # How long RQ keeps a finished/failed job hash; the DB row is the record that lasts.
    "RESULT_TTL": 24 * 3600,
    "FAILURE_TTL": 7 * 24 * 3600,
    # Storage alias (settings.STORAGES) and folder for rendered images.
    "STORAGE": "default",
    "OUTPUT_DIR": "renders",
    # How often an idle worker re-reads pause flags: a resume takes effect within this.
    "WORKER_POLL_SECONDS": 0.5,
    # A running job's worker renews a lease this long; a job whose lease lapses (its worker was
    # killed, or its machine died) is put back in its queue, or failed if out of attempts.
    "LEASE_SECONDS": 15,
}


@cache
def get_config() -> dict[str, Any]:
    user = getattr(settings, "RENDERQUEUE", {}) or {}
    return {**DEFAULTS, **user}


def get(name: str) -> Any:
    return get_config()[name]


@receiver(setting_changed)
def _reset_config(*, setting: str, **kwargs: object) -> None:
    if setting == "RENDERQUEUE":
        get_config.cache_clear()
