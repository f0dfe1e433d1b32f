"""Django signals sent in the worker process as jobs progress.

Receivers get `job` (the RenderJob row) plus `progress`, `result` or `error`. To hear about
jobs rendered on other machines, use `RenderQueue.setup_event_listener` (Redis pub/sub).
"""

from __future__ import annotations

from django.dispatch import Signal

render_progress = Signal()
render_completed = Signal()
render_failed = Signal()
