"""Checks on render requests, run before anything is stored or enqueued.

Every problem is reported with the field it is about and the value that was given, e.g.
`options.quality: 0 must be a whole number from 1 to 100`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from renderqueue.models import Composition, ImageFormat, JobPriority, SizePreset
from renderqueue.rendering import MAX_PIXELS, MAX_SIDE


class InvalidRenderRequest(ValidationError):
    """Raised at enqueue time; `message_dict` maps each bad field to its messages."""

    def __str__(self) -> str:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.message_dict.items())


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise InvalidRenderRequest(self.by_field)


def clean_priority(value: Any) -> JobPriority:
    if isinstance(value, str) and value.upper() in JobPriority.names:
        return JobPriority[value.upper()]
    if isinstance(value, int) and not isinstance(value, bool) and value in JobPriority.values:
        return JobPriority(value)
    names = ", ".join(f"{p.name}={p.value}" for p in JobPriority)
    raise InvalidRenderRequest({"priority": [f"{value!r} is not a priority ({names})"]})


def clean_options(options: dict[str, Any] | None, errors: _Errors) -> dict[str, Any]:
    options = dict(options or {})
    if not isinstance(options, dict):
        errors.add("options", f"{options!r} must be an object")
        return {}
    fmt = options.get("format", ImageFormat.PNG)
    if fmt == "jpg":
        fmt = ImageFormat.JPEG
    if fmt not in ImageFormat.values:
        errors.add("options.format", f"{fmt!r} is not one of {', '.join(ImageFormat.values)}")
    quality = options.get("quality", 90)
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        errors.add("options.quality", f"{quality!r} must be a whole number from 1 to 100")
    unknown = sorted(set(options) - {"format", "quality"})
    for key in unknown:
        errors.add(f"options.{key}", f"unknown option {key!r} (known: format, quality)")
    return {"format": str(fmt), "quality": quality}


def clean_metadata(metadata: dict[str, Any] | None, errors: _Errors) -> dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        errors.add("metadata", f"{metadata!r} must be an object")
        return {}
    return metadata


def check_dimensions(field: str, dimensions: Any, errors: _Errors) -> tuple[int, int] | None:
    if not isinstance(dimensions, dict):
        errors.add(field, f"{dimensions!r} must be an object with width and height")
        return None
    sizes = []
    for side in ("width", "height"):
        value = dimensions.get(side)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
            errors.add(f"{field}.{side}", f"{value!r} must be a whole number from 1 to {MAX_SIDE}")
        else:
            sizes.append(value)
    if len(sizes) == 2:
        if sizes[0] * sizes[1] > MAX_PIXELS:
            errors.add(field, f"{sizes[0]}x{sizes[1]} is over the {MAX_PIXELS:,} pixel budget")
            return None
        return sizes[0], sizes[1]
    return None


def clean_template(template: Any, field: str, errors: _Errors) -> dict[str, Any]:
    if not isinstance(template, dict):
        errors.add(field, f"{template!r} must be an object with id, dimensions and content")
        return {}
    template_id = template.get("id")
    if not isinstance(template_id, str) or not template_id.strip():
        errors.add(f"{field}.id", f"{template_id!r} must be a non-empty string")
    check_dimensions(f"{field}.dimensions", template.get("dimensions"), errors)
    content = template.get("content", {})
    if not isinstance(content, dict):
        errors.add(f"{field}.content", f"{content!r} must be an object (headline, body, cta, …)")
    return template


def existing_compositions(ids: Iterable[Any], field: str, errors: _Errors) -> list[str]:
    ids = list(ids)
    bad = [i for i in ids if not isinstance(i, str) or not i]
    for value in bad:
        errors.add(field, f"{value!r} is not a composition id")
    wanted = [i for i in ids if isinstance(i, str) and i]
    found = set(Composition.objects.filter(id__in=wanted).values_list("id", flat=True))
    for missing in [i for i in wanted if i not in found]:
        errors.add(field, f"unknown composition {missing!r}")
    return wanted


def existing_presets(names: list[str] | None, field: str, errors: _Errors) -> list[str]:
    catalogue = list(SizePreset.objects.values_list("name", flat=True))
    if names is None or names == "all" or names == ["all"]:
        if not catalogue:
            errors.add(field, "there are no size presets (run `manage.py render_queue load-samples`)")
        return catalogue
    if isinstance(names, str) or not isinstance(names, list):
        errors.add(field, f"{names!r} must be a list of preset names or 'all'")
        return []
    for name in names:
        if name not in catalogue:
            errors.add(field, f"unknown size preset {name!r} (known: {', '.join(catalogue)})")
    return names


__all__ = [
    "InvalidRenderRequest",
    "check_dimensions",
    "clean_metadata",
    "clean_options",
    "clean_priority",
    "clean_template",
    "existing_compositions",
    "existing_presets",
]
