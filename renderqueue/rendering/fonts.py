"""Fonts by family name: Pillow's built-in font (always there), fonts installed on the system,
and font files the caller registers (uploaded in the admin). No font files ship with us."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont, features

BUILTIN = "Default"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"), "/Library/Fonts")
# Text is laid out with raqm when Pillow has it: right-to-left scripts and complex shaping
# (Arabic joining, Indic clusters) come out right. Without it, Latin text still renders.
LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
_PROBE = "\U0010fffd"  # a private-use code point no font draws: what "missing glyph" looks like


@dataclass(frozen=True)
class FontSource:
    """A font file (path) or font bytes (an upload read from storage)."""

    family: str
    weight: str
    path: str = ""
    data: bytes = b""


def _weight_of(style: str) -> str | None:
    style = style.lower()
    if any(word in style for word in ("italic", "oblique", "condensed", "light", "thin", "narrow", "black")):
        return None  # only upright regular and bold faces are picked by name
    return "bold" if "bold" in style else "regular"


@lru_cache(maxsize=1)
def system_fonts() -> tuple[FontSource, ...]:
    found: dict[tuple[str, str], FontSource] = {}
    for root in FONT_DIRS:
        if not os.path.isdir(root):
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in sorted(files):
                if not name.lower().endswith((".ttf", ".otf")):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    family, style = ImageFont.truetype(path, 10).getname()
                except OSError:
                    continue
                weight = _weight_of(style or "")
                if family and weight:
                    found.setdefault((family.lower(), weight), FontSource(family, weight, path=path))
    return tuple(found.values())


@lru_cache(maxsize=512)
def _load(source: FontSource, size: int) -> Any:
    if source.family == BUILTIN:
        return ImageFont.load_default(size=size)
    target = source.path or io.BytesIO(source.data)
    return ImageFont.truetype(target, size=size, layout_engine=LAYOUT)


@lru_cache(maxsize=4096)
def _covers(source: FontSource, text: str) -> bool:
    font = _load(source, 24)
    missing = bytes(font.getmask(_PROBE))
    return all(ch.isspace() or bytes(font.getmask(ch)) != missing for ch in set(text))


@dataclass
class FontBook:
    """Looks fonts up by family and weight; falls back to another font for glyphs a font lacks."""

    extra: list[FontSource] = field(default_factory=list)
    use_system: bool = True

    def sources(self) -> list[FontSource]:
        return [*self.extra, *(system_fonts() if self.use_system else ())]

    def families(self) -> list[str]:
        return sorted({BUILTIN, *(s.family for s in self.sources())})

    def has_family(self, family: str) -> bool:
        return family.lower() in {f.lower() for f in self.families()}

    def _find(self, family: str, weight: str) -> FontSource | None:
        matches = [s for s in self.sources() if s.family.lower() == family.lower()]
        return next((s for s in matches if s.weight == weight), matches[0] if matches else None)

    def default_family(self) -> str:
        # A system sans with bold and wide script coverage when there is one; else Pillow's own.
        for family in ("DejaVu Sans", "Liberation Sans", "Noto Sans"):
            if self._find(family, "regular"):
                return family
        return BUILTIN

    def pick(self, family: str, weight: str, text: str) -> FontSource:
        """The requested face if it has every glyph of `text`, else the first face that does."""
        family = family or self.default_family()
        wanted = self._find(family, weight) if family != BUILTIN else None
        primary = wanted or FontSource(BUILTIN, "regular")
        if _covers(primary, text):
            return primary
        for candidate in self._fallbacks(weight):
            if _covers(candidate, text):
                return candidate
        return primary

    def _fallbacks(self, weight: str) -> Iterable[FontSource]:
        seen = set()
        # The default family first (broad coverage, looks like most ads), then the rest by name.
        first = self.default_family().lower()
        for source in sorted(
            self.sources(), key=lambda s: (s.family.lower() != first, s.weight != weight, s.family)
        ):
            if source.family not in seen:
                seen.add(source.family)
                yield source

    def font(self, source: FontSource, size: float) -> Any:
        return _load(source, max(1, round(size)))
