"""Search terms and highlighted snippets, built from plain text (never from user HTML).

Matching here mirrors the index: case and accents are ignored, a term matches the start of a
word (prefix search), and CJK terms (written without spaces) match anywhere.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape

MAX_TERMS = 8
MAX_TERM_LENGTH = 64
SNIPPET_WIDTH = 200
# Matches past this point of a very long text are not highlighted (bounded work per hit).
MAX_TEXT = 20_000
_TAG_RE = re.compile(r"<[^>]*>")
_LEAD = 60


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks: what the FTS5 and PostgreSQL parsers keep in a word.
    return unicodedata.category(ch)[0] in "LNM"


def is_cjk(term: str) -> bool:
    """Whether a term is in a script written without spaces (CJK), so it needs substring search."""
    return any(
        "\u3040" <= ch <= "\u30ff"  # Hiragana, Katakana
        or "\u3400" <= ch <= "\u4dbf"  # CJK extension A
        or "\u4e00" <= ch <= "\u9fff"  # CJK unified ideographs
        or "\uac00" <= ch <= "\ud7af"  # Hangul syllables
        or "\uf900" <= ch <= "\ufaff"  # CJK compatibility ideographs
        for ch in term
    )


def parse_terms(query: str | None) -> list[str]:
    """The words of a query, lower-cased and de-duplicated; punctuation and operators dropped.

    Only letters, digits and marks survive, so no user input can reach the FTS5 MATCH or
    to_tsquery syntax as an operator ("AND", "NEAR", quotes, `*`, `(`, `-` are just text or gone).
    """
    text = unicodedata.normalize("NFC", query or "")
    terms: list[str] = []
    current: list[str] = []
    for ch in text + " ":
        if _is_word_char(ch):
            current.append(ch)
            continue
        if current:
            term = "".join(current).lower()[:MAX_TERM_LENGTH]
            if term not in terms:
                terms.append(term)
            current = []
    return terms[:MAX_TERMS]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return "".join(p for p in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(p)
                   ).lower()


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text plus, for each folded character, its index in `text`."""
    if text.isascii():  # the common case, and lower() keeps ASCII lengths
        return text.lower(), list(range(len(text)))
    folded: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        part = _fold_char(ch)
        folded.append(part)
        origin.extend([i] * len(part))
    return "".join(folded), origin


def html_text(html: str) -> str:
    """The text of HTML we sanitized ourselves (tags dropped, entities decoded), for snippets.

    Only ever fed to `highlight`, which escapes everything again: a regex is enough and much
    faster than a parser on a page of results.
    """
    return html_lib.unescape(_TAG_RE.sub(" ", html))


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    folded, origin = _fold(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        needle = _fold(term)[0]
        if not needle:
            continue
        anywhere = is_cjk(term)
        for match in re.finditer(re.escape(needle), folded):
            start, end = match.start(), match.end()
            if not anywhere:
                if start > 0 and _is_word_char(folded[start - 1]):
                    continue
                # Prefix search: mark the whole word the prefix begins.
                while end < len(folded) and _is_word_char(folded[end]):
                    end += 1
            spans.append((origin[start], origin[end - 1] + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str], width: int = SNIPPET_WIDTH) -> Markup:
    """An escaped excerpt of plain `text` around the first match, terms wrapped in <mark>."""
    text = re.sub(r"\s+", " ", text[:MAX_TEXT]).strip()
    spans = _spans(text, terms)
    start = 0
    if spans and spans[0][0] > _LEAD and len(text) > width:
        start = spans[0][0] - _LEAD
        # Begin at a word boundary so the excerpt does not open mid-word.
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    parts: list[Markup] = [Markup("…")] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[cursor:span_start]))
        parts.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)
