from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

CHART_HEIGHT = 80
CHART_BASELINE = 90
BAR_STEP = 10


@register.inclusion_tag("renderqueue/partials/chart.html")
def throughput_chart(buckets: list[dict[str, Any]]) -> dict[str, Any]:
    """Lay out stacked bars (completed below, failed on top) scaled to the busiest minute."""
    peak = max((b["completed"] + b["failed"] for b in buckets), default=0)
    scale = CHART_HEIGHT / peak if peak else 0
    bars = []
    for i, b in enumerate(buckets):
        completed_h = round(b["completed"] * scale, 1)
        failed_h = round(b["failed"] * scale, 1)
        bars.append(
            {
                **b,
                "x": i * BAR_STEP + 1,
                "completed_h": completed_h,
                "completed_y": CHART_BASELINE - completed_h,
                "failed_h": failed_h,
                "failed_y": CHART_BASELINE - completed_h - failed_h,
            }
        )
    return {"chart_bars": bars, "chart_peak": peak}


@register.inclusion_tag("renderqueue/partials/action.html", takes_context=True)
def action_button(
    context: dict[str, Any], url: str, label: str, style: str = "", full_page: bool = False
) -> dict[str, Any]:
    return {
        "url": url,
        "label": label,
        "style": style,
        "full_page": full_page,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for tabs, filters and pages)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
