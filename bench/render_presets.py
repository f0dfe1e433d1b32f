"""Render time per size preset and format (pure renderer, no queue).

.venv/bin/python -m bench.render_presets [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from renderqueue.rendering import render_ad
from renderqueue.rendering.catalogue import COMPOSITIONS, SIZE_PRESETS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    design = COMPOSITIONS[0]["design"]
    print(
        f"{'preset':<28}{'size':>11}  "
        + "".join(f"{f + ' ms':>10}{f + ' KB':>9}" for f in ("png", "jpeg", "webp"))
    )
    for name, _platform, _label, width, height in SIZE_PRESETS:
        cells = []
        for fmt in ("png", "jpeg", "webp"):
            times, size = [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                size = len(render_ad(design, width, height, format=fmt, quality=85))
                times.append((time.perf_counter() - start) * 1000)
            cells.append(f"{statistics.median(times):>10.1f}{size / 1024:>9.1f}")
        print(f"{name:<28}{f'{width}x{height}':>11}  " + "".join(cells))


if __name__ == "__main__":
    main()
