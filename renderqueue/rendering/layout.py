"""Where everything goes: layer boxes in pixels, and text fitted to its box (shrink, wrap,
then ellipsize). Drawing is separate (draw.py) so tests can measure a layout directly."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw

from renderqueue.rendering.fonts import FontBook, FontSource
from renderqueue.rendering.spec import Layer

ELLIPSIS = "…"
_MEASURE = ImageDraw.Draw(Image.new("L", (1, 1)))


@dataclass
class TextBlock:
    source: FontSource
    size: int
    lines: list[str]
    line_height: float
    ascent: int
    stroke: int
    # Ink boxes of each line on the canvas (x0, y0, x1, y1), filled in by place_text.
    line_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    origins: list[tuple[float, float]] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Placed:
    layer: Layer
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in canvas pixels
    text: TextBlock | None = None
    shape_box: tuple[int, int, int, int] | None = None  # a button's pill, grown to its text

    @property
    def ink_box(self) -> tuple[float, float, float, float] | None:
        if not self.text or not self.text.line_boxes:
            return None
        xs0, ys0, xs1, ys1 = zip(*self.text.line_boxes, strict=True)
        return min(xs0), min(ys0), max(xs1), max(ys1)


def pixel_box(layer: Layer, width: int, height: int) -> tuple[int, int, int, int]:
    x0 = round(layer.x * width)
    y0 = round(layer.y * height)
    x1 = min(width, round((layer.x + layer.w) * width))
    y1 = min(height, round((layer.y + layer.h) * height))
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


@lru_cache(maxsize=65536)
def _extent(font: Any, text: str, stroke: int) -> tuple[float, float]:
    """(overhang to the left of the origin, total width) of the ink *and* the advance: some
    glyphs (a "Y", an italic "f") reach past their advance box."""
    if not text:
        return 0.0, 0.0
    left, _top, right, _bottom = font.getbbox(text, stroke_width=stroke)
    advance = float(font.getlength(text)) + 2 * stroke
    overhang = max(0.0, -float(left))
    return overhang, overhang + max(float(right), advance)


def _width(font: Any, text: str, stroke: int) -> float:
    return _extent(font, text, stroke)[1]


@lru_cache(maxsize=65536)
def _advance(font: Any, text: str) -> float:
    return float(font.getlength(text))


def _wrap(font: Any, text: str, max_width: float, stroke: int) -> tuple[list[str], bool]:
    """Greedy word wrap; a word longer than the line is broken between characters (and the
    second value says so, so that fitting prefers a smaller size to a broken word).

    Lines are built from cached word advances (a line is its words plus spaces), so a fit
    probe costs one measurement per distinct word; the caller checks the exact ink width."""
    space = _advance(font, " ")
    limit = max_width - 2 * stroke
    lines: list[str] = []
    broke = False
    for paragraph in text.split("\n"):
        line, line_w = "", 0.0
        for word in paragraph.split():
            word_w = _advance(font, word)
            if line and line_w + space + word_w <= limit:
                line, line_w = f"{line} {word}", line_w + space + word_w
                continue
            if not line and word_w <= limit:
                line, line_w = word, word_w
                continue
            if line:
                lines.append(line)
            while _width(font, word, stroke) > max_width and len(word) > 1:
                broke = True
                cut = len(word) - 1
                while cut > 1 and _width(font, word[:cut], stroke) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line, line_w = word, _advance(font, word)
        lines.append(line)
    return lines, broke


def _shorten(font: Any, line: str, max_width: float, stroke: int, mark: str) -> str:
    """Cut the line until it and the mark (an ellipsis, or nothing) fit."""
    while line and _width(font, line.rstrip() + mark, stroke) > max_width:
        line = line[:-1]
    return line.rstrip() + mark if line.strip() else mark


def _lines_that_fit(font: Any, layer: Layer, box_h: float, line_h: float, stroke: int) -> int:
    """How many lines the box's height (and the layer's max_lines) allows at this size."""
    ascent, descent = font.getmetrics()
    if box_h < ascent:
        return 0
    by_height = max(1, int((box_h - (ascent + descent + 2 * stroke)) // line_h) + 1)
    return min(by_height, layer.max_lines or by_height)


def _try_size(
    fonts: FontBook,
    source: FontSource,
    text: str,
    size: int,
    layer: Layer,
    box_w: float,
    box_h: float,
    stroke: int,
) -> tuple[TextBlock, int, bool]:
    """Wrap at this size: the block, how many of its lines fit, and whether all of it fits."""
    font = fonts.font(source, size)
    ascent, _descent = font.getmetrics()
    line_h = size * layer.line_height
    lines, broke = _wrap(font, text, box_w, stroke) if layer.wrap else (text.split("\n"), False)
    allowed = _lines_that_fit(font, layer, box_h, line_h, stroke)
    widest = max((_width(font, line, stroke) for line in lines), default=0)
    fits = 0 < len(lines) <= allowed and widest <= box_w and not broke
    return TextBlock(source, size, lines, line_h, ascent, stroke), allowed, fits


def fit_text(
    fonts: FontBook, layer: Layer, text: str, box_w: float, box_h: float, *, scale: float, canvas_short: int
) -> TextBlock:
    """The largest size from max down to min at which the text fits; at min, ellipsize what is left."""
    source = fonts.pick(layer.family, layer.weight, text)
    stroke = round(layer.stroke.width * scale) if layer.stroke else 0
    if layer.size_fixed is not None:
        # A fixed size ≤ 1 is a fraction of the canvas's shorter side; larger, design pixels.
        fixed = layer.size_fixed * canvas_short if layer.size_fixed <= 1 else layer.size_fixed * scale
        smallest = high = max(1, round(fixed))
    else:
        smallest = max(1, round(layer.size_min * scale))
        tallest = box_h / layer.line_height
        high = max(smallest, round(min(layer.size_max * scale if layer.size_max else tallest, tallest)))
    low, best = smallest, None
    # Binary search on the size: a wrap-and-measure per probe, ~7 probes for sizes up to 200 px.
    while low <= high:
        mid = (low + high) // 2
        block, _allowed, fits = _try_size(fonts, source, text, mid, layer, box_w, box_h, stroke)
        if fits:
            best, low = block, mid + 1
        else:
            high = mid - 1
    if best is not None:
        return best
    block, allowed, _fits = _try_size(fonts, source, text, smallest, layer, box_w, box_h, stroke)
    return _truncate(fonts, block, max(1, allowed), layer, box_w)


def _truncate(fonts: FontBook, block: TextBlock, allowed: int, layer: Layer, box_w: float) -> TextBlock:
    """Keep the lines that fit; end the last one with an ellipsis (or cut it)."""
    font = fonts.font(block.source, block.size)
    stroke = block.stroke
    mark = ELLIPSIS if layer.ellipsis else ""
    lines = block.lines[:allowed]
    if len(block.lines) > allowed:
        lines[-1] = _shorten(font, f"{lines[-1]} {block.lines[allowed]}", box_w, stroke, mark)
    lines = [
        line if _width(font, line, stroke) <= box_w else _shorten(font, line, box_w, stroke, mark)
        for line in lines
    ]
    block.truncated = lines != block.lines
    block.lines = lines
    return block


_ALIGN = {"left": 0.0, "top": 0.0, "center": 0.5, "middle": 0.5, "right": 1.0, "bottom": 1.0}


def aligned(start: float, room: float, size: float, how: str) -> float:
    """Where something `size` long starts in `room` from `start`, aligned left/center/right
    (or top/middle/bottom)."""
    return start + (room - size) * _ALIGN[how]


def place_text(
    block: TextBlock, fonts: FontBook, layer: Layer, x0: float, y0: float, box_w: float, box_h: float
) -> None:
    """Align the block in its box and record each line's origin (left, baseline) and ink box."""
    font = fonts.font(block.source, block.size)
    ascent, descent = font.getmetrics()
    block_h = (len(block.lines) - 1) * block.line_height + ascent + descent + 2 * block.stroke
    top = aligned(y0, box_h, block_h, layer.valign)
    block.origins, block.line_boxes = [], []
    for i, line in enumerate(block.lines):
        overhang, line_w = _extent(font, line, block.stroke)
        left = aligned(x0, box_w, line_w, layer.align)
        origin = (left + overhang + block.stroke, top + block.stroke + ascent + i * block.line_height)
        block.origins.append(origin)
        if line.strip():
            block.line_boxes.append(
                _MEASURE.textbbox(origin, line, font=font, anchor="ls", stroke_width=block.stroke)
            )


def layout_layer(layer: Layer, fonts: FontBook, width: int, height: int, *, scale: float) -> Placed:
    box = pixel_box(layer, width, height)
    placed = Placed(layer, box)
    x0, y0, x1, y1 = box
    short = min(width, height)
    if layer.type == "text" and layer.text.strip():
        block = fit_text(fonts, layer, layer.text, x1 - x0, y1 - y0, scale=scale, canvas_short=short)
        place_text(block, fonts, layer, x0, y0, x1 - x0, y1 - y0)
        placed.text = block
    elif layer.type == "button" and layer.text.strip():
        box_h = y1 - y0
        pad_x = box_h * layer.padding
        pad_y = box_h * min(0.25, layer.padding / 2)
        inner_w = max(1.0, (x1 - x0) - 2 * pad_x)
        inner_h = max(1.0, box_h - 2 * pad_y)
        one_line = replace(layer, max_lines=layer.max_lines or 1, valign="middle", align="left")
        if one_line.size_fixed is None and one_line.size_max is None:
            one_line.size_max = inner_h / (scale or 1)
        block = fit_text(fonts, one_line, layer.text, inner_w, inner_h, scale=scale, canvas_short=short)
        font = fonts.font(block.source, block.size)
        text_w = max((_width(font, line, block.stroke) for line in block.lines), default=0)
        pill_w = min(x1 - x0, round(text_w + 2 * pad_x))
        left = round(aligned(x0, x1 - x0, pill_w, layer.align))
        placed.shape_box = (left, y0, left + pill_w, y1)
        centred = replace(one_line, align="center")
        place_text(block, fonts, centred, left + pad_x, y0 + pad_y, pill_w - 2 * pad_x, inner_h)
        placed.text = block
    elif layer.type == "shape":
        placed.shape_box = box
    return placed
