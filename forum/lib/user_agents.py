"""A readable device summary from a User-Agent header: which browser, on which system.

Deliberately small: enough for people to recognise their own devices on the sessions page
("Firefox", "Android"), not a device database. Order matters: many browsers also name the
ones they derive from (Edge says "Chrome" and "Safari", Android says "Linux").
"""

from __future__ import annotations

from typing import NamedTuple

_BROWSERS = (
    ("Edg/", "Edge"),
    ("Edge/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("YaBrowser/", "Yandex Browser"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


class Device(NamedTuple):
    """Browser and system names (proper nouns, not translated); None when not recognised."""

    browser: str | None
    system: str | None


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def describe(user_agent: str | None) -> Device:
    """The browser and system a User-Agent header names, as far as they are recognised."""
    user_agent = user_agent or ""
    return Device(_first(user_agent, _BROWSERS), _first(user_agent, _SYSTEMS))
