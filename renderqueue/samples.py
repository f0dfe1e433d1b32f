"""Load the sample compositions and the size-preset catalogue into the database."""

from __future__ import annotations

from renderqueue.models import Composition, SizePreset
from renderqueue.rendering.catalogue import COMPOSITIONS, SIZE_PRESETS


def load_samples() -> tuple[int, int]:
    """Create or refresh the samples; running it again changes nothing. Returns (compositions, presets)."""
    for order, (name, platform, label, width, height) in enumerate(SIZE_PRESETS):
        SizePreset.objects.update_or_create(
            name=name,
            defaults={
                "platform": platform,
                "label": label,
                "width": width,
                "height": height,
                "sort_order": order,
            },
        )
    for sample in COMPOSITIONS:
        Composition.objects.update_or_create(
            id=sample["id"], defaults={"name": sample["name"], "design": sample["design"]}
        )
    return len(COMPOSITIONS), len(SIZE_PRESETS)
