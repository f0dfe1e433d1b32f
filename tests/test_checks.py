from __future__ import annotations

from django.core.checks import run_checks
from django.test import override_settings


def ids() -> set[str]:
    return {m.id for m in run_checks(tags=["renderqueue"])}


def test_project_configuration_passes():
    assert ids() == set()


def test_missing_queues_are_reported():
    with override_settings(RQ_QUEUES={"default": {"URL": "redis://localhost"}}):
        assert "renderqueue.E001" in ids()


def test_pickle_serializer_is_warned_about(settings):
    queues = {name: {**conf, "SERIALIZER": None} for name, conf in settings.RQ_QUEUES.items()}
    with override_settings(RQ_QUEUES=queues):
        assert "renderqueue.W001" in ids()


def test_unknown_and_bad_settings_are_reported():
    with override_settings(RENDERQUEUE={"ATTEMPS": 3, "ATTEMPTS": 0, "REMOVE_ON_FAIL": -1}):
        assert {"renderqueue.E002", "renderqueue.E003", "renderqueue.E004"} <= ids()
