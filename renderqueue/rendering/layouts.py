"""Default layouts: the seed's simple content ({headline, body, cta, colours, logo}) as layers,
arranged for the canvas's shape. Fields left empty take no space."""

from __future__ import annotations

from typing import Any

from renderqueue.rendering.spec import aspect_class

DEFAULTS = {
    "background": "#1f2937",
    "text_color": "#ffffff",
    "accent_color": "#f59e0b",
    "cta_text_color": "#111827",
}


def _text(
    name: str,
    text: str,
    box: tuple[float, float, float, float],
    color: str,
    *,
    bold: bool,
    max_px: float,
    max_lines: int,
    family: str,
    align: str = "left",
    valign: str = "top",
) -> dict[str, Any]:
    x, y, w, h = box
    return {
        "type": "text",
        "name": name,
        "text": text,
        "x": x,
        "y": y,
        "w": w,
        "h": h,
        "font": {"family": family, "weight": "bold" if bold else "regular"},
        "font_size": {"min": 6, "max": max(6, round(max_px))},
        "max_lines": max_lines,
        "align": align,
        "valign": valign,
        "line_height": 1.15 if bold else 1.3,
        "color": color,
    }


def _stack(
    names: list[str], weights: dict[str, float], top: float, bottom: float, gap: float
) -> dict[str, tuple[float, float]]:
    """Split [top, bottom] among the present blocks by weight: no gap where a block is absent."""
    room = bottom - top - gap * max(0, len(names) - 1)
    total = sum(weights[n] for n in names) or 1
    spans, y = {}, top
    for name in names:
        h = room * weights[name] / total
        spans[name] = (y, h)
        y += h + gap
    return spans


def simple_layers(content: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    c = {**DEFAULTS, **{k: v for k, v in content.items() if v not in (None, "")}}
    family = c.get("font") or ""
    headline, body, cta, logo = (str(c.get(k) or "").strip() for k in ("headline", "body", "cta", "logo"))
    shape = aspect_class(width, height)
    short = min(width, height)
    mx, my = 0.07 * short / width, 0.07 * short / height
    layers: list[dict[str, Any]] = []

    def button(box: tuple[float, float, float, float], align: str) -> dict[str, Any]:
        x, y, w, h = box
        return {
            "type": "button",
            "name": "cta",
            "text": cta,
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "fill": c["accent_color"],
            "color": c["cta_text_color"],
            "align": align,
            "font": {"family": family, "weight": "bold"},
        }

    def logo_layer(box: tuple[float, float, float, float], align_right: bool = False) -> dict[str, Any]:
        x, y, w, h = box
        return {
            "type": "image",
            "name": "logo",
            "src": logo,
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "fit": "contain",
            "focal_point": [1.0 if align_right else 0.0, 0.5],
        }

    if shape == "banner":
        my = 0.14
        mx = my * height / width
        x = mx
        if logo:
            logo_w = 0.9 * height / width
            layers.append(logo_layer((x, my, logo_w, 1 - 2 * my)))
            x += logo_w + mx
        cta_w = min(0.3, max(0.18, 2.6 * height / width)) if cta else 0
        text_right = 1 - mx - (cta_w + mx if cta else 0)
        text_w = max(0.05, text_right - x)
        show_body = bool(body) and height >= 180
        if headline:
            box = (x, my, text_w, (1 - 2 * my) * (0.6 if show_body else 1))
            layers.append(
                _text(
                    "headline",
                    headline,
                    box,
                    c["text_color"],
                    bold=True,
                    max_px=height * 0.42,
                    max_lines=2,
                    family=family,
                    valign="bottom" if show_body else "middle",
                )
            )
        if show_body:
            top = my + (1 - 2 * my) * (0.64 if headline else 0)
            layers.append(
                _text(
                    "body",
                    body,
                    (x, top, text_w, 1 - my - top),
                    c["text_color"],
                    bold=False,
                    max_px=height * 0.16,
                    max_lines=2,
                    family=family,
                )
            )
        if cta:
            layers.append(button((1 - mx - cta_w, 0.22, cta_w, 0.56), "right"))
        return {"background": c["background"], "layers": layers}

    if shape == "landscape":
        column_w = 0.58 - mx
        top, bottom = my, 1 - my
        if logo:
            layers.append(logo_layer((0.66, my, 1 - 0.66 - mx, 0.22), align_right=True))
        cta_h = 0.15 if cta else 0
        if cta:
            layers.append(button((mx, 1 - my - cta_h, column_w, cta_h), "left"))
            bottom -= cta_h + 0.05
        names = [n for n, v in (("headline", headline), ("body", body)) if v]
        spans = _stack(names, {"headline": 2.2, "body": 1.0}, top, bottom, 0.04)
        for name in names:
            y, h = spans[name]
            layers.append(
                _text(
                    name,
                    headline if name == "headline" else body,
                    (mx, y, column_w, h),
                    c["text_color"],
                    bold=name == "headline",
                    max_px=short * 0.16 if name == "headline" else max(12, short * 0.065),
                    max_lines=4 if name == "headline" else 3,
                    family=family,
                )
            )
        return {"background": c["background"], "layers": layers}

    # square, portrait, skyscraper: one column, top to bottom
    narrow = shape == "skyscraper"
    align = "center" if narrow else "left"
    top, bottom = my, 1 - my
    if logo:
        logo_h = 0.08 if narrow else 0.1
        layers.append(logo_layer((mx, top, 1 - 2 * mx, logo_h)))
        top += logo_h + 0.03
    cta_h = (0.07 if narrow else 0.12) if cta else 0
    if cta:
        layers.append(button((mx, 1 - my - cta_h, 1 - 2 * mx, cta_h), "center" if narrow else "left"))
        bottom -= cta_h + 0.05
    names = [n for n, v in (("headline", headline), ("body", body)) if v]
    spans = _stack(names, {"headline": 2.0, "body": 1.0}, top, bottom, 0.03)
    for name in names:
        y, h = spans[name]
        # The headline sits on the body (bottom-aligned in its share, the body top-aligned), so
        # the two read as one block however tall the canvas is.
        valign = "bottom" if name == "headline" and len(names) == 2 else "top"
        layers.append(
            _text(
                name,
                headline if name == "headline" else body,
                (mx, y, 1 - 2 * mx, h),
                c["text_color"],
                bold=name == "headline",
                max_px=short * 0.15 if name == "headline" else max(13, short * 0.065),
                max_lines=6 if narrow else 4,
                family=family,
                align=align,
                valign=valign,
            )
        )
    return {"background": c["background"], "layers": layers}
