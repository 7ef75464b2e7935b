"""Post bodies are sanitized on write: known XSS vectors leave nothing executable behind."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.lib.text import ALLOWED_TAGS, render_post, sanitize_html
from forum.models import Post
from forum.services import discussions as svc
from tests import discussions_helpers

world = discussions_helpers.world  # the fixture

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "<div onmouseover=alert(1)>hover</div>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](java\u0000script:alert(1))",
    "[x](\u202ejavascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105"
    "&#0000112&#0000116&#0000058alert(1)\">x</a>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<object data=javascript:alert(1)></object>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "https://example.org/\"onmouseover=\"alert(1)",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    '<a href="https://ok.example" title="x" onfocus=alert(1) autofocus>ok</a>',
    "<!--><script>alert(1)</script>-->",
    "<<script>script>alert(1)<</script>/script>",
]


class _Collector(HTMLParser):
    """Every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: it drops tabs/newlines and trims controls and spaces."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                                                   "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14"
                                                   "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                                   "\x1e\x1f ")
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None  # None: a relative URL


def assert_safe(html: str) -> None:
    """No tag outside the allowlist, no handler or style attribute, only safe link targets."""
    parser = _Collector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name not in ("style", "src", "srcdoc", "action", "formaction"), (name, html)
            if name == "href":
                assert _scheme(value or "") in (None, "http", "https", "mailto"), (value, html)


@pytest.mark.parametrize("source", VECTORS)
def test_render_post_neutralises_xss_vector(source):
    html = render_post(source).html
    assert_safe(html)
    assert sanitize_html(html) == html  # the stored HTML is a fixed point of the sanitizer


def test_code_keeps_the_text_escaped_once_and_unlinked():
    html = render_post("`<script>alert(1)</script>` https://example.org\n\n"
                       "```\na && b https://example.com\n```").html
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html
    assert '<a href="https://example.org"' in html
    assert "<pre><code>a &amp;&amp; b https://example.com\n</code></pre>" in html


def test_links_are_safe_and_mentions_link_profiles():
    html = render_post("see https://example.org and [docs](https://docs.example) @amina",
                       resolve_mentions=lambda names: {"amina"},
                       profile_url=lambda name: f"/u/{name}").html
    assert 'href="https://example.org" rel="nofollow ugc noopener noreferrer"' in html
    assert 'href="https://docs.example" rel="nofollow ugc noopener noreferrer"' in html
    assert '<a class="mention" href="/u/amina">@amina</a>' in html or (
        '<a href="/u/amina" class="mention">@amina</a>' in html)


def test_stored_posts_are_sanitized_on_write(world):
    payload = "\n\n".join(VECTORS)
    thread = svc.create_thread(world.amina, world.general.id, "Vectors", payload)
    reply = svc.reply(world.bilal, thread.id, payload)
    svc.edit_post(world.bilal, reply.id, payload + "\n\n<svg onload=alert(2)>")
    db.session.expire_all()
    for post in db.session.scalars(select(Post)):
        assert post.body_source.startswith("<script>")  # the source is kept as written
        assert "\x00" not in post.body_source  # control characters are dropped
        assert_safe(post.body_html)


_PIECES = [
    "hello", "@amina", "@nobody", "https://example.org/a?b=1&c=2", "www.example.com", "x.org", "<",
    ">", "&", "&amp;", "&lt;b&gt;", "&copy;", "&#x27;", '"', "'", "é —", "`code <b> & x`",
    "```\n<i>x</i> & https://x.org\n```", "    indented <x> & y", "**bold**", "*em*", "~~s~~",
    "[link](https://a.b/c?d&e)", "[x](javascript:alert(1))", "<https://auto.link>", "a@b.org",
    "> quote", "- item", "1. one", "# title", "---", "| a | b |\n|---|---|\n| 1 | 2 |", "\n",
    "\n\n", "![i](https://img.example/x.png)", "<script>x</script>", "<a href='https://x'>y</a>",
    "(https://paren.org)", "foo_bar", "\\*", "<p>", "</code>",
]


def test_text_without_links_is_parsed_once_with_the_same_result(monkeypatch):
    """Rendering skips the linkify pass when there is nothing to link: byte for byte what the
    two passes give, on generated texts mixing Markdown, raw HTML, entities, code and URLs."""
    from random import Random

    import forum.lib.text as text

    rnd = Random(20261123)
    sources = [*VECTORS, *(" ".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 8)))
                           for _ in range(600))]

    def render_all() -> list[str]:
        return [render(source, resolve_mentions=lambda names: names & {"amina"}).html
                for source in sources for render in (text.render_chat, render_post)]

    once = render_all()
    assert sum(not text._may_link(html) for html in once) > 300  # the shortcut was taken
    monkeypatch.setattr(text, "_may_link", lambda cleaned: True)
    assert render_all() == once


def test_plain_chat_message_renders_exactly():
    from forum.lib.text import render_chat

    assert render_chat("Hello, cohort! 3 < 4 & \"quotes\"").html == (
        "<p>Hello, cohort! 3 &lt; 4 &amp; &quot;quotes&quot;</p>")
    assert render_chat("see example.org\nthen `a<b`").html == (
        '<p>see <a href="http://example.org" rel="nofollow ugc noopener noreferrer">example.org'
        "</a><br>\nthen <code>a&lt;b</code></p>")
