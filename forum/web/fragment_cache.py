"""A process-wide LRU of rendered HTML fragments, keyed by everything each fragment shows.

Keys are content-addressed: they hold every value the template reads (plus language and time
zone), so a change to any of them is simply a different key and nothing is ever invalidated;
old entries age out. Per-session values (the CSRF token) are rendered as a random slot and
filled in on the way out. FRAGMENT_CACHE_SIZE entries per process; 0 turns caching off.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import current_app
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf

# Random per process, so no user text can contain it on purpose.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def _store() -> LRUCache | None:
    """The app's fragment LRU, or None when caching is off."""
    cache = current_app.extensions.get("fragment_cache")
    if cache is None:
        size = current_app.config.get("FRAGMENT_CACHE_SIZE", 20000)
        if not size:
            return None
        cache = current_app.extensions["fragment_cache"] = LRUCache(maxsize=size)
    return cache


def reader_context() -> tuple[str, str]:
    """The language and time zone a fragment is rendered in (part of every key)."""
    return str(get_locale() or "en"), str(get_timezone() or "UTC")


def cached_html(key: tuple[Hashable, ...], render: Callable[[], str]) -> str:
    """The HTML under `key`, rendering (and keeping) it on a miss."""
    cache = _store()
    if cache is None:
        return render()
    html = cache.get(key)
    if html is None:
        html = cache[key] = render()
    return html


def with_csrf(html: str, token: str | None = None) -> str:
    """Fill the CSRF slots of cached HTML with this session's token."""
    if CSRF_SLOT not in html:
        return html
    return html.replace(CSRF_SLOT, token or generate_csrf())
