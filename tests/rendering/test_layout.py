"""Fidelity: one design in every size stays inside its boxes, readable and uncluttered."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageChops, ImageColor, ImageStat

from renderqueue.rendering import (
    DesignError,
    FontBook,
    FontSource,
    RenderError,
    layout_ad,
    open_image,
    render_ad,
)
from renderqueue.rendering.catalogue import COMPOSITIONS, SIZE_PRESETS
from renderqueue.rendering.fonts import _covers
from renderqueue.rendering.layouts import DEFAULTS
from tests.rendering import golden

PRESETS = [(name, w, h) for name, _, _, w, h in SIZE_PRESETS]
SAMPLES = [(c["id"], c["design"]) for c in COMPOSITIONS]


def luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def inside(inner, outer, slack: float = 1.0) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(("sample", "design"), SAMPLES)
@pytest.mark.parametrize(("preset", "width", "height"), PRESETS)
def test_every_sample_fits_every_preset(sample, design, preset, width, height):
    layout = layout_ad(design, width, height)
    canvas = (0, 0, width, height)
    texts = [p for p in layout.placed if p.text is not None]
    assert {p.layer.name for p in texts} >= {"headline", "cta"}, "headline and CTA are always shown"
    cta = next(p for p in layout.placed if p.layer.name == "cta")
    for placed in texts:
        ink = placed.ink_box
        assert ink is not None
        assert inside(ink, canvas), f"{placed.layer.name} leaves the canvas: {ink}"
        box = placed.shape_box if placed.layer.type == "button" else placed.box
        assert inside(ink, box), f"{placed.layer.name} leaves its box: {ink} not in {box}"
        if placed is not cta:
            assert not overlaps(ink, cta.shape_box), f"{placed.layer.name} overlaps the CTA"
    # Legible: nothing below 9 px, and a headline that reads as one (≥ 10 px even on 320x50).
    sizes = {p.layer.name: p.text.size for p in texts}
    assert min(sizes.values()) >= 9, sizes
    assert sizes["headline"] >= 10, sizes


@pytest.mark.parametrize(("sample", "design"), SAMPLES)
def test_sample_colours_have_wcag_contrast(sample, design):
    colours = {**DEFAULTS, **design}
    background = ImageColor.getrgb(colours["background"])
    assert contrast(ImageColor.getrgb(colours["text_color"]), background) >= 4.5
    assert (
        contrast(ImageColor.getrgb(colours["cta_text_color"]), ImageColor.getrgb(colours["accent_color"]))
        >= 4.5
    )


def test_contrast_is_measured_on_the_rendered_pixels():
    # The headline's brightest pixels against the background: rendering keeps the design's contrast.
    design = SAMPLES[0][1]
    image = Image.open(io.BytesIO(render_ad(design, 1080, 1080, format="png"))).convert("RGB")
    layout = layout_ad(design, 1080, 1080)
    headline = next(p for p in layout.placed if p.layer.name == "headline")
    crop = image.crop(tuple(round(v) for v in headline.ink_box))
    colours = sorted(crop.getcolors(1_000_000), reverse=True)
    background, text = colours[0][1], max((c for _, c in colours), key=luminance)
    assert contrast(text, background) >= 4.5


def test_long_headline_shrinks_then_ellipsizes():
    short = layout_ad({"headline": "Sale", "cta": "Buy"}, 1080, 1080)
    longer = layout_ad({"headline": "The biggest summer sale we have ever had", "cta": "Buy"}, 1080, 1080)
    huge = layout_ad({"headline": "Unbelievable deals " * 60, "cta": "Buy"}, 320, 50)
    size = {
        n: next(p for p in lay.placed if p.layer.name == "headline").text.size
        for n, lay in (("short", short), ("longer", longer))
    }
    assert size["longer"] < size["short"]
    headline = next(p for p in huge.placed if p.layer.name == "headline")
    assert headline.text.truncated and headline.text.lines[-1].endswith("…")
    assert inside(headline.ink_box, headline.box)


def test_empty_optional_fields_leave_no_gap():
    with_body = layout_ad({"headline": "Summer Sale", "body": "Up to 50% off", "cta": "Shop"}, 1080, 1080)
    without = layout_ad({"headline": "Summer Sale", "body": "", "cta": "Shop"}, 1080, 1080)
    assert "body" not in {p.layer.name for p in without.placed}
    box = {p.layer.name: p.box for p in without.placed}
    body_box = next(p.box for p in with_body.placed if p.layer.name == "body")
    # The headline takes the body's room: its box reaches down to where the body's ended.
    assert box["headline"][3] >= body_box[3] - 2
    assert box["cta"][1] - box["headline"][3] < 0.07 * 1080


def test_banner_320x50_keeps_headline_and_cta_legible():
    layout = layout_ad({"headline": "Summer Sale", "body": "Up to 50% off", "cta": "Shop now"}, 320, 50)
    names = {p.layer.name: p for p in layout.placed}
    assert "headline" in names and "cta" in names
    assert names["headline"].text.size >= 12 and names["cta"].text.size >= 10
    assert names["headline"].text.lines == ["Summer Sale"] and names["cta"].text.lines == ["Shop now"]


def test_layered_design_errors_list_every_field_by_path():
    bad = {
        "background": {"type": "gradient", "from": "nope", "to": "#fff"},
        "layers": [
            {"type": "text", "name": "a", "text": "x", "x": 2},
            {"type": "blob"},
            {
                "type": "text",
                "name": "b",
                "text": "y",
                "font_size": {"min": 0},
                "font": {"family": "Comic Nope"},
            },
            {"type": "image", "name": "logo", "src": "https://example.com/logo.png"},
        ],
        "overrides": {"huge": {}, "banner": {"missing": {"x": 0.1}}},
    }
    with pytest.raises(DesignError) as info:
        layout_ad(bad, 300, 250)
    text = str(info.value)
    for expected in (
        "background.from: 'nope' is not a colour",
        "layers[0].x: 2 must be between 0 and 1",
        "layers[1].type: 'blob' must be one of text, image, shape, button",
        "layers[2].font_size.min: must be > 0",
        "layers[2].font.family: unknown font 'Comic Nope'",
        "layers[3].src: 'https://example.com/logo.png': remote URLs are not fetched",
        "overrides.huge: must be one of square, portrait, landscape, banner, skyscraper or a size",
        "overrides.banner.missing: names no layer",
    ):
        assert expected in text, expected


def test_overrides_apply_per_aspect_class_and_exact_size():
    design = {
        "layers": [{"type": "text", "name": "t", "text": "Hi", "x": 0.1, "w": 0.5}],
        "overrides": {"banner": {"t": {"x": 0.3}}, "728x90": {"t": {"w": 0.2}}},
    }
    assert layout_ad(design, 1000, 1000).placed[0].box[0] == 100
    x0, _, x1, _ = layout_ad(design, 728, 90).placed[0].box  # banner: x=0.3; exactly 728x90: w=0.2
    assert (x0, x1) == (round(0.3 * 728), round(0.5 * 728))
    x0, _, x1, _ = layout_ad(design, 970, 250).placed[0].box  # banner only
    assert (x0, x1) == (round(0.3 * 970), round(0.8 * 970))


def test_hostile_sizes_and_text_are_refused_cleanly():
    with pytest.raises(RenderError, match="dimensions: 100000x10"):
        render_ad({"headline": "x"}, 100000, 10)
    with pytest.raises(RenderError, match="pixel budget"):
        render_ad({"headline": "x"}, 8000, 8000)
    with pytest.raises(RenderError, match="scale: 4000x4000 at 4x is over"):
        render_ad({"headline": "x"}, 4000, 4000, scale=4)
    with pytest.raises(RenderError, match="headline: is 5000 characters long"):
        render_ad({"headline": "x" * 5000}, 300, 250)
    huge_font = {"layers": [{"type": "text", "name": "t", "text": "x", "font_size": 100000}]}
    with pytest.raises(RenderError, match=r"layers\[0\].font_size: 100000 must be at most 2000"):
        render_ad(huge_font, 300, 250)


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims an enormous image (the pixel data is never reached)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(RenderError, match="logo: 8000x8000 is over the 40,000,000 pixel budget"):
        open_image(io.BytesIO(bomb_png(8000, 8000)), name="logo")
    with pytest.raises(RenderError, match="logo: refused as a decompression bomb"):
        open_image(io.BytesIO(bomb_png(50000, 50000)), name="logo")
    with pytest.raises(RenderError, match="cannot be read as an image"):
        open_image(io.BytesIO(b"not an image"), name="logo")


def test_image_layers_fit_and_focal_point():
    red_left = Image.new("RGBA", (400, 100), (0, 0, 255, 255))
    red_left.paste((255, 0, 0, 255), (0, 0, 100, 100))
    design = {
        "background": "#ffffff",
        "layers": [
            {"type": "image", "name": "photo", "src": "p.png", "fit": "cover", "focal_point": [0, 0.5]}
        ],
    }
    image = Image.open(io.BytesIO(render_ad(design, 100, 100, images=lambda src: red_left))).convert("RGB")
    assert image.getpixel((50, 50)) == (255, 0, 0)  # cropped to the left end, where the focal point is
    design["layers"][0]["fit"] = "contain"
    image = Image.open(io.BytesIO(render_ad(design, 100, 100, images=lambda src: red_left))).convert("RGB")
    assert image.getpixel((50, 5)) == (255, 255, 255) and image.getpixel((10, 50)) == (255, 0, 0)


def test_opacity_blends_a_layer():
    design = {
        "background": "#000000",
        "layers": [{"type": "shape", "name": "s", "fill": "#ffffff", "opacity": 0.5}],
    }
    pixel = Image.open(io.BytesIO(render_ad(design, 20, 20))).convert("RGB").getpixel((10, 10))
    assert all(120 <= c <= 135 for c in pixel)


def test_transparent_png_and_webp_and_scale():
    for fmt in ("png", "webp"):
        image = Image.open(io.BytesIO(render_ad({"headline": "Hi"}, 200, 100, format=fmt, transparent=True)))
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0
    with pytest.raises(RenderError, match="transparent: JPEG has no transparency"):
        render_ad({"headline": "Hi"}, 200, 100, format="jpeg", transparent=True)
    assert Image.open(io.BytesIO(render_ad({"headline": "Hi"}, 300, 250, scale=2))).size == (600, 500)


def test_encoder_options_matter():
    design = COMPOSITIONS[1]["design"]
    fast = render_ad(design, 600, 600, format="png", png_compression=1)
    small = render_ad(design, 600, 600, format="png", png_compression=9)
    assert len(small) < len(fast)
    progressive = render_ad(design, 600, 600, format="jpeg", progressive=True)
    assert Image.open(io.BytesIO(progressive)).info.get("progressive") == 1


DEJAVU = FontBook().has_family("DejaVu Sans")


@pytest.mark.skipif(not DEJAVU, reason="needs a font with Arabic and Hebrew glyphs (DejaVu Sans)")
@pytest.mark.parametrize("text", ["مرحبا بالعالم", "שלום עולם", "Ünïcödé façade"])
def test_non_latin_text_uses_a_font_that_has_the_glyphs(text):
    fonts = FontBook()
    source = fonts.pick("Default", "bold", text)  # the built-in font lacks these glyphs
    assert _covers(source, text)
    layout = layout_ad({"headline": text, "font": "Default"}, 600, 300, fonts=fonts)
    headline = next(p for p in layout.placed if p.layer.name == "headline")
    assert headline.text.source == source and inside(headline.ink_box, headline.box)


def test_uploaded_font_bytes_can_be_chosen_by_family():
    if not DEJAVU:
        pytest.skip("needs a system font file to stand in for an upload")
    path = next(s for s in FontBook().sources() if s.family == "DejaVu Sans").path
    with open(path, "rb") as fh:
        upload = FontBook(extra=[FontSource("Brand Sans", "regular", data=fh.read())], use_system=False)
    assert upload.has_family("Brand Sans")
    layout = layout_ad(
        {"layers": [{"type": "text", "name": "t", "text": "Brand", "font": {"family": "Brand Sans"}}]},
        300,
        100,
        fonts=upload,
    )
    assert layout.placed[0].text.source.family == "Brand Sans"


def test_same_input_same_bytes():
    assert render_ad(golden.DESIGN, 728, 90, format="webp") == render_ad(
        golden.DESIGN, 728, 90, format="webp"
    )


@pytest.mark.parametrize(("width", "height"), golden.SIZES)
def test_golden_images(width, height):
    expected = Image.open(golden.golden_path(width, height)).convert("RGB")
    actual = Image.open(io.BytesIO(golden.render(width, height))).convert("RGB")
    assert actual.size == expected.size
    diff = ImageChops.difference(actual, expected)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    changed = sum(diff.convert("L").histogram()[49:]) / (width * height)
    # Small tolerance for FreeType/zlib differences between machines; a layout change exceeds it.
    assert mean < 1.0 and changed < 0.005, (
        f"mean diff {mean:.2f}, {changed:.2%} pixels changed (make golden?)"
    )
