"""The renderer's public functions: validate, lay out and render an ad design at any size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import ImageColor

from renderqueue.rendering.draw import ImageLoader, encode, new_canvas, paint_layer
from renderqueue.rendering.fonts import FontBook
from renderqueue.rendering.layout import Placed, layout_layer
from renderqueue.rendering.layouts import simple_layers
from renderqueue.rendering.spec import (
    MAX_PIXELS,
    MAX_TEXT,
    SIMPLE_KEYS,
    Design,
    DesignError,
    RenderError,
    check_canvas,
    parse_design,
    resolve_layers,
)

FORMATS = ("png", "jpeg", "webp")
MAX_SCALE = 4.0


@lru_cache(maxsize=1)
def default_fonts() -> FontBook:
    return FontBook()


def is_layered(design: dict[str, Any]) -> bool:
    return "layers" in design


def design_for_size(design: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    """The layered design to draw at this size: overrides applied, or the default layout."""
    if is_layered(design):
        return {**design, "layers": resolve_layers(design, width, height)}
    return simple_layers(design, width, height)


def validate_design(design: Any, *, fonts: FontBook | None = None) -> None:
    """Raise DesignError listing every bad field (paths like `layers[2].font_size.min`)."""
    fonts = fonts or default_fonts()
    if not isinstance(design, dict):
        raise DesignError([f"design: {design!r} must be an object"])
    if is_layered(design):
        parse_design(design, fonts=fonts)
        return
    errors = []
    for key, value in design.items():
        if key not in (*SIMPLE_KEYS, "background", "name", "dimensions", "id"):
            errors.append(
                f"{key}: is not a design field (simple designs take {', '.join(SIMPLE_KEYS)}, background)"
            )
        elif key in ("background", "text_color", "accent_color", "cta_text_color") and value is not None:
            try:
                ImageColor.getcolor(str(value), "RGBA")
            except ValueError:
                errors.append(f"{key}: {value!r} is not a colour (use e.g. '#ff6600' or 'red')")
        elif key in ("headline", "body", "cta") and value is not None:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                errors.append(f"{key}: {value!r} must be text")
            elif len(str(value)) > MAX_TEXT:
                errors.append(f"{key}: is {len(str(value))} characters long; at most {MAX_TEXT}")
        elif key == "font" and value and not fonts.has_family(str(value)):
            errors.append(f"font: unknown font {value!r} (known: {', '.join(fonts.families())})")
        elif key == "logo" and value and (not isinstance(value, str) or "://" in value):
            errors.append(
                f"logo: {value!r} must be the name of an uploaded file (remote URLs are not fetched)"
            )
    if errors:
        raise DesignError(errors)


@dataclass
class Layout:
    width: int
    height: int
    design: Design
    placed: list[Placed]


def layout_ad(
    design: dict[str, Any], width: int, height: int, *, scale: float = 1.0, fonts: FontBook | None = None
) -> Layout:
    check_canvas(width, height)
    fonts = fonts or default_fonts()
    w, h = _scaled(width, height, scale)
    parsed = parse_design(design_for_size(design, width, height), fonts=fonts)
    placed = [layout_layer(layer, fonts, w, h, scale=scale) for layer in parsed.layers if layer.visible]
    return Layout(w, h, parsed, placed)


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0.1 <= scale <= MAX_SCALE:
        raise RenderError(f"scale: {scale!r} must be a number from 0.1 to {MAX_SCALE:g}")
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    if w * h > MAX_PIXELS:
        raise RenderError(f"scale: {width}x{height} at {scale:g}x is over the {MAX_PIXELS:,} pixel budget")
    return w, h


def render_ad(
    design: dict[str, Any],
    width: int,
    height: int,
    *,
    format: str = "png",
    quality: int = 90,
    scale: float = 1.0,
    transparent: bool = False,
    png_compression: int = 1,
    progressive: bool = False,
    webp_method: int = 0,
    fonts: FontBook | None = None,
    images: ImageLoader | None = None,
) -> bytes:
    """Render one ad and return the encoded bytes. The same input gives the same bytes."""
    if format not in FORMATS:
        raise RenderError(f"format: {format!r} is not one of {', '.join(FORMATS)}")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise RenderError(f"quality: {quality!r} must be a whole number from 1 to 100")
    if transparent and format == "jpeg":
        raise RenderError("transparent: JPEG has no transparency; use png or webp")
    if not isinstance(design, dict):
        raise RenderError(f"design: {design!r} must be an object")
    try:
        validate_design(design, fonts=fonts)
    except DesignError as exc:
        raise RenderError(str(exc)) from exc
    fonts = fonts or default_fonts()
    layout = layout_ad(design, width, height, scale=scale, fonts=fonts)
    background = None if transparent else layout.design.background
    canvas = new_canvas((layout.width, layout.height), background, images)
    for placed in layout.placed:
        paint_layer(canvas, placed, fonts, images, scale)
    return encode(
        canvas,
        format=format,
        quality=quality,
        transparent=transparent,
        png_compression=png_compression,
        progressive=progressive,
        webp_method=webp_method,
    )
