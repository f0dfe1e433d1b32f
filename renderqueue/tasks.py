"""Worker entry points: load the row by id, call the service. Nothing else belongs here."""

from __future__ import annotations

from renderqueue import services


def run_render_job(job_id: str) -> None:
    services.job_execute(job_id=job_id)
