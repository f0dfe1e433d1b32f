"""Painting a laid-out design onto a canvas, and encoding it."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from functools import lru_cache
from typing import IO

from PIL import Image, ImageDraw, ImageOps

from renderqueue.rendering.fonts import FontBook
from renderqueue.rendering.layout import Placed
from renderqueue.rendering.spec import MAX_PIXELS, Background, RenderError

ImageLoader = Callable[[str], Image.Image]
RGBA = tuple[int, int, int, int]


def open_image(fp: IO[bytes] | str, *, name: str = "image", max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode an uploaded image without trusting it: the size is checked from the header,
    before any pixels are decoded, so a decompression bomb costs nothing."""
    try:
        with Image.open(fp) as image:
            if image.width * image.height > max_pixels:
                raise RenderError(
                    f"{name}: {image.width}x{image.height} is over the {max_pixels:,} pixel budget for images"
                )
            image.draft("RGB", (4096, 4096))  # JPEG: decode at a reduced scale when it is huge
            return ImageOps.exif_transpose(image).convert("RGBA")
    except RenderError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RenderError(f"{name}: refused as a decompression bomb ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise RenderError(f"{name}: cannot be read as an image ({exc})") from None


def fit_image(image: Image.Image, size: tuple[int, int], fit: str, focal: tuple[float, float]) -> Image.Image:
    """cover: fill the box, cropping around the focal point; contain: whole image, letterboxed
    (transparent); fill: stretch."""
    w, h = max(1, size[0]), max(1, size[1])
    if fit == "fill":
        return image.resize((w, h), Image.Resampling.LANCZOS)
    if fit == "cover":
        return ImageOps.fit(image, (w, h), Image.Resampling.LANCZOS, centering=focal)
    contained = ImageOps.contain(image, (w, h), Image.Resampling.LANCZOS)
    tile = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    tile.paste(contained, ((w - contained.width) // 2, (h - contained.height) // 2))
    return tile


@lru_cache(maxsize=8)
def _gradient_mask(width: int, height: int, angle: float) -> Image.Image:
    # A 0→255 ramp along `angle` (CSS-like: 90 = left to right, 180 = top to bottom).
    ramp = Image.linear_gradient("L").rotate(90 - angle + 90, resample=Image.Resampling.BICUBIC, expand=False)
    diagonal = math.ceil(math.hypot(width, height))
    return ramp.resize((diagonal, diagonal), Image.Resampling.BILINEAR).crop(
        (
            (diagonal - width) // 2,
            (diagonal - height) // 2,
            (diagonal - width) // 2 + width,
            (diagonal - height) // 2 + height,
        )
    )


def new_canvas(
    size: tuple[int, int], background: Background | None, images: ImageLoader | None
) -> Image.Image:
    """The background, painted. Opaque ads are drawn in RGB (no alpha to strip before encoding);
    `background=None` means transparent, drawn in RGBA."""
    if background is None:
        return Image.new("RGBA", size, (0, 0, 0, 0))
    if background.type == "gradient":
        start = Image.new("RGB", size, background.color[:3])
        end = Image.new("RGB", size, background.color_to[:3])
        return Image.composite(end, start, _gradient_mask(size[0], size[1], background.angle))
    canvas = Image.new("RGB", size, background.color[:3])
    if background.type == "image":
        if images is None:
            raise RenderError(f"background.src: {background.src!r} cannot be loaded here (no image store)")
        picture = fit_image(images(background.src), size, background.fit, background.focal_point)
        blend(canvas, picture, (0, 0))
    return canvas


def blend(canvas: Image.Image, tile: Image.Image, at: tuple[int, int]) -> None:
    """Draw an RGBA tile over the canvas: alpha compositing (RGBA) or a masked paste (RGB)."""
    if canvas.mode == "RGBA":
        canvas.alpha_composite(tile, at)
    else:
        canvas.paste(tile, at, tile)


def _with_opacity(tile: Image.Image, opacity: float) -> Image.Image:
    if opacity >= 1:
        return tile
    alpha = tile.getchannel("A").point(lambda a: round(a * opacity))
    tile.putalpha(alpha)
    return tile


def paint_layer(
    canvas: Image.Image, placed: Placed, fonts: FontBook, images: ImageLoader | None, scale: float
) -> None:
    layer = placed.layer
    x0, y0, x1, y1 = placed.box
    # Each layer is drawn on its own transparent tile covering just its region, then blended:
    # opacity works the same for text, shapes and images, and translucent colours blend.
    spill = round(max(abs(layer.shadow.dx), abs(layer.shadow.dy)) * scale) + 2 if layer.shadow else 2
    left, top = max(0, x0 - spill), max(0, y0 - spill)
    right, bottom = min(canvas.width, x1 + spill), min(canvas.height, y1 + spill)
    tile = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile, "RGBA")
    if layer.type == "image":
        if images is None:
            raise RenderError(
                f"layers.{layer.name}.src: {layer.src!r} cannot be loaded here (no image store)"
            )
        picture = fit_image(images(layer.src), (x1 - x0, y1 - y0), layer.fit, layer.focal_point)
        tile.alpha_composite(picture, (x0 - left, y0 - top))
    if placed.shape_box is not None:
        bx0, by0, bx1, by1 = placed.shape_box
        radius = round(min(bx1 - bx0, by1 - by0) * layer.radius) if layer.shape == "rounded" else 0
        border = layer.border
        draw.rounded_rectangle(
            (bx0 - left, by0 - top, bx1 - 1 - left, by1 - 1 - top),
            radius=radius,
            fill=layer.fill,
            outline=border.color if border else None,
            width=max(1, round(border.width * scale)) if border else 0,
        )
    if placed.text is not None:
        block = placed.text
        font = fonts.font(block.source, block.size)
        stroke_fill = layer.stroke.color if layer.stroke else None
        for line, (ox, oy) in zip(block.lines, block.origins, strict=True):
            if layer.shadow:
                shadow_at = (ox - left + layer.shadow.dx * scale, oy - top + layer.shadow.dy * scale)
                draw.text(
                    shadow_at,
                    line,
                    font=font,
                    fill=layer.shadow.color,
                    anchor="ls",
                    stroke_width=block.stroke,
                    stroke_fill=layer.shadow.color,
                )
            draw.text(
                (ox - left, oy - top),
                line,
                font=font,
                fill=layer.color,
                anchor="ls",
                stroke_width=block.stroke,
                stroke_fill=stroke_fill,
            )
    blend(canvas, _with_opacity(tile, layer.opacity), (left, top))


def encode(
    image: Image.Image,
    *,
    format: str,
    quality: int,
    transparent: bool,
    png_compression: int = 1,
    progressive: bool = False,
    webp_method: int = 0,
) -> bytes:
    buffer = io.BytesIO()
    if image.mode != "RGB" and (format == "jpeg" or not transparent):
        image = image.convert("RGB")
    if format == "png":
        # Level 1 is ~4x faster than zlib's default 6 on ad graphics, for a few % more bytes.
        image.save(buffer, "PNG", compress_level=png_compression)
    elif format == "jpeg":
        # Pillow caps useful JPEG quality at 95; above it files grow with no visible gain.
        image.save(buffer, "JPEG", quality=min(quality, 95), progressive=progressive, optimize=progressive)
    elif format == "webp":
        image.save(buffer, "WEBP", quality=quality, method=webp_method, exact=transparent)
    else:
        raise RenderError(f"format: {format!r} is not one of png, jpeg, webp")
    return buffer.getvalue()
