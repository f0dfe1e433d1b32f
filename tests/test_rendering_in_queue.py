"""The renderer inside the queue: designs validated at enqueue, uploads, options, presets by platform."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from renderqueue import services
from renderqueue.models import Asset, Composition, RenderOutput, SizePreset
from renderqueue.queue import InvalidRenderRequest, RenderQueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_template_content_errors_are_reported_by_path_before_enqueue(live_samples):
    template = {
        "id": "t",
        "dimensions": {"width": 300, "height": 250},
        "content": {
            "layers": [
                {"type": "text", "name": "h", "text": "x"},
                {"type": "text", "name": "b", "text": "y"},
                {"type": "text", "name": "c", "text": "z", "font_size": {"min": 0}},
            ]
        },
    }
    with pytest.raises(InvalidRenderRequest) as info:
        RenderQueue().add_template_render_job(template)
    assert info.value.message_dict == {"template.content.layers[2].font_size.min": ["must be > 0"]}
    with pytest.raises(InvalidRenderRequest, match=r"templates\[0\].content.accent_color: 'bluish'"):
        RenderQueue().add_campaign_render_job(
            [{**template, "content": {"headline": "A", "accent_color": "bluish"}}]
        )


def test_output_options_are_validated_and_used(live_samples, output_storage):
    with pytest.raises(InvalidRenderRequest) as info:
        RenderQueue().add_single_render_job("simple-ad", {"format": "jpeg", "transparent": True, "scale": 9})
    assert set(info.value.message_dict) == {"options.transparent", "options.scale"}
    job = RenderQueue().add_single_render_job(
        "simple-ad", {"format": "png", "transparent": True, "scale": 0.5}
    )
    services.job_execute(job_id=job.id)
    output = RenderOutput.objects.get(job=job)
    assert (output.width, output.height) == (540, 540)
    with output_storage.open(output.file.name) as fh:
        image = Image.open(io.BytesIO(fh.read()))
    assert image.size == (540, 540) and image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_campaign_by_platform_name(live_samples):
    job = RenderQueue().add_campaign_render_job("simple-ad", {"format": "jpeg"}, presets=["Google Display"])
    google = list(SizePreset.objects.filter(platform="Google Display").values_list("name", flat=True))
    assert job.payload["presets"] == google
    services.job_execute(job_id=job.id)
    assert RenderOutput.objects.filter(job=job, error="").count() == len(google) == 8


def test_uploaded_logo_is_drawn_and_missing_upload_fails_the_item(live_samples, output_storage):
    logo = io.BytesIO()
    Image.new("RGBA", (200, 100), (255, 0, 0, 255)).save(logo, "PNG")
    asset = Asset.objects.create(
        name="logo", file=default_storage.save("assets/logo.png", ContentFile(logo.getvalue()))
    )
    Composition.objects.create(
        id="with-logo",
        name="With logo",
        design={"headline": "Hi", "cta": "Go", "logo": asset.file.name, "background": "#000000"},
    )
    Composition.objects.create(
        id="missing-logo", name="Missing", design={"headline": "Hi", "logo": "assets/nope.png"}
    )
    job = RenderQueue().add_batch_render_job(["with-logo", "missing-logo"], {"format": "png"})
    services.job_execute(job_id=job.id)
    good, bad = RenderOutput.objects.filter(job=job).order_by("position")
    with output_storage.open(good.file.name) as fh:
        image = Image.open(io.BytesIO(fh.read())).convert("RGB")
    assert (255, 0, 0) in {color for _, color in image.getcolors(1_000_000)}
    assert "no uploaded file 'assets/nope.png'" in bad.error


def test_composition_with_a_bad_design_cannot_be_saved_in_the_admin(live_samples):
    composition = Composition(
        id="bad", name="Bad", design={"layers": [{"type": "text", "name": "t", "x": 5}]}
    )
    with pytest.raises(ValidationError) as info:
        composition.full_clean()
    assert "layers[0].x: 5 must be between 0 and 1" in str(info.value)


def test_preview_command_writes_every_size(live_samples, tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "render_queue",
        "preview",
        "simple-ad",
        "--sizes",
        "square,google-leaderboard",
        "-o",
        str(tmp_path),
        stdout=out,
    )
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["simple-ad-google-leaderboard.png", "simple-ad-square.png"]
    assert Image.open(tmp_path / "simple-ad-google-leaderboard.png").size == (728, 90)


def test_a_decompression_bomb_upload_fails_its_item_not_the_worker(live_samples):
    from tests.rendering.test_layout import bomb_png

    name = default_storage.save("assets/bomb.png", ContentFile(bomb_png(8000, 8000)))
    Composition.objects.create(id="bomb", name="Bomb", design={"headline": "Hi", "logo": name})
    job = RenderQueue().add_batch_render_job(["bomb", "simple-ad"], {"format": "jpeg"})
    services.job_execute(job_id=job.id)
    bomb, fine = RenderOutput.objects.filter(job=job).order_by("position")
    assert "8000x8000 is over the 40,000,000 pixel budget" in bomb.error
    assert fine.error == "" and fine.size_bytes > 0


def test_an_uploaded_font_is_used_by_family_name(live_samples):
    from renderqueue.models import Font
    from renderqueue.rendering import FontBook

    system = [s for s in FontBook().sources() if s.family == "DejaVu Sans" and s.weight == "bold"]
    if not system:
        pytest.skip("needs a font file to upload (DejaVu Sans Bold)")
    with open(system[0].path, "rb") as fh:
        Font.objects.create(
            family="Brand Sans",
            weight="bold",
            file=default_storage.save("fonts/brand.ttf", ContentFile(fh.read())),
        )
    template = {
        "id": "t",
        "dimensions": {"width": 600, "height": 300},
        "content": {"headline": "Brand", "font": "Brand Sans"},
    }
    job = RenderQueue().add_template_render_job(template)
    services.job_execute(job_id=job.id)
    assert RenderOutput.objects.get(job=job).error == ""
    with pytest.raises(InvalidRenderRequest, match="template.content.font: unknown font 'Nope Sans'"):
        RenderQueue().add_template_render_job({**template, "content": {"headline": "x", "font": "Nope Sans"}})
