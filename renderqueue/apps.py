from __future__ import annotations

from django.apps import AppConfig


class RenderQueueConfig(AppConfig):
    name = "renderqueue"
    verbose_name = "Render queue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from renderqueue import checks, conf  # noqa: F401  (registers checks and setting_changed)
