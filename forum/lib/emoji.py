"""Emoji shortcodes (`:tada:` → 🎉): the one list shared by the renderer and the composer.

Small on purpose (the common ones people type in Slack, GitHub and Discourse). The renderer
(forum/lib/text.py) replaces a known shortcode in text with its character; the composer
(static/js/composer.js) offers the same list, served by GET /api/v1/emoji. An unknown
`:word:` stays as typed.
"""

from __future__ import annotations

import re

# Shortcode → character. Codes use lower-case letters, digits, "_", "+" and "-".
EMOJI: dict[str, str] = {
    "smile": "😄", "grin": "😁", "joy": "😂", "rofl": "🤣", "slightly_smiling_face": "🙂",
    "wink": "😉", "blush": "😊", "heart_eyes": "😍", "thinking": "🤔", "neutral_face": "😐",
    "sweat_smile": "😅", "sunglasses": "😎", "confused": "😕", "cry": "😢", "sob": "😭",
    "scream": "😱", "angry": "😠", "sleeping": "😴", "innocent": "😇", "upside_down": "🙃",
    "hugs": "🤗", "shrug": "🤷", "facepalm": "🤦", "raised_hands": "🙌", "pray": "🙏",
    "clap": "👏", "wave": "👋", "ok_hand": "👌", "muscle": "💪", "point_up": "☝️",
    "thumbsup": "👍", "+1": "👍", "thumbsdown": "👎", "-1": "👎", "eyes": "👀",
    "heart": "❤️", "broken_heart": "💔", "sparkles": "✨", "star": "⭐", "fire": "🔥",
    "tada": "🎉", "confetti_ball": "🎊", "balloon": "🎈", "gift": "🎁", "trophy": "🏆",
    "rocket": "🚀", "bulb": "💡", "memo": "📝", "books": "📚", "calendar": "📅",
    "earth_africa": "🌍", "earth_americas": "🌎", "earth_asia": "🌏", "globe": "🌐",
    "airplane": "✈️", "coffee": "☕", "100": "💯", "check": "✅", "white_check_mark": "✅",
    "x": "❌", "warning": "⚠️", "question": "❓", "exclamation": "❗", "zap": "⚡",
    "sun": "☀️", "rainbow": "🌈", "handshake": "🤝", "seedling": "🌱", "dove": "🕊️",
}

# Not inside a word or a number ("10:100:20" is a time, not 💯).
SHORTCODE_RE = re.compile(r"(?<![A-Za-z0-9]):([a-z0-9_+-]{1,30}):(?![A-Za-z0-9])")


def replace_shortcodes(text: str) -> str:
    """`text` with every known `:code:` replaced by its emoji (unknown ones left as typed)."""
    if ":" not in text:
        return text
    return SHORTCODE_RE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def emoji_list() -> list[dict[str, str]]:
    """Every shortcode and its character, in the list's order (for the composer)."""
    return [{"code": code, "emoji": char} for code, char in EMOJI.items()]
