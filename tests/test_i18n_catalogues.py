"""Catalogue quality bars: six complete catalogues, and no user-facing string left unmarked.

The catalogues are compared with a fresh extraction made here with Babel's Python API (the same
babel.cfg and keywords as `make translations`), so a string marked anywhere in the code but
not translated fails the suite. The markup checker walks every template for text nodes and
user-facing attributes outside `_()`; the script checker looks for English literals in
static/js (scripts take their words from the /i18n/<lang>.js catalogue).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from forum.config import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "forum" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# CLDR plural categories as gettext counts them: Arabic zero/one/two/few/many/other, Russian
# one/few/many, Chinese one form.
PLURAL_FORMS = {"en": 2, "fr": 2, "es": 2, "ar": 6, "zh": 1, "ru": 3}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def template_catalog(tmp_path_factory) -> Catalog:
    """Extract every marked string from the code and templates into a temporary .pot."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Commons")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    with open(pot, "wb") as out:
        write_po(out, catalog)
    with open(pot, "rb") as back:
        return read_po(back)


def _catalogue(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"missing catalogue {path.relative_to(ROOT)}"
    with open(path, "rb") as po:
        return read_po(po, locale=language)


def _show(message_id) -> str:
    return repr(message_id if isinstance(message_id, str) else message_id[0])


def test_extraction_finds_the_interface(template_catalog):
    # Guards the guard: an extraction that silently found nothing would pass everything below.
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template_catalog if m.id}
    assert len(ids) > 300
    assert {"Log in", "Skip to content", "Not found.", "%(num)d reply"} <= ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language, template_catalog):
    catalog = _catalogue(language)
    assert catalog.num_plurals == PLURAL_FORMS[language], catalog.plural_forms
    problems = []
    for wanted in template_catalog:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, context=wanted.context)
        if found is None:
            problems.append(f"missing: {_show(wanted.id)}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy: {_show(wanted.id)}")
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        if not all(s.strip() for s in strings):
            problems.append(f"empty: {_show(wanted.id)}")
            continue
        if isinstance(wanted.id, tuple):
            if len(strings) != catalog.num_plurals:
                problems.append(f"{len(strings)} plural forms: {_show(wanted.id)}")
            singular, plural = (set(PLACEHOLDER.findall(text)) for text in wanted.id)
            allowed, required = singular | plural, (singular & plural) - {"num"}
            for form in strings:
                used = set(PLACEHOLDER.findall(form))
                # A form may spell the number out (or name the one actor); shared names stay.
                if not used <= allowed or not required <= used:
                    problems.append(f"placeholders {sorted(used)}: {_show(wanted.id)} {form!r}")
        elif set(PLACEHOLDER.findall(wanted.id)) != set(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {_show(wanted.id)} -> {strings[0]!r}")
    # The checks `pybabel compile` runs (and fails the build on), e.g. a plural form using a
    # placeholder its msgid lacks.
    for message, errors in catalog.check():
        problems.extend(f"babel: {error}: {_show(message.id)}" for error in errors)
    assert not problems, f"{language}: {len(problems)} problems:\n" + "\n".join(problems[:40])


# --- user-facing strings not marked for translation -------------------------------------------

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TEXT_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "aria-description",
                   "aria-roledescription", "aria-valuetext"}
LETTER = re.compile(r"[^\W\d_]")
# Text that is the same in every language (the only allow-list).
ALLOWED_TEXT = {"Commons"}
# Script, style and code samples are not prose: their contents are never translated.
RAW_TAGS = {"script", "style", "code", "kbd", "samp", "pre"}


class _TextFinder(HTMLParser):
    """Collect static text nodes and user-facing attribute values of one template."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.raw_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in RAW_TAGS:
            self.raw_depth += 1
        values = dict(attrs)
        names = set(TEXT_ATTRIBUTES)
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            names.add("value")
        for name, value in attrs:
            shown = (value or "").strip()
            if name in names and LETTER.search(shown) and shown not in ALLOWED_TEXT:
                self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))

    def handle_endtag(self, tag):
        if tag in RAW_TAGS and self.raw_depth:
            self.raw_depth -= 1

    def handle_data(self, data):
        text = data.strip()
        if not self.raw_depth and LETTER.search(text) and text not in ALLOWED_TEXT:
            self.found.append((self.getpos()[0], text))


def unmarked_template_strings(source: str) -> list[tuple[int, str]]:
    """Static text and attributes outside Jinja expressions: each should have been `_()`."""
    # Jinja blocks become a space (newlines kept for line numbers): what is left is what a
    # reader would see verbatim in every language.
    blanked = JINJA.sub(lambda m: " " + "\n" * m.group(0).count("\n"), source)
    finder = _TextFinder()
    finder.feed(blanked)
    finder.close()
    return finder.found


def test_checker_catches_unmarked_text():
    # The checker itself must fail on the mistakes it is there to catch.
    source = ('<h1>{{ _("Fine") }}</h1><p>Plain English</p>'
              '<input placeholder="Type here"><img alt="{{ _(\'ok\') }}">'
              '<button aria-label="Close">&#215;</button><span>{{ name }} · 3</span>'
              '<code>null</code>')
    found = [text for _line, text in unmarked_template_strings(source)]
    assert found == ["Plain English", 'placeholder="Type here"', 'aria-label="Close"']


def test_templates_have_no_unmarked_text():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for line, text in unmarked_template_strings(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not problems, "wrap these in _():\n" + "\n".join(problems)


def test_plain_text_mail_templates_have_no_unmarked_text():
    # In a .txt template every word outside {{ }} / {% %} reaches the reader verbatim.
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.txt")):
        blanked = JINJA.sub(" ", path.read_text(encoding="utf-8"))
        for number, line in enumerate(blanked.splitlines(), start=1):
            if LETTER.search(line) and line.strip() not in ALLOWED_TEXT:
                problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()!r}")
    assert not problems, "wrap these in _():\n" + "\n".join(problems)


JS_STRING = re.compile(r"""(["'`])((?:\\.|(?!\1).)*)\1""", re.S)
# Literals that never reach a reader: event keys, library reasons, the DataTransfer type of files.
ALLOWED_JS = {"Enter", "Escape", "Tab", "Files", "io client disconnect"}


def _strip_js_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"(^|\s)//.*$", r"\1", source, flags=re.M)


def english_js_literals(source: str) -> list[str]:
    """String literals that read like English sentences or labels (not selectors or keys)."""
    found = []
    for line in _strip_js_comments(source).splitlines():
        if "console." in line:  # developer diagnostics, not the interface
            continue
        for _quote, text in JS_STRING.findall(line):
            bare = re.sub(r"\$\{[^}]*\}", "", text).strip()
            if bare in ALLOWED_JS or not LETTER.search(bare):
                continue
            if re.search(r"[\[\]#=<>/]|^\.|^[\w-]+:[\w-]+$", bare):  # selectors, paths, events
                continue
            words = bare.split()
            looks_like_words = len(words) >= 2 and not all(re.fullmatch(r"[a-z][\w-]*", w)
                                                           for w in words)
            if looks_like_words or re.fullmatch(r"[A-Z][a-z]+[.!?…]?", bare):
                found.append(text)
    return found


def test_script_checker_catches_english():
    source = 'el.textContent = "New reply from " + name; // "Comment text"\n' \
             'x.className = "banner banner-warning"; q("[data-id]"); on("message:new");\n' \
             'alert(`Deleted ${n} items`); button.title = "Delete";'
    assert english_js_literals(source) == ["New reply from ", "Deleted ${n} items", "Delete"]


def test_scripts_have_no_english():
    problems = []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        problems += [f"{path.name}: {text!r}" for text in english_js_literals(path.read_text())]
    assert not problems, ("take these from the i18n catalogue (forum/web/i18n.py JS_STRINGS "
                          "and static/js/i18n.js t()):\n" + "\n".join(problems))
