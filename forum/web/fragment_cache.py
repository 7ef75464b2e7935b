"""A process-wide LRU of rendered HTML fragments, keyed by everything each fragment shows.

Keys are content-addressed: they hold every value the template reads (plus language and time
zone), so a change to any of them is simply a different key and nothing is ever invalidated;
old entries age out. Per-session values (the CSRF token) are rendered as a random slot and
filled in on the way out. FRAGMENT_CACHE_MB of HTML per process (a post may be 50,000
characters, so the bound is on size, not on entries); 0 turns caching off.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Hashable
from contextlib import suppress

from cachetools import LRUCache
from flask import current_app
from flask_babel import get_locale, get_timezone

# Random per process, so no user text can contain it on purpose.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def _store() -> LRUCache | None:
    """The app's fragment LRU, or None when caching is off."""
    cache = current_app.extensions.get("fragment_cache")
    if cache is None:
        megabytes = current_app.config.get("FRAGMENT_CACHE_MB", 64)
        if not megabytes:
            return None
        # Sized by characters of HTML plus a fixed allowance for the key and the entry.
        cache = current_app.extensions["fragment_cache"] = LRUCache(
            maxsize=int(megabytes * 1024 * 1024), getsizeof=lambda html: len(html) + 512)
    return cache


def digest(text: str) -> bytes:
    """A 128-bit fingerprint of long text for keys (the text itself would be kept twice)."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


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
        html = render()
        with suppress(ValueError):  # larger than the whole cache: serve it, don't keep it
            cache[key] = html
    return html


def with_csrf(html: str, token: str) -> str:
    """Fill the CSRF slots of cached HTML with this session's token."""
    return html.replace(CSRF_SLOT, token)
