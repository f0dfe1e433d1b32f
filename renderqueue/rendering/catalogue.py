"""Size presets for ad platforms, and the sample designs (the ids the seed's examples use).

Plain data, no Django: the renderer, benchmarks and the DB loader share it.
"""

from __future__ import annotations

# (name, platform, label, width, height)
SIZE_PRESETS: list[tuple[str, str, str, int, int]] = [
    ("square", "Generic", "Square", 1080, 1080),
    ("story", "Generic", "Story", 1080, 1920),
    ("landscape", "Generic", "Landscape", 1920, 1080),
    ("meta-feed-square", "Meta", "Instagram/Facebook feed square", 1080, 1080),
    ("meta-feed-portrait", "Meta", "Instagram/Facebook feed portrait", 1080, 1350),
    ("meta-story", "Meta", "Instagram/Facebook story and reel", 1080, 1920),
    ("meta-landscape", "Meta", "Facebook link landscape", 1200, 628),
    ("google-medium-rectangle", "Google Display", "Medium rectangle", 300, 250),
    ("google-large-rectangle", "Google Display", "Large rectangle", 336, 280),
    ("google-leaderboard", "Google Display", "Leaderboard", 728, 90),
    ("google-half-page", "Google Display", "Half page", 300, 600),
    ("google-wide-skyscraper", "Google Display", "Wide skyscraper", 160, 600),
    ("google-mobile-banner", "Google Display", "Mobile banner", 320, 50),
    ("google-large-mobile-banner", "Google Display", "Large mobile banner", 320, 100),
    ("google-billboard", "Google Display", "Billboard", 970, 250),
    ("linkedin-landscape", "LinkedIn", "Single image landscape", 1200, 627),
    ("linkedin-square", "LinkedIn", "Single image square", 1200, 1200),
    ("linkedin-portrait", "LinkedIn", "Single image portrait", 720, 900),
    ("x-square", "X", "Image square", 1200, 1200),
    ("x-landscape", "X", "Image landscape", 1200, 628),
    ("tiktok-vertical", "TikTok", "In-feed vertical", 1080, 1920),
    ("pinterest-standard", "Pinterest", "Standard pin", 1000, 1500),
    ("youtube-thumbnail", "YouTube", "Thumbnail", 1280, 720),
]

COMPOSITIONS: list[dict[str, object]] = [
    {
        "id": "simple-ad",
        "name": "Simple ad",
        "design": {"headline": "Summer Sale", "body": "Up to 50% off", "cta": "Shop now"},
    },
    *[
        {
            "id": f"ad-{n}",
            "name": f"Sample ad {n}",
            "design": {
                "headline": headline,
                "body": body,
                "cta": cta,
                "background": background,
                "accent_color": accent,
            },
        }
        for n, (headline, body, cta, background, accent) in enumerate(
            [
                ("Fresh coffee, faster", "Order ahead and skip the line.", "Order now", "#1e3a8a", "#fbbf24"),
                ("New season, new you", "The spring collection is here.", "Discover", "#064e3b", "#f472b6"),
                (
                    "Learn Spanish in 10 minutes a day",
                    "Start free today.",
                    "Start free",
                    "#7c2d12",
                    "#fde68a",
                ),
                ("Your home, smarter", "Thermostats from $99.", "Learn more", "#111827", "#34d399"),
                ("Weekend getaway deals", "Hotels up to 40% off.", "Book now", "#4c1d95", "#fca5a5"),
            ],
            start=1,
        )
    ],
]
