from __future__ import annotations

from django.urls import path

from renderqueue import views

app_name = "renderqueue"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.new_render, name="new_render"),
    path("clear/", views.clear, name="clear"),
    path("retry-failed/", views.retry_failed, name="retry_failed"),
    path("queues/pause/", views.pause_all, name="pause_all"),
    path("queues/resume/", views.resume_all, name="resume_all"),
    path("queues/<str:level>/pause/", views.queue_pause, name="queue_pause"),
    path("queues/<str:level>/resume/", views.queue_resume, name="queue_resume"),
    path("jobs/<str:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<str:job_id>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<str:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<str:job_id>/remove/", views.job_remove, name="job_remove"),
    path(
        "compositions/<slug:composition_id>/preview/<int:width>x<int:height>.png",
        views.composition_preview,
        name="composition_preview",
    ),
]
