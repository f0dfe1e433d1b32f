"""Checks on render requests, run before anything is stored or enqueued.

Every problem is reported with the field it is about and the value that was given, e.g.
`options.quality: 0 must be a whole number from 1 to 100`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from renderqueue.models import Composition, ImageFormat, JobPriority, SizePreset
from renderqueue.rendering import MAX_PIXELS, MAX_SIDE, DesignError, FontBook, validate_design


class InvalidRenderRequest(ValidationError):
    """Raised at enqueue time; `message_dict` maps each bad field to its messages."""

    def __str__(self) -> str:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.message_dict.items())


class FieldErrors:
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


# Output options beyond the seed's format and quality: (default, check, explanation).
OUTPUT_OPTIONS: dict[str, tuple[Any, Any, str]] = {
    "scale": (
        1,
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0.1 <= v <= 4,
        "a number from 0.1 to 4 (like renderStill's scale)",
    ),
    "transparent": (False, lambda v: isinstance(v, bool), "true or false"),
    "png_compression": (
        1,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9,
        "a whole number from 0 to 9",
    ),
    "progressive": (False, lambda v: isinstance(v, bool), "true or false"),
    "webp_method": (
        0,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6,
        "a whole number from 0 to 6",
    ),
}


def clean_options(options: dict[str, Any] | None, errors: FieldErrors) -> dict[str, Any]:
    if options is not None and not isinstance(options, dict):
        errors.add("options", f"{options!r} must be an object")
        return {}
    options = dict(options or {})
    fmt = options.get("format", ImageFormat.PNG)
    if fmt == "jpg":
        fmt = ImageFormat.JPEG
    if fmt not in ImageFormat.values:
        errors.add("options.format", f"{fmt!r} is not one of {', '.join(ImageFormat.values)}")
    quality = options.get("quality", 90)
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        errors.add("options.quality", f"{quality!r} must be a whole number from 1 to 100")
    cleaned: dict[str, Any] = {"format": str(fmt), "quality": quality}
    for key, (default, ok, explanation) in OUTPUT_OPTIONS.items():
        if key in options and options[key] != default:
            if ok(options[key]):
                cleaned[key] = options[key]
            else:
                errors.add(f"options.{key}", f"{options[key]!r} must be {explanation}")
    if cleaned.get("transparent") and fmt == ImageFormat.JPEG:
        errors.add("options.transparent", "JPEG has no transparency; use png or webp")
    for key in sorted(set(options) - {"format", "quality", *OUTPUT_OPTIONS}):
        errors.add(
            f"options.{key}", f"unknown option {key!r} (known: format, quality, {', '.join(OUTPUT_OPTIONS)})"
        )
    return cleaned


def check_design(design: Any, field: str, errors: FieldErrors, fonts: FontBook | None = None) -> None:
    """The renderer's own checks, reported under this field (e.g. `template.content.layers[0]…`)."""
    from renderqueue.assets import font_book

    try:
        validate_design(design, fonts=fonts or font_book())
    except DesignError as exc:
        for problem in exc.errors:
            path, _, message = problem.partition(": ")
            errors.add(f"{field}.{path}" if path != "design" else field, message)


def clean_retry(attempts: Any, backoff: Any, errors: FieldErrors) -> tuple[int, dict[str, Any]]:
    """The seed's `attempts` and `backoff: {type, delay (ms)}`."""
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 25:
        errors.add("attempts", f"{attempts!r} must be a whole number from 1 to 25")
        attempts = 1
    if not isinstance(backoff, dict):
        errors.add("backoff", f"{backoff!r} must be an object like {{'type': 'exponential', 'delay': 2000}}")
        return attempts, {}
    if backoff.get("type", "exponential") not in ("exponential", "fixed"):
        errors.add("backoff.type", f"{backoff.get('type')!r} must be 'exponential' or 'fixed'")
    delay = backoff.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
        errors.add("backoff.delay", f"{delay!r} must be a whole number of milliseconds ≥ 0")
    return attempts, dict(backoff)


def clean_metadata(metadata: dict[str, Any] | None, errors: FieldErrors) -> dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        errors.add("metadata", f"{metadata!r} must be an object")
        return {}
    return metadata


def check_dimensions(field: str, dimensions: Any, errors: FieldErrors) -> None:
    if not isinstance(dimensions, dict):
        errors.add(field, f"{dimensions!r} must be an object with width and height")
        return
    sides = {side: dimensions.get(side) for side in ("width", "height")}
    bad = [
        side
        for side, value in sides.items()
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE
    ]
    for side in bad:
        errors.add(f"{field}.{side}", f"{sides[side]!r} must be a whole number from 1 to {MAX_SIDE}")
    if not bad and sides["width"] * sides["height"] > MAX_PIXELS:
        errors.add(field, f"{sides['width']}x{sides['height']} is over the {MAX_PIXELS:,} pixel budget")


def clean_template(
    template: Any, field: str, errors: FieldErrors, fonts: FontBook | None = None
) -> dict[str, Any]:
    if not isinstance(template, dict):
        errors.add(field, f"{template!r} must be an object with id, dimensions and content")
        return {}
    template_id = template.get("id")
    if not isinstance(template_id, str) or not template_id.strip():
        errors.add(f"{field}.id", f"{template_id!r} must be a non-empty string")
    check_dimensions(f"{field}.dimensions", template.get("dimensions"), errors)
    content = template.get("content", {})
    if not isinstance(content, dict):
        errors.add(f"{field}.content", f"{content!r} must be an object (headline, body, cta, … or layers)")
    else:
        check_design(content, f"{field}.content", errors, fonts)
    return template


def existing_compositions(ids: Iterable[Any], field: str, errors: FieldErrors) -> list[str]:
    ids = list(ids)
    bad = [i for i in ids if not isinstance(i, str) or not i]
    for value in bad:
        errors.add(field, f"{value!r} is not a composition id")
    wanted = [i for i in ids if isinstance(i, str) and i]
    found = set(Composition.objects.filter(id__in=wanted).values_list("id", flat=True))
    for missing in [i for i in wanted if i not in found]:
        errors.add(field, f"unknown composition {missing!r}")
    return wanted


def existing_presets(names: Any, field: str, errors: FieldErrors) -> list[str]:
    """Preset names, platform names ("Google Display") or "all", as the preset names they mean."""
    presets = list(SizePreset.objects.values_list("name", "platform"))
    if names is None or names == "all" or names == ["all"]:
        if not presets:
            errors.add(field, "there are no size presets (run `manage.py render_queue load-samples`)")
        return [name for name, _ in presets]
    if isinstance(names, str) or not isinstance(names, list) or not names:
        errors.add(field, f"{names!r} must be a list of preset or platform names, or 'all'")
        return []
    chosen: list[str] = []
    for wanted in names:
        matches = [
            n for n, platform in presets if wanted in (n, platform) or str(wanted).lower() == platform.lower()
        ]
        if not matches:
            known = sorted({n for n, _ in presets} | {p for _, p in presets if p})
            errors.add(field, f"unknown size preset or platform {wanted!r} (known: {', '.join(known)})")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


__all__ = [
    "FieldErrors",
    "InvalidRenderRequest",
    "check_dimensions",
    "clean_metadata",
    "clean_options",
    "clean_priority",
    "clean_retry",
    "clean_template",
    "existing_compositions",
    "existing_presets",
]
