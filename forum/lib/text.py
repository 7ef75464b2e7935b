"""Markdown → sanitized HTML. The only module that imports bleach, so it can be swapped.

User text is rendered once, on write; both the source and this HTML are stored, and browsers only
ever insert HTML produced here. One pass each: markdown-it-py parses (raw HTML off) and makes every
link, bare URLs included, from text tokens through one scheme allowlist; bleach's Cleaner then
keeps only the allowlisted tags and attributes and gives links their rel.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import bleach
from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.token import Token

from forum.lib.emoji import replace_shortcodes

ALLOWED_TAGS = frozenset({
    "a", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
    "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "img",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel", "class"],
    "code": ["class"],
    "ol": ["start"],
    "img": ["src", "alt", "loading"],
}
# The one scheme allowlist: Markdown links, autolinks and bare URLs are only made with these
# (allowed_url), and the cleaner drops any other href as a last net.
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,29})(?<![.-])")
# What a browser ignores in a URL (controls and spaces at the ends, tabs and newlines inside);
# dropped everywhere before looking for a scheme, to be on the safe side.
_URL_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]+")
_MAY_LINK_RE = re.compile(r"[:/]|\.[^\W\d_]")
_INTERNAL_PATH_RE = re.compile(r"^/[^/\\]")  # "/u/x", not "//host" nor "/\\host"
_CODE_CLASS_RE = re.compile(r"^language-[A-Za-z0-9_+-]{1,30}$")
# Pictures are shown only from Commons' own uploads (forum/web/files.py checks who may read
# them): an outside picture would tell its server who read the post, and when.
_UPLOAD_PATH_RE = re.compile(r"^/files/[A-Za-z0-9_-]{22}/[^?#\s\\]*$")
_UPLOAD_SRC_RE = re.compile(r"^/files/[A-Za-z0-9_-]{22}/[^?#\s\\]*(\?size=thumb)?$")
_LINK_CLASSES = frozenset({"mention", "attachment", "attachment-image"})


@dataclass
class Rendered:
    """The sanitized HTML of a text and the usernames it mentions (only existing ones)."""

    html: str
    mentions: set[str] = field(default_factory=set)


MentionResolver = Callable[[set[str]], Iterable[str]]


def allowed_url(url: str) -> bool:
    """Whether a link target is relative or uses an allowed scheme (http, https, mailto)."""
    compact = _URL_IGNORED_RE.sub("", url)
    head = re.split(r"[/?#]", compact, maxsplit=1)[0]
    if ":" not in head:
        return True  # a path, query, fragment or //host: the page's own scheme
    return head.split(":", 1)[0].lower() in ALLOWED_PROTOCOLS


class _Linkify(LinkifyIt):
    """linkify-it with a cheap first look, for chat lines that hold no link at all."""

    def pretest(self, text: str) -> bool:
        """Whether `text` may hold a link (false positives allowed, never false negatives)."""
        # linkify-it's own pretest is one large regex (about 10 µs per chat line). Whatever it
        # can link has a scheme's ":", a "//" or a dot before the top-level domain's letter.
        return _MAY_LINK_RE.search(text) is not None and super().pretest(text)


def _parser(breaks: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": breaks, "linkify": True})
    md.core.ruler.push("uploads", _uploads)
    # Bare URLs become links after inline parsing, in text tokens only: never across code, never
    # inside a link, and through the same allowlist as [text](url) and <url>. (The inline linkify
    # rule reads the raw source, where a URL can run into a `code span`: it stays off.)
    md.enable(["linkify", "strikethrough"])
    md.inline.ruler.disable(["linkify"])
    md.linkify = _Linkify().set({"fuzzy_email": False})
    md.validateLink = allowed_url
    # A bare URL shows as typed: no punycode or %-escape decoded into look-alike text
    # (xn--80ak6aa92e.com would read as "apple.com" spelled in Cyrillic letters).
    md.normalizeLinkText = str
    return md


def _full_parser() -> MarkdownIt:
    md = _parser(breaks=False)
    md.enable(["table"])
    # Headings inside a post must not compete with the page's own h1/h2.
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


def _chat_parser() -> MarkdownIt:
    md = _parser(breaks=True)
    md.disable(["heading", "lheading", "hr", "table"], ignoreInvalid=True)
    return md


def _link(href: str, css_class: str | None, inner: list[Token]) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrSet("href", href)
    if css_class:
        opening.attrSet("class", css_class)
    return [opening, *inner, Token("link_close", "a", -1)]


def _picture(token: Token) -> list[Token]:
    """An uploaded picture: its thumbnail, linking to the full picture. Any other: a link."""
    src = token.attrGet("src") or ""
    if _UPLOAD_PATH_RE.match(src):
        token.attrSet("src", f"{src}?size=thumb")
        token.attrSet("loading", "lazy")
        return _link(src, "attachment-image", [token])
    label = _text(token.content or src)
    return _link(src, None, [label]) if src and allowed_url(src) else [label]


def _uploads(state) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type == "image":
                children.extend(_picture(token))
                continue
            if token.type == "link_open" and _UPLOAD_PATH_RE.match(token.attrGet("href") or ""):
                token.attrSet("class", "attachment")  # a document: shown as a file card
            children.append(token)
        block.children = children


def _demote_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + 2)
            token.tag = f"h{level}"


_POST = _full_parser()
_CHAT = _chat_parser()


def _code_class(tag: str, name: str, value: str) -> bool:
    if tag == "code" and name == "class":
        return bool(_CODE_CLASS_RE.match(value))
    if tag == "a" and name == "class":
        return value in _LINK_CLASSES
    if tag == "img" and name == "src":
        return bool(_UPLOAD_SRC_RE.match(value))
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


_CLEAN_ATTRIBUTES = {tag: _code_class for tag in ALLOWED_ATTRIBUTES}


class _LinkRel(Filter):
    """Every link opens safely and passes no ranking; mention links (internal) are left alone."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                attrs = token["data"]
                href = attrs.get((None, "href"))
                internal_mention = (attrs.get((None, "class")) == "mention"
                                    and _INTERNAL_PATH_RE.match(href or ""))
                if href is not None and not internal_mention:
                    attrs[(None, "rel")] = LINK_REL
            yield token


def _link_mentions(tokens: list[Token], resolve: MentionResolver | None,
                   profile_url: Callable[[str], str], found: set[str]) -> None:
    """Turn @name in text (not in code or links) into profile links for existing users."""
    wanted: set[str] = set()
    for token in tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text":
                    wanted.update(m.group(1).lower() for m in MENTION_RE.finditer(child.content))
    if not wanted or resolve is None:
        return
    existing = {name.lower() for name in resolve(wanted)}
    if not existing:
        return
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            if child.type != "text" or in_link:
                children.append(child)
                continue
            pos = 0
            for match in MENTION_RE.finditer(child.content):
                name = match.group(1).lower()
                if name not in existing:
                    continue
                found.add(name)
                if match.start() > pos:
                    children.append(_text(child.content[pos:match.start()]))
                link_open = Token("link_open", "a", 1)
                link_open.attrs = {"href": profile_url(name), "class": "mention"}
                children += [link_open, _text("@" + match.group(1)), Token("link_close", "a", -1)]
                pos = match.end()
            if pos < len(child.content):
                children.append(_text(child.content[pos:]) if pos else child)
        token.children = children


def _emoji(tokens: list[Token]) -> None:
    """Turn known :shortcodes: in text (not in code, nor in links) into their emoji."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                child.content = replace_shortcodes(child.content)


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _render(parser: MarkdownIt, source: str, resolve: MentionResolver | None,
            profile_url: Callable[[str], str]) -> Rendered:
    tokens = parser.parse(source)
    found: set[str] = set()
    _emoji(tokens)  # before mentions: they split text tokens, the emoji pass does not
    _link_mentions(tokens, resolve, profile_url, found)
    raw = parser.renderer.render(tokens, parser.options, {})
    return Rendered(html=sanitize_html(raw), mentions=found)


# A Cleaner builds an html5lib parser and serializer (bleach.clean makes one per call); they keep
# state while cleaning, so each is used by one caller at a time: taken from this pool, put back.
_CLEANERS: list[Cleaner] = []


def sanitize_html(raw: str) -> str:
    """Strip everything outside the allowlist and give every link a safe rel; links no text."""
    try:
        cleaner = _CLEANERS.pop()  # atomic: no two threads or greenlets get the same one
    except IndexError:
        cleaner = Cleaner(tags=ALLOWED_TAGS, attributes=_CLEAN_ATTRIBUTES,
                          protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True,
                          filters=[_LinkRel])
    try:
        return cleaner.clean(raw).strip()
    finally:
        _CLEANERS.append(cleaner)


def _default_profile_url(username: str) -> str:
    return f"/u/{username}"


def render_post(source: str, resolve_mentions: MentionResolver | None = None,
                profile_url: Callable[[str], str] = _default_profile_url) -> Rendered:
    """Render a post: CommonMark with tables, strikethrough, code blocks; headings demoted."""
    return _render(_POST, source, resolve_mentions, profile_url)


def render_chat(source: str, resolve_mentions: MentionResolver | None = None,
                profile_url: Callable[[str], str] = _default_profile_url) -> Rendered:
    """Render a chat message: inline Markdown, code, quotes and lists; line breaks kept."""
    return _render(_CHAT, source, resolve_mentions, profile_url)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """Drop control characters (NUL cannot even be stored in PostgreSQL) and trim."""
    return _CONTROL_RE.sub("", text or "").strip()


def plain_text(source_html: str) -> str:
    """Text content of sanitized HTML, for snippets, notifications and search."""
    text = html_lib.unescape(bleach.clean(source_html, tags=set(), strip=True))
    return re.sub(r"\s+", " ", text).strip()


def mentioned_usernames(source: str) -> set[str]:
    """Lower-cased @names written in a text, before checking they exist."""
    return {m.group(1).lower() for m in MENTION_RE.finditer(source)}
