"""The renderer alone: no Django, no queue."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from renderqueue.rendering import MAX_SIDE, RenderError, render_ad

DESIGN = {"headline": "Summer Sale", "body": "Up to 50% off", "cta": "Shop now", "background": "#102030"}


@pytest.mark.parametrize(("fmt", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
@pytest.mark.parametrize(("width", "height"), [(1080, 1080), (1080, 1920), (728, 90), (320, 50)])
def test_formats_and_sizes(fmt, pil_format, width, height):
    image = Image.open(BytesIO(render_ad(DESIGN, width, height, format=fmt, quality=80)))
    assert (image.format, image.size) == (pil_format, (width, height))


def test_background_colour_is_used():
    image = Image.open(BytesIO(render_ad({"background": "#ff0000"}, 50, 50, format="png")))
    assert image.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_text_is_drawn():
    blank = Image.open(BytesIO(render_ad({"background": "#000000"}, 400, 400, format="png"))).convert("L")
    text = Image.open(
        BytesIO(render_ad({**DESIGN, "background": "#000000"}, 400, 400, format="png"))
    ).convert("L")
    assert blank.getextrema() == (0, 0)
    assert text.getextrema()[1] > 200


def test_same_input_same_bytes():
    assert render_ad(DESIGN, 600, 400, format="webp") == render_ad(DESIGN, 600, 400, format="webp")


def test_quality_changes_jpeg_size():
    low = render_ad(DESIGN, 800, 800, format="jpeg", quality=10)
    high = render_ad(DESIGN, 800, 800, format="jpeg", quality=95)
    assert len(low) < len(high)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 0, "height": 10}, "dimensions: 0x10"),
        ({"width": MAX_SIDE + 1, "height": 10}, "outside 1..8192"),
        ({"width": 8000, "height": 8000}, "pixel budget"),
        ({"format": "gif"}, "format: 'gif'"),
        ({"quality": 0}, "quality: 0"),
        ({"design": {"background": "not-a-colour"}}, "background: 'not-a-colour'"),
    ],
)
def test_bad_input_is_a_render_error_naming_the_field(kwargs, message):
    args = {"design": DESIGN, "width": 100, "height": 100, "format": "png", "quality": 90, **kwargs}
    with pytest.raises(RenderError, match=message):
        render_ad(args.pop("design"), args.pop("width"), args.pop("height"), **args)


def test_rendering_imports_no_django():
    import subprocess
    import sys

    code = "import sys, renderqueue.rendering; print(any(m.startswith('django') for m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )
