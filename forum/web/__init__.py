"""HTML entry points: blueprints, template globals and error pages."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_number, get_locale

from forum.lib.dates import day_key, format_ago, format_day, format_moment
from forum.web.i18n import text_direction, timezone_name

# Each language named in itself, so a lost reader can find their own.
LANGUAGE_NAMES = [
    ("en", "English"), ("fr", "Français"), ("es", "Español"),
    ("ar", "العربية"), ("zh", "中文"), ("ru", "Русский"),
]


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last, `around` either side of `page`; None = gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[int | None] = []
    for n in shown:
        if window and n - window[-1] == 2:
            window.append(n - 1)  # a gap of one page: show the page, not "…"
        elif window and n - window[-1] > 2:
            window.append(None)
        window.append(n)
    return window


def register_web(app: Flask) -> None:
    """Register every page blueprint and the helpers templates rely on."""
    from forum.web import (
        admin,
        admin_cohorts,
        auth,
        chat,
        cohorts,
        csp_report,
        directory,
        discussions,
        files,
        main,
        moderation,
        my_files,
        notifications,
        onboarding,
        passwords,
        profile,
        resources,
        search,
        tokens,
    )
    from forum.web.errors import register_error_handlers

    for module in (main, auth, passwords, onboarding, profile, cohorts, admin, admin_cohorts,
                   discussions, chat, moderation, notifications, search, directory, tokens, files,
                   my_files, resources):
        app.register_blueprint(module.bp)
    csp_report.register(app)
    register_error_handlers(app)

    endpoints = frozenset()

    @app.before_request
    def _remember_endpoints() -> None:
        nonlocal endpoints
        if not endpoints:
            endpoints = frozenset(rule.endpoint for rule in app.url_map.iter_rules())

    @app.context_processor
    def page_globals() -> dict:
        locale = str(get_locale() or "en")
        return {
            "html_lang": locale.replace("_", "-"),
            "html_dir": text_direction(locale),
            "language_names": LANGUAGE_NAMES,
            "url_rules": endpoints,
            "timezone_name": timezone_name,
        }

    app.add_template_global(page_window)
    # Unambiguous dates ("3 Dec 2026, 08:06") in the member's language and zone: forum/lib/dates.py
    app.add_template_filter(format_moment, "datetime")
    app.add_template_filter(format_day, "date")
    app.add_template_filter(format_ago, "ago")
    app.add_template_filter(day_key, "day_key")
    app.add_template_filter(format_number, "number")
