"""Properties of the sanitizer over generated Markdown-ish text, read as a browser reads HTML.

Texts are built from fragments that have broken sanitizers before: URLs of many schemes (some
spelled with entities, tabs or case games), backticks and fences with info strings, list markers,
brackets, raw HTML, entities, quotes and mentions, glued with and without spaces and newlines.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.lib import text
from forum.lib.text import render_chat, render_post, sanitize_html
from tests.html_checks import allowlist_breaches, elements, parse, serialise

URLS = [
    "https://example.org/a?b=1&c=2", "http://example.org", "example.org/x", "www.example.com",
    "mailto:a@b.org", "a@b.org", "ftp://example.org/f", "ftp:example.org", "feed:example.org",
    "feed://example.org/rss", "ssh://host.example.org", "ssh:host.example.org",
    "data:example.com/x", "data:text/html;base64,PHNjcmlwdD4=", "javascript:alert(1)",
    "JaVaScRiPt:alert(1)", "javascript:example.org", "vbscript:msgbox(1)", "file:///etc/passwd",
    "&#106;avascript:alert(1)", "java\tscript:alert(1)", "//example.org/p", "/t/1", "#top",
    "irc://example.org", "xmpp:a@example.org", "tel:+41", "https://example.org/a`b",
    "пример.рф", "xn--80ak6aa92e.com", "//localhost/x", "localhost:8080", "1.2.3.4", "e.g.",
    "example.org:8080/x", "EXAMPLE.ORG", "Thanks. See",
]
MARKUP = [
    "`", "``", "`code <b> & x`", "```", "```js", "```js onmouseover=alert(1)", '```js" x="y',
    "~~~python class=x", "\n```\n", "    ", "- ", "* ", "1. ", "> ", "# ", "---", "|", "| a |",
    "[", "]", "(", ")", "[x](", "![i](", "[ref]: ", "<", ">", "**", "_", "~~", "\\",
    "<a href='javascript:alert(1)'>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "</code>", "<pre>", "<code class=language-x>", "</a>", "<!--", "-->", "<math><mtext>",
    "&amp;", "&lt;", "&gt;", "&#x3a;", "&colon;", "&quot;", '"', "'", "@amina", "@nobody",
    "hello", "é —", "x",
]
SEPARATORS = ["", " ", "\n", "\n\n", "\n  ", "\t"]

fragments = st.sampled_from(URLS) | st.sampled_from(MARKUP)
texts = st.lists(st.tuples(fragments, st.sampled_from(SEPARATORS)), min_size=1, max_size=12).map(
    lambda parts: "".join(fragment + separator for fragment, separator in parts))

# Bounded, and the same examples on every run: the whole file stays well under 20 s.
bounded = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow])


def _mentions(names: set[str]) -> set[str]:
    return names & {"amina"}


def _check(html: str, exact_fixed_point: bool = True) -> None:
    """Every property the stored HTML must have, in the browser's reading and after a re-parse."""
    assert allowlist_breaches(html) == [], html
    # Parse → serialise → parse: what innerHTML would write back reads the same (no mXSS), and
    # still holds nothing outside the allowlist.
    written_back = serialise(parse(html))
    assert allowlist_breaches(written_back) == [], written_back
    assert elements(parse(written_back)) == elements(parse(html))
    # Link targets come from a link, never from markup around it.
    for tag, attrs in elements(parse(html)):
        assert not re.search(r"[<>\"\s]", attrs.get("href", "")), (tag, attrs, html)
        assert re.fullmatch(r"language-[A-Za-z0-9_+-]+", attrs.get("class", "language-x")) or (
            tag == "a" and attrs["class"] == "mention"), (tag, attrs, html)
    # The stored HTML is a fixed point of the sanitizer: cleaning it again changes nothing (for
    # raw HTML, nothing but the newline a parser drops after <pre>).
    if exact_fixed_point:
        assert sanitize_html(html) == html
    assert elements(parse(sanitize_html(html))) == elements(parse(html))


@bounded
@given(texts)
def test_rendered_posts_hold_only_the_allowlist(source):
    _check(render_post(source, resolve_mentions=_mentions).html)


@bounded
@given(texts)
def test_rendered_chat_messages_hold_only_the_allowlist(source):
    _check(render_chat(source, resolve_mentions=_mentions).html)


@bounded
@given(texts)
def test_sanitized_raw_html_holds_only_the_allowlist(source):
    _check(sanitize_html(source), exact_fixed_point=False)


@bounded
@given(st.lists(st.sampled_from([url for url in URLS if "`" not in url]), min_size=1, max_size=4),
       st.sampled_from(MARKUP))
def test_code_never_lands_in_a_link(urls, code):
    """A URL right before inline code or a fence keeps the code out of its href and its text."""
    code = code.replace("`", "").strip() or "x"
    for source, render in ((" ".join(urls) + f"`{code}`", render_chat),
                           ("- " + " ".join(urls) + f"\n  ```js\n  {code}\n  ```", render_post)):
        root = parse(render(source).html)
        assert root.findall(".//a//code") == [] and root.findall(".//a//pre") == [], source
        codes = root.findall(".//code")
        assert len(codes) == 1 and codes[0].text.strip() == code.strip(), source


@bounded
@given(texts)
def test_the_quick_link_check_links_what_linkify_it_links(source):
    """The cheap first look before linkify-it's pretest never hides a link."""
    rendered = [render(source).html for render in (render_chat, render_post)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "_MAY_LINK_RE", re.compile(""))  # every text goes to linkify-it
        assert [render(source).html for render in (render_chat, render_post)] == rendered
