"""The design format: a validated, documented JSON structure for layered ad templates.

    {
      "background": "#1f2937"                                   # or a gradient, or an image:
                  | {"type": "gradient", "from": "#0f172a", "to": "#1e40af", "angle": 90}
                  | {"type": "image", "src": "uploads/bg.jpg", "fit": "cover", "focal_point": [0.5, 0.3]},
      "layers": [                                               # drawn in order, boxes in fractions
        {"type": "text", "name": "headline", "text": "Summer Sale", "x": 0.07, "y": 0.08, "w": 0.86, "h": 0.3,
         "font": {"family": "DejaVu Sans", "weight": "bold"}, "font_size": {"min": 10, "max": 140},
         "max_lines": 3, "align": "left", "valign": "top", "line_height": 1.15, "color": "#ffffff",
         "stroke": {"width": 2, "color": "#000000"}, "shadow": {"dx": 2, "dy": 2, "color": "#00000080"}},
        {"type": "image", "src": "assets/acme.png", "x": 0.75, "y": 0.05, "w": 0.2, "h": 0.1,
         "fit": "contain"},
        {"type": "shape", "shape": "rounded", "radius": 0.2, "fill": "#ffffff20",
         "border": {"width": 2, "color": "#fff"}},
        {"type": "button", "text": "Shop now", "x": 0.07, "y": 0.8, "w": 0.5, "h": 0.12,
         "fill": "#f59e0b", "color": "#111827", "align": "left"}
      ],
      "overrides": {"banner": {"headline": {"w": 0.6}}, "728x90": {"body": {"visible": false}}}
    }

Positions and sizes are fractions of the canvas (0.25) or percentages ("25%"), so one design fits
square, portrait, landscape and banner shapes. Overrides apply per aspect class (square, portrait,
landscape, banner, skyscraper) or per exact size ("728x90"), keyed by layer name.

The seed's simple content ({"headline", "body", "cta", colours, "logo"}) needs no layers: it
is laid out by `renderqueue.rendering.layouts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from PIL import ImageColor

MAX_SIDE = 8192
MAX_PIXELS = 40_000_000
MAX_LAYERS = 60
MAX_TEXT = 2000
MAX_FONT_PX = 2000
ASPECT_CLASSES = ("square", "portrait", "landscape", "banner", "skyscraper")
LAYER_TYPES = ("text", "image", "shape", "button")
FITS = ("cover", "contain", "fill")
ALIGNS = ("left", "center", "right")
VALIGNS = ("top", "middle", "bottom")
WEIGHTS = ("regular", "bold")
SIMPLE_KEYS = ("headline", "body", "cta", "text_color", "accent_color", "cta_text_color", "logo", "font")
LAYER_KEYS = frozenset(
    {
        "type",
        "name",
        "x",
        "y",
        "w",
        "h",
        "visible",
        "opacity",
        "text",
        "font",
        "font_size",
        "max_lines",
        "wrap",
        "ellipsis",
        "align",
        "valign",
        "line_height",
        "color",
        "stroke",
        "shadow",
        "src",
        "fit",
        "focal_point",
        "shape",
        "radius",
        "fill",
        "border",
        "padding",
    }
)
_SIZE_KEY = re.compile(r"^\d{1,5}x\d{1,5}$")


class DesignError(ValueError):
    """Every problem in a design, each as "path: message"."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


class RenderError(ValueError):
    """The request cannot be rendered as asked; the message names the field."""


@dataclass
class Stroke:
    width: float
    color: tuple[int, int, int, int]


@dataclass
class Shadow:
    dx: float
    dy: float
    color: tuple[int, int, int, int]


@dataclass
class Layer:
    type: str
    name: str
    x: float = 0.0
    y: float = 0.0
    w: float = 1.0
    h: float = 1.0
    visible: bool = True
    opacity: float = 1.0
    # text and button
    text: str = ""
    family: str = ""
    weight: str = "regular"
    size_min: float = 6.0
    size_max: float | None = None
    size_fixed: float | None = None
    max_lines: int | None = None
    wrap: bool = True
    ellipsis: bool = True
    align: str = "left"
    valign: str = "top"
    line_height: float = 1.2
    color: tuple[int, int, int, int] = (255, 255, 255, 255)
    stroke: Stroke | None = None
    shadow: Shadow | None = None
    # image
    src: str = ""
    fit: str = "contain"
    focal_point: tuple[float, float] = (0.5, 0.5)
    # shape and button
    shape: str = "rect"
    radius: float = 0.0
    fill: tuple[int, int, int, int] | None = None
    border: Stroke | None = None
    padding: float = 0.3


@dataclass
class Background:
    type: str = "color"  # color | gradient | image
    color: tuple[int, int, int, int] = (31, 41, 55, 255)
    color_to: tuple[int, int, int, int] = (31, 41, 55, 255)
    angle: float = 90.0
    src: str = ""
    fit: str = "cover"
    focal_point: tuple[float, float] = (0.5, 0.5)


@dataclass
class Design:
    background: Background = field(default_factory=Background)
    layers: list[Layer] = field(default_factory=list)
    overrides: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def color(self, value: Any, path: str, default: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        if value is None:
            return default
        if isinstance(value, str):
            try:
                rgba = ImageColor.getcolor(value, "RGBA")
                return tuple(rgba)  # type: ignore[return-value]
            except ValueError:
                pass
        self.error(path, f"{value!r} is not a colour (use '#ff6600', '#ff660080' or a CSS name)")
        return default

    def number(
        self, value: Any, path: str, default: float, *, low: float, high: float, allow_percent: bool = False
    ) -> float:
        if value is None:
            return default
        if allow_percent and isinstance(value, str) and value.endswith("%"):
            try:
                value = float(value[:-1]) / 100
            except ValueError:
                self.error(path, f"{value!r} is not a percentage like '25%'")
                return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"{value!r} must be a number")
            return default
        if not low <= value <= high:
            self.error(path, f"{value!r} must be between {low:g} and {high:g}")
            return default
        return float(value)

    def positive(self, value: Any, path: str, default: float, *, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"{value!r} must be a number")
            return default
        if value <= 0:
            self.error(path, "must be > 0")
            return default
        if value > high:
            self.error(path, f"{value!r} must be at most {high:g}")
            return default
        return float(value)

    def choice(self, value: Any, path: str, default: str, options: tuple[str, ...]) -> str:
        if value is None:
            return default
        if value not in options:
            self.error(path, f"{value!r} must be one of {', '.join(options)}")
            return default
        return str(value)

    def text(self, value: Any, path: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(path, f"{value!r} must be text")
            return ""
        text = str(value)
        if len(text) > MAX_TEXT:
            self.error(path, f"is {len(text)} characters long; at most {MAX_TEXT}")
            return text[:MAX_TEXT]
        return text

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, f"{value!r} must be true or false")
            return default
        return value

    def stroke(self, value: Any, path: str) -> Stroke | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(path, f"{value!r} must be an object with width and color")
            return None
        return Stroke(
            self.number(value.get("width", 1), f"{path}.width", 1, low=0, high=200),
            self.color(value.get("color", "#000000"), f"{path}.color", (0, 0, 0, 255)),
        )

    def point(self, value: Any, path: str) -> tuple[float, float]:
        if value is None:
            return (0.5, 0.5)
        if not isinstance(value, list | tuple) or len(value) != 2:
            self.error(path, f"{value!r} must be [x, y] with fractions from 0 to 1")
            return (0.5, 0.5)
        return (
            self.number(value[0], f"{path}[0]", 0.5, low=0, high=1),
            self.number(value[1], f"{path}[1]", 0.5, low=0, high=1),
        )


def _background(check: _Checker, value: Any, path: str) -> Background:
    if value is None:
        return Background()
    if isinstance(value, str):
        return Background(color=check.color(value, path, Background().color))
    if not isinstance(value, dict):
        check.error(path, f"{value!r} must be a colour or an object with a type")
        return Background()
    kind = check.choice(value.get("type", "color"), f"{path}.type", "color", ("color", "gradient", "image"))
    if kind == "gradient":
        return Background(
            type="gradient",
            color=check.color(value.get("from"), f"{path}.from", (0, 0, 0, 255)),
            color_to=check.color(value.get("to"), f"{path}.to", (255, 255, 255, 255)),
            angle=check.number(value.get("angle", 90), f"{path}.angle", 90, low=-360, high=360),
        )
    if kind == "image":
        src = value.get("src")
        if not isinstance(src, str) or not src:
            check.error(f"{path}.src", f"{src!r} must be the name of an uploaded file")
        return Background(
            type="image",
            src=src if isinstance(src, str) else "",
            fit=check.choice(value.get("fit"), f"{path}.fit", "cover", FITS),
            focal_point=check.point(value.get("focal_point"), f"{path}.focal_point"),
            color=check.color(value.get("color"), f"{path}.color", (0, 0, 0, 0)),
        )
    return Background(color=check.color(value.get("color"), f"{path}.color", Background().color))


def _layer(check: _Checker, data: Any, path: str, index: int, fonts: Any) -> Layer | None:
    if not isinstance(data, dict):
        check.error(path, f"{data!r} must be an object")
        return None
    kind = check.choice(data.get("type"), f"{path}.type", "", LAYER_TYPES)
    if not kind:
        if data.get("type") is None:
            check.error(f"{path}.type", f"is required ({', '.join(LAYER_TYPES)})")
        return None
    name = data.get("name", f"{kind}-{index}")
    if not isinstance(name, str) or not name:
        check.error(f"{path}.name", f"{name!r} must be a non-empty string")
        name = f"{kind}-{index}"
    for key in data:
        if key not in LAYER_KEYS:
            check.error(f"{path}.{key}", "is not a layer field")
    layer = Layer(type=kind, name=name)
    for side, high in (("x", 1.0), ("y", 1.0), ("w", 1.0), ("h", 1.0)):
        low = 0.0 if side in "xy" else 0.001
        setattr(
            layer,
            side,
            check.number(
                data.get(side), f"{path}.{side}", getattr(layer, side), low=low, high=high, allow_percent=True
            ),
        )
    layer.visible = check.boolean(data.get("visible"), f"{path}.visible", True)
    layer.opacity = check.number(data.get("opacity"), f"{path}.opacity", 1.0, low=0, high=1)
    if kind in ("text", "button"):
        layer.text = check.text(data.get("text"), f"{path}.text")
        font = data.get("font") or {}
        if not isinstance(font, dict):
            check.error(f"{path}.font", f"{font!r} must be an object with family and weight")
            font = {}
        layer.family = font.get("family") or ""
        if not isinstance(layer.family, str):
            check.error(f"{path}.font.family", f"{layer.family!r} must be a font family name")
            layer.family = ""
        elif layer.family and fonts is not None and not fonts.has_family(layer.family):
            check.error(
                f"{path}.font.family", f"unknown font {layer.family!r} (known: {', '.join(fonts.families())})"
            )
        layer.weight = check.choice(
            font.get("weight"), f"{path}.font.weight", "bold" if kind == "button" else "regular", WEIGHTS
        )
        size = data.get("font_size")
        if isinstance(size, dict):
            layer.size_min = check.positive(size.get("min", 6), f"{path}.font_size.min", 6, high=MAX_FONT_PX)
            if size.get("max") is not None:
                layer.size_max = check.positive(size["max"], f"{path}.font_size.max", 100, high=MAX_FONT_PX)
                if layer.size_max < layer.size_min:
                    check.error(
                        f"{path}.font_size", f"max {layer.size_max:g} is smaller than min {layer.size_min:g}"
                    )
        elif size is not None:
            layer.size_fixed = check.positive(size, f"{path}.font_size", 24, high=MAX_FONT_PX)
        if data.get("max_lines") is not None:
            layer.max_lines = int(check.number(data["max_lines"], f"{path}.max_lines", 1, low=1, high=50))
        layer.wrap = check.boolean(data.get("wrap"), f"{path}.wrap", True)
        layer.ellipsis = check.boolean(data.get("ellipsis"), f"{path}.ellipsis", True)
        layer.align = check.choice(
            data.get("align"), f"{path}.align", "left" if kind == "text" else "center", ALIGNS
        )
        layer.valign = check.choice(
            data.get("valign"), f"{path}.valign", "top" if kind == "text" else "middle", VALIGNS
        )
        layer.line_height = check.number(data.get("line_height"), f"{path}.line_height", 1.2, low=0.5, high=4)
        layer.color = check.color(
            data.get("color"), f"{path}.color", (255, 255, 255, 255) if kind == "text" else (17, 24, 39, 255)
        )
        layer.stroke = check.stroke(data.get("stroke"), f"{path}.stroke")
        shadow = data.get("shadow")
        if shadow is not None:
            if isinstance(shadow, dict):
                layer.shadow = Shadow(
                    check.number(shadow.get("dx", 2), f"{path}.shadow.dx", 2, low=-200, high=200),
                    check.number(shadow.get("dy", 2), f"{path}.shadow.dy", 2, low=-200, high=200),
                    check.color(shadow.get("color", "#00000099"), f"{path}.shadow.color", (0, 0, 0, 153)),
                )
            else:
                check.error(f"{path}.shadow", f"{shadow!r} must be an object with dx, dy and color")
    if kind == "image":
        src = data.get("src")
        if not isinstance(src, str) or not src:
            check.error(f"{path}.src", f"{src!r} must be the name of an uploaded file")
        elif "://" in src or src.startswith("//"):
            check.error(f"{path}.src", f"{src!r}: remote URLs are not fetched; upload the file")
        else:
            layer.src = src
        layer.fit = check.choice(data.get("fit"), f"{path}.fit", "contain", FITS)
        layer.focal_point = check.point(data.get("focal_point"), f"{path}.focal_point")
    if kind in ("shape", "button"):
        layer.shape = check.choice(
            data.get("shape"), f"{path}.shape", "rounded" if kind == "button" else "rect", ("rect", "rounded")
        )
        layer.radius = check.number(
            data.get("radius"), f"{path}.radius", 0.25 if kind == "button" else 0.0, low=0, high=0.5
        )
        layer.fill = check.color(
            data.get("fill"),
            f"{path}.fill",
            (245, 158, 11, 255) if kind == "button" else (255, 255, 255, 255),
        )
        layer.border = check.stroke(data.get("border"), f"{path}.border")
        layer.padding = check.number(data.get("padding"), f"{path}.padding", 0.3, low=0, high=2)
    return layer


def parse_design(data: Any, *, fonts: Any = None) -> Design:
    """Check a layered design and return it parsed; raise DesignError listing every bad field."""
    check = _Checker()
    if not isinstance(data, dict):
        raise DesignError([f"design: {data!r} must be an object"])
    design = Design(background=_background(check, data.get("background"), "background"))
    layers = data.get("layers", [])
    if not isinstance(layers, list):
        check.error("layers", f"{layers!r} must be a list")
        layers = []
    if len(layers) > MAX_LAYERS:
        check.error("layers", f"has {len(layers)} layers; at most {MAX_LAYERS}")
        layers = layers[:MAX_LAYERS]
    names: set[str] = set()
    for i, raw in enumerate(layers):
        layer = _layer(check, raw, f"layers[{i}]", i, fonts)
        if layer is None:
            continue
        if layer.name in names:
            check.error(f"layers[{i}].name", f"{layer.name!r} is used by another layer")
        names.add(layer.name)
        design.layers.append(layer)
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict):
        check.error("overrides", f"{overrides!r} must be an object keyed by aspect class or WxH")
        overrides = {}
    for key, per_layer in overrides.items():
        if key not in ASPECT_CLASSES and not _SIZE_KEY.match(str(key)):
            check.error(
                f"overrides.{key}", f"must be one of {', '.join(ASPECT_CLASSES)} or a size like '728x90'"
            )
            continue
        if not isinstance(per_layer, dict):
            check.error(f"overrides.{key}", f"{per_layer!r} must map layer names to fields")
            continue
        for name, changes in per_layer.items():
            if name not in names:
                check.error(f"overrides.{key}.{name}", "names no layer")
            elif not isinstance(changes, dict):
                check.error(f"overrides.{key}.{name}", f"{changes!r} must be an object of layer fields")
            else:
                # Check the overridden layer as it would be drawn.
                base = next(raw for raw in layers if isinstance(raw, dict) and raw.get("name") == name)
                _layer(check, {**base, **changes}, f"overrides.{key}.{name}", 0, fonts)
        design.overrides[str(key)] = per_layer
    if check.errors:
        raise DesignError(check.errors)
    return design


def aspect_class(width: int, height: int) -> str:
    ratio = width / height
    if ratio >= 2.5:
        return "banner"
    if ratio <= 0.4:
        return "skyscraper"
    if ratio > 1.15:
        return "landscape"
    if ratio < 0.87:
        return "portrait"
    return "square"


def resolve_layers(design_data: dict[str, Any], width: int, height: int) -> list[dict[str, Any]]:
    """The design's layers with the overrides for this size applied (aspect class, then exact size)."""
    layers = [dict(layer) for layer in design_data.get("layers", [])]
    overrides = design_data.get("overrides", {}) or {}
    for key in (aspect_class(width, height), f"{width}x{height}"):
        for layer in layers:
            changes = overrides.get(key, {}).get(layer.get("name"))
            if changes:
                layer.update(changes)
    return layers


def check_canvas(width: Any, height: Any) -> None:
    if (
        isinstance(width, bool)
        or isinstance(height, bool)
        or not isinstance(width, int)
        or not isinstance(height, int)
    ):
        raise RenderError(f"dimensions: width and height must be whole numbers, got {width!r}x{height!r}")
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise RenderError(f"dimensions: {width}x{height} is outside 1..{MAX_SIDE} pixels a side")
    if width * height > MAX_PIXELS:
        raise RenderError(f"dimensions: {width}x{height} is over the {MAX_PIXELS:,} pixel budget")
