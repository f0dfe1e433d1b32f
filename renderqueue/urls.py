from __future__ import annotations

app_name = "renderqueue"
urlpatterns: list[object] = []
