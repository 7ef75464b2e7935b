"""`make screenshots`: the pictures of docs/design.md, taken from a seeded app.

The demo community (bench/audit.py seeds it) served by gunicorn, a member signed in, Playwright
driving Debian's chromium: desktop (1280 px), phone (360 px), Arabic and the dark theme. Each
picture is the first screen of a page, saved as a palette PNG under docs/screenshots/ and kept
under MAX_BYTES so the repository stays small. Rerun after any visual change.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from bench.audit import seed_site
from bench.common import ROOT, forum_server, log

OUT = ROOT / "docs" / "screenshots"
MAX_BYTES = 150 * 1024
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Shot:
    """One picture: a file name, a page of the site, and how it is viewed."""

    name: str
    page: str  # a key of Site.pages
    viewport: dict
    locale: str = "en"
    scheme: str = "light"


SHOTS = [
    Shot("home-desktop", "home", DESKTOP),
    Shot("thread-list-desktop", "thread list", DESKTOP),
    Shot("thread-desktop", "thread page", DESKTOP),
    Shot("thread-list-phone", "thread list", PHONE),
    Shot("thread-phone", "thread page", PHONE),
    Shot("thread-list-arabic", "thread list", DESKTOP, locale="ar"),
    Shot("home-dark", "home", DESKTOP, scheme="dark"),
    Shot("thread-list-phone-dark-arabic", "thread list", PHONE, locale="ar", scheme="dark"),
    Shot("chat-desktop", "chat", DESKTOP),
    Shot("chat-phone-arabic", "chat", PHONE, locale="ar"),
]


def small_png(data: bytes) -> bytes:
    """The screenshot as a 256-colour PNG (text and flat colours lose nothing visible)."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    colours = 256
    while True:
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(
            out, format="PNG", optimize=True)
        if out.tell() <= MAX_BYTES or colours <= 32:
            return out.getvalue()
        colours //= 2


def _shoot(browser, base: str, site, shot: Shot) -> tuple[str, int]:
    """One picture, in its own browser context (cookie, viewport, language, theme)."""
    name, value = site.cookie.split("=", 1)
    phone = shot.viewport is PHONE
    context = browser.new_context(viewport=shot.viewport, locale=shot.locale,
                                  color_scheme=shot.scheme, is_mobile=phone, has_touch=phone)
    context.add_cookies([{"name": name, "value": value, "url": base}])
    page = context.new_page()
    page.goto(base + site.pages[shot.page], wait_until="networkidle")
    png = small_png(page.screenshot())
    (OUT / f"{shot.name}.png").write_bytes(png)
    context.close()
    log(f"{shot.name}.png: {len(png) // 1024} KB")
    return f"{shot.name}.png", len(png)


def take(shots: list[Shot] = SHOTS) -> list[tuple[str, int]]:
    """Take every shot; returns (file name, bytes) per picture."""
    from playwright.sync_api import sync_playwright

    site = seed_site("screenshots")
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    server = forum_server(site.url).start(timeout=120)  # a loaded machine starts slowly
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROME, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for shot in shots:
                written.append(_shoot(browser, server.url, site, shot))
            browser.close()
    finally:
        server.stop()
    return written


if __name__ == "__main__":
    take()
