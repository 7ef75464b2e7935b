"""Post bodies are sanitized on write: known XSS vectors leave nothing executable behind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.lib.text import render_chat, render_post, sanitize_html
from forum.models import Post
from forum.services import discussions as svc
from tests import discussions_helpers
from tests.html_checks import allowlist_breaches, elements, links, parse

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


def assert_safe(html: str) -> None:
    """No tag or attribute outside the allowlist, only safe link targets, in a browser's DOM."""
    assert allowlist_breaches(html) == [], html


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


def test_plain_chat_message_renders_exactly():
    assert render_chat("Hello, cohort! 3 < 4 & \"quotes\"").html == (
        "<p>Hello, cohort! 3 &lt; 4 &amp; &quot;quotes&quot;</p>")
    assert render_chat("see example.org\nthen `a<b`").html == (
        '<p>see <a href="http://example.org" rel="nofollow ugc noopener noreferrer">example.org'
        "</a><br>\nthen <code>a&lt;b</code></p>")


# Issue 15, item 14: bare URLs were linked after code had been set aside as placeholders, so a
# URL running into inline code or a fenced block took the code's HTML into its href.
@pytest.mark.parametrize("render", [render_post, render_chat])
def test_a_url_followed_by_inline_code_links_only_the_url(render):
    html = render("Try https://example.org/docs`<b>bold</b>` now").html
    assert html == ('<p>Try <a href="https://example.org/docs" rel="nofollow ugc noopener '
                    'noreferrer">https://example.org/docs</a><code>&lt;b&gt;bold&lt;/b&gt;</code>'
                    " now</p>")


def test_a_url_before_a_fenced_block_in_a_tight_list_keeps_the_code_out_of_the_link():
    html = render_post("- see https://example.org/a\n  ```js\n  <i>code</i>\n  ```").html
    dom = elements(parse(html))
    assert [attrs for tag, attrs in dom if tag == "a"] == [
        {"href": "https://example.org/a", "rel": "nofollow ugc noopener noreferrer"}]
    assert ("code", {"class": "language-js"}) in dom  # the info string names a class, no more
    code = parse(html).find(".//pre/code")
    assert code is not None and code.text == "<i>code</i>\n"
    assert parse(html).find(".//a//pre") is None


def test_a_fence_info_string_cannot_name_an_attribute():
    html = render_post('- https://example.org/a\n  ```js" onmouseover="alert(1)\n  x\n  ```').html
    assert_safe(html)
    assert links(html) == [{"href": "https://example.org/a",
                            "rel": "nofollow ugc noopener noreferrer"}]


# Issue 15, item 15: links made after cleaning skipped the protocol allowlist.
OTHER_SCHEMES = [
    "data:example.com/x", "ssh:host.example.org", "feed:example.org/rss", "ftp:example.org",
    "ftp://example.org/file", "feed://example.org/rss", "ssh://host.example.org/",
    "<ftp://example.org/>", "[a](ftp://example.org/)", "[a](feed:example.org)",
    "[a](data:text/html,hi)",
]


@pytest.mark.parametrize("render", [render_post, render_chat])
@pytest.mark.parametrize("source", OTHER_SCHEMES)
def test_links_use_only_the_allowed_schemes(render, source):
    html = render(f"see {source} here").html
    assert_safe(html)
    assert links(html) == [], html  # not linked at all (not even an <a> without href)


def test_allowed_schemes_and_relative_links_still_link():
    html = render_post("https://a.example/x http://b.example www.c.org <mailto:d@e.example> "
                       "[f](/t/1) [g](#top)").html
    assert [link["href"] for link in links(html)] == [
        "https://a.example/x", "http://b.example", "http://www.c.org", "mailto:d@e.example",
        "/t/1", "#top"]
    assert all(link["rel"] == "nofollow ugc noopener noreferrer" for link in links(html))


def test_raw_html_links_get_the_same_allowlist_and_no_new_links():
    html = sanitize_html('<a href="ftp://x.example/">x</a> <a href="https://y.example/">y</a> '
                         "feed:example.org ftp://z.example/ <code>https://q.example</code>")
    assert links(html) == [{}, {"href": "https://y.example/",
                                "rel": "nofollow ugc noopener noreferrer"}]
    assert "<code>https://q.example</code>" in html


def test_a_bare_url_shows_as_typed():
    """No punycode or %-escape is decoded into look-alike link text."""
    html = render_chat("xn--80ak6aa92e.com https://example.org/%E2%80%AEfdp.exe").html
    assert ">xn--80ak6aa92e.com</a>" in html and ">https://example.org/%E2%80%AEfdp.exe</a>" in html
