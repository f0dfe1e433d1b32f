"""Pure Pillow rendering of ad images. No Django imports: testable and usable on its own.

from renderqueue.rendering import render_ad
png = render_ad({"headline": "Summer Sale", "cta": "Shop now"}, 728, 90, format="png")
"""

from __future__ import annotations

from renderqueue.rendering.ad import FORMATS, Layout, design_for_size, layout_ad, render_ad, validate_design
from renderqueue.rendering.draw import open_image
from renderqueue.rendering.fonts import FontBook, FontSource
from renderqueue.rendering.spec import MAX_PIXELS, MAX_SIDE, DesignError, RenderError, aspect_class

__all__ = [
    "FORMATS",
    "MAX_PIXELS",
    "MAX_SIDE",
    "DesignError",
    "FontBook",
    "FontSource",
    "Layout",
    "RenderError",
    "aspect_class",
    "design_for_size",
    "layout_ad",
    "open_image",
    "render_ad",
    "validate_design",
]
