"""Pure Pillow rendering of ad images. No Django imports: testable and usable on its own."""

from __future__ import annotations

from renderqueue.rendering.ad import (
    FORMATS,
    MAX_PIXELS,
    MAX_SIDE,
    AdDesign,
    RenderError,
    render_ad,
)

__all__ = ["FORMATS", "MAX_PIXELS", "MAX_SIDE", "AdDesign", "RenderError", "render_ad"]
