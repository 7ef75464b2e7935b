"""Generated avatars: a person's initials on a colour derived from their username.

The colour is one of AVATAR_TONES classes in static/css/commons.css (the CSP allows no inline
style), each legible with white text in light and dark themes. templates/_avatar.html renders
them, showing an uploaded picture first (served by forum/web/files.py).
"""

from __future__ import annotations

import zlib

AVATAR_TONES = 12


def avatar_initials(name: str | None) -> str:
    """Up to two initials: the first letters of the first and last words ("Amina Diallo" → AD).

    Scripts without word spaces (Chinese, Japanese) keep the first character only.
    """
    words = [w for w in (name or "").replace("_", " ").replace("-", " ").split() if w]
    if not words:
        return "?"
    first = words[0][0]
    if len(words) == 1 or ord(first) >= 0x2E80:  # CJK and after: one character
        return first.upper()
    return (first + words[-1][0]).upper()


def avatar_path(user_id: int, token: str | None) -> str | None:
    """Where a person's uploaded picture is served (members only), or None for initials."""
    return f"/avatars/{user_id}/{token}" if token else None


def avatar_tone(key: str | None) -> int:
    """A stable colour index (0 … AVATAR_TONES - 1) for a username."""
    return zlib.crc32((key or "").lower().encode()) % AVATAR_TONES
