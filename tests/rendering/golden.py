"""Golden images: a few designs in a few sizes, drawn with Pillow's built-in font (present on
every machine, so the images do not depend on installed fonts).

Regenerate after an intended change in how ads look:

    make golden        # = .venv/bin/python -m tests.rendering.golden
"""

from __future__ import annotations

from pathlib import Path

from renderqueue.rendering import render_ad

FOLDER = Path(__file__).parent / "golden"

DESIGN = {
    "background": {"type": "gradient", "from": "#0f172a", "to": "#1e3a8a", "angle": 135},
    "layers": [
        {
            "type": "shape",
            "name": "panel",
            "x": 0.04,
            "y": 0.04,
            "w": 0.92,
            "h": 0.92,
            "shape": "rounded",
            "radius": 0.06,
            "fill": "#ffffff14",
            "border": {"width": 2, "color": "#ffffff40"},
        },
        {
            "type": "text",
            "name": "headline",
            "text": "Summer Sale",
            "x": 0.1,
            "y": 0.1,
            "w": 0.8,
            "h": 0.4,
            "font": {"family": "Default"},
            "font_size": {"min": 8, "max": 200},
            "max_lines": 2,
            "color": "#ffffff",
            "shadow": {"dx": 2, "dy": 2, "color": "#00000080"},
        },
        {
            "type": "text",
            "name": "body",
            "text": "Up to 50% off everything",
            "x": 0.1,
            "y": 0.52,
            "w": 0.8,
            "h": 0.15,
            "font": {"family": "Default"},
            "color": "#e2e8f0",
        },
        {
            "type": "button",
            "name": "cta",
            "text": "Shop now",
            "x": 0.1,
            "y": 0.74,
            "w": 0.6,
            "h": 0.14,
            "font": {"family": "Default"},
            "fill": "#f59e0b",
            "color": "#111827",
            "align": "left",
        },
    ],
    "overrides": {
        "banner": {
            "headline": {"x": 0.04, "y": 0.12, "w": 0.6, "h": 0.76, "valign": "middle"},
            "body": {"visible": False},
            "cta": {"x": 0.68, "y": 0.2, "w": 0.28, "h": 0.6, "align": "right"},
            "panel": {"visible": False},
        }
    },
}
SIZES = [(1080, 1080), (1080, 1920), (728, 90), (300, 250)]


def golden_path(width: int, height: int) -> Path:
    return FOLDER / f"layered-{width}x{height}.png"


def render(width: int, height: int) -> bytes:
    return render_ad(DESIGN, width, height, format="png")


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for width, height in SIZES:
        golden_path(width, height).write_bytes(render(width, height))
        print(golden_path(width, height))


if __name__ == "__main__":
    main()
