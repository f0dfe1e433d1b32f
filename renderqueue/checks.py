"""System checks: configuration mistakes reported at start-up, with ids."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from renderqueue import conf


@register("renderqueue")
def check_rq_queues(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from renderqueue.broker import queue_names

    messages: list[CheckMessage] = []
    configured = getattr(settings, "RQ_QUEUES", {})
    missing = [name for name in queue_names() if name not in configured]
    if missing:
        messages.append(
            Error(
                f"RQ_QUEUES lacks the render queues {', '.join(missing)}.",
                hint="Add one entry per priority queue (see the README); django-rq's pages then list them.",
                id="renderqueue.E001",
            )
        )
    for name in queue_names():
        serializer = configured.get(name, {}).get("SERIALIZER")
        if name in configured and serializer not in ("rq.serializers.JSONSerializer", "json"):
            messages.append(
                Warning(
                    f"RQ_QUEUES[{name!r}] does not use RQ's JSON serializer.",
                    hint="Set 'SERIALIZER': 'rq.serializers.JSONSerializer'; pickle runs code from Redis.",
                    id="renderqueue.W001",
                )
            )
    return messages


@register("renderqueue")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    unknown = set(getattr(settings, "RENDERQUEUE", {}) or {}) - set(conf.DEFAULTS)
    for key in sorted(unknown):
        messages.append(
            Error(
                f"RENDERQUEUE[{key!r}] is not a renderqueue setting.",
                id="renderqueue.E002",
                hint=f"Known settings: {', '.join(sorted(conf.DEFAULTS))}.",
            )
        )
    attempts = conf.get("ATTEMPTS")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        messages.append(
            Error(f"RENDERQUEUE['ATTEMPTS'] is {attempts!r}; it must be ≥ 1.", id="renderqueue.E003")
        )
    for key in ("REMOVE_ON_COMPLETE", "REMOVE_ON_FAIL"):
        value = conf.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            messages.append(
                Error(f"RENDERQUEUE[{key!r}] is {value!r}; use a count ≥ 0 or None.", id="renderqueue.E004")
            )
    return messages
