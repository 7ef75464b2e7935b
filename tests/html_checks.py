"""Read sanitized HTML as a browser would and check it against the sanitizer's allowlist."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

# The WHATWG parsing algorithm, as bleach ships it (bleach 6 vendors html5lib 1.1).
from bleach._vendor import html5lib

from forum.lib.text import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS

# What the URL parser drops before reading a scheme: C0 controls and spaces at either end,
# tabs and newlines anywhere.
_URL_TRIM = "".join(chr(c) for c in range(0x21))
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads from an attribute value; None for a relative URL."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(_URL_TRIM)
    match = _SCHEME_RE.match(cleaned)
    return match.group(1).lower() if match else None


def parse(html: str) -> Element:
    """The fragment as a browser's DOM (in a <div>, where stored HTML is inserted)."""
    return html5lib.parseFragment(html, container="div", treebuilder="etree",
                                  namespaceHTMLElements=False)


def serialise(root: Element) -> str:
    """The DOM written back to HTML, as innerHTML would."""
    return html5lib.serialize(root, tree="etree", quote_attr_values="always",
                              omit_optional_tags=False)


def elements(root: Element) -> list[tuple[str, dict[str, str]]]:
    """Every element under the root in document order: its tag and attributes."""
    return [(el.tag, dict(el.attrib)) for el in root.iter() if el is not root]


def links(html: str) -> list[dict[str, str]]:
    """The attributes of every <a> in the DOM."""
    return [attrs for tag, attrs in elements(parse(html)) if tag == "a"]


def allowlist_breaches(html: str) -> list[str]:
    """What a browser's DOM of this HTML holds outside the allowlist (empty when safe)."""
    breaches = []
    for tag, attrs in elements(parse(html)):
        if tag not in ALLOWED_TAGS:
            breaches.append(f"element {tag!r}")
            continue
        for name, value in attrs.items():
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                breaches.append(f"attribute {name!r} on {tag!r}")
            elif name in ("href", "src") and url_scheme(value) not in (None, *ALLOWED_PROTOCOLS):
                breaches.append(f"{name}={value!r}")
    return breaches
