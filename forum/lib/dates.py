"""Dates and times as members read them: unambiguous, in their language and time zone.

"3 Dec 2026, 08:06" rather than CLDR's short "12/3/26, 8:06 AM", which half the world reads as
the 12th of March. The `datetime`, `date` and `ago` template filters and the services' messages
use these functions, so every server-rendered time looks the same. static/js/i18n.js formats
times inserted by scripts with the same fields.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import flask_babel
from babel import Locale
from babel.dates import format_skeleton, format_timedelta, get_datetime_format

# Patterns Babel would make ambiguous (numeric months) or needlessly long (seconds): these
# names give the unambiguous form; any other (long, full, a CLDR pattern) is Babel's.
UNAMBIGUOUS = frozenset({None, "short", "medium"})
DATE_SKELETON = "yMMMd"  # day, abbreviated month name, year: "3 Dec 2026", "2026年12月3日"
TIME_SKELETON = "Hm"  # a 24-hour clock: no AM/PM to misread
# Beyond this, "5 days ago" says less than the date itself.
RELATIVE_FOR = timedelta(days=7)


def display_locale() -> Locale:
    """The request's locale; English dates in the day-month-year order of international English."""
    locale = flask_babel.get_locale() or Locale.parse("en")
    return Locale.parse("en_GB") if locale.language == "en" and not locale.territory else locale


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _in_zone(moment: datetime, rebase: bool) -> datetime:
    """The moment in the member's zone (rebase) or left in UTC (viewer-neutral fragments)."""
    return flask_babel.to_user_timezone(moment) if rebase else _as_utc(moment).astimezone(UTC)


def format_moment(moment: datetime | None, format: str | None = "medium",
                  rebase: bool = True) -> str:
    """A date with its time, e.g. "3 Dec 2026, 08:06" / "3 déc. 2026, 08:06" (filter `datetime`)."""
    if moment is None:
        return ""
    if format not in UNAMBIGUOUS:
        return flask_babel.format_datetime(moment, format, rebase)
    locale = display_locale()
    local = _in_zone(moment, rebase)
    day = format_skeleton(DATE_SKELETON, local, locale=locale)
    clock = format_skeleton(TIME_SKELETON, local, locale=locale)
    return get_datetime_format("medium", locale=locale).replace("{1}", day).replace("{0}", clock)


def format_day(value: date | datetime | None, format: str | None = "medium",
               rebase: bool = True) -> str:
    """A date without its time, e.g. "3 Dec 2026" (filter `date`)."""
    if value is None:
        return ""
    if format not in UNAMBIGUOUS:
        return flask_babel.format_date(value, format, rebase)
    if isinstance(value, datetime):
        value = _in_zone(value, rebase)
    return format_skeleton(DATE_SKELETON, value, locale=display_locale())


def day_key(moment: datetime) -> str:
    """The member's calendar day of a moment, "2026-12-03" (filter `day_key`): a chat's day
    separators, keyed as static/js/chat_layout.js keys them, so the page needs no script to
    draw them (and nothing moves when the script runs)."""
    return flask_babel.to_user_timezone(moment).date().isoformat()


def format_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """"5 min ago" for recent activity, the date for older (filter `ago`).

    static/js/time.js keeps these current in the page (<time data-format="ago">).
    """
    if moment is None:
        return ""
    delta = _as_utc(moment) - (now or datetime.now(UTC))
    if abs(delta) >= RELATIVE_FOR:
        return format_day(moment)
    if abs(delta) < timedelta(minutes=1):
        delta = timedelta(minutes=-1 if delta <= timedelta(0) else 1)
    return format_timedelta(delta, granularity="minute", threshold=1, add_direction=True,
                            format="short", locale=display_locale())
