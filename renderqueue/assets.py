"""What the renderer needs from Django: uploaded fonts and images, read through storage and
cached within a process (a worker renders many jobs with the same logo and fonts)."""

from __future__ import annotations

from functools import lru_cache

from django.core.files.storage import default_storage
from PIL import Image

from renderqueue.models import Font
from renderqueue.rendering import FontBook, FontSource, RenderError, open_image


@lru_cache(maxsize=8)
def _font_book(faces: tuple[tuple[str, str, str, str], ...]) -> FontBook:
    sources = []
    for family, weight, name, _updated in faces:
        with default_storage.open(name) as fh:
            sources.append(FontSource(family, weight, data=fh.read()))
    return FontBook(extra=sources)


def font_book() -> FontBook:
    """System fonts plus the uploaded ones; rebuilt only when an upload changes."""
    faces = tuple(
        (family, weight, name, updated.isoformat())
        for family, weight, name, updated in Font.objects.values_list(
            "family", "weight", "file", "updated_at"
        )
    )
    return _font_book(faces)


@lru_cache(maxsize=32)
def load_image(name: str) -> Image.Image:
    """An uploaded image by storage name. Only our storage: remote URLs are never fetched."""
    if not name or "://" in name or name.startswith("/") or ".." in name.split("/"):
        raise RenderError(f"src: {name!r} is not the name of an uploaded file")
    if not default_storage.exists(name):
        raise RenderError(f"src: no uploaded file {name!r}")
    with default_storage.open(name) as fh:
        return open_image(fh, name=f"src {name!r}")
