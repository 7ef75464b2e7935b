"""Template gettext that finds the request's catalogue once, not on every `_()` call.

Flask-Babel's template callables resolve the domain, the locale and the catalogue (three trips
through `g`, and a Locale→str conversion) for every string: about thirty Python calls per `_()`,
and a page has dozens. Here the catalogue is kept on `g` beside the locale object it belongs to,
so `force_locale` (which swaps the locale) still gets the right one.
"""

from __future__ import annotations

from babel.support import NullTranslations, Translations
from flask import Flask, g
from flask_babel import get_locale, get_translations


def _translations() -> Translations | NullTranslations:
    """The catalogue of the current locale, looked up once per request and locale."""
    locale = get_locale()
    cached = g.get("_template_translations")
    if cached is None or cached[0] is not locale:
        cached = g._template_translations = (locale, get_translations())
    return cached[1]


def install(app: Flask) -> None:
    """Replace Flask-Babel's template gettext callables with the cached ones."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
