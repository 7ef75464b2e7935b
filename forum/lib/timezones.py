"""Time-zone names as people type them: "Geneva", "new york", "Africa/Nairobi" → an IANA zone."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

# The regions of the IANA database whose zones are places; the rest ("US/Eastern", "GB",
# "Etc/GMT+3", "posixrules") are legacy aliases still accepted but never offered.
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
           "Europe", "Indian", "Pacific")

# Places people name that are not the city of a zone: UN duty stations and capitals that
# share a neighbour's zone (lower-case keys). Cities that are zones (Vienna, Nairobi, Bangkok,
# Addis Ababa, Copenhagen, Rome...) are found by resolve_zone itself.
ALIASES = {
    "geneva": "Europe/Zurich", "genève": "Europe/Zurich", "geneve": "Europe/Zurich",
    "bern": "Europe/Zurich", "berne": "Europe/Zurich", "lausanne": "Europe/Zurich",
    "turin": "Europe/Rome", "torino": "Europe/Rome", "brindisi": "Europe/Rome",
    "florence": "Europe/Rome", "milan": "Europe/Rome",
    "the hague": "Europe/Amsterdam", "den haag": "Europe/Amsterdam", "hague": "Europe/Amsterdam",
    "la haye": "Europe/Amsterdam",
    "bonn": "Europe/Berlin", "hamburg": "Europe/Berlin", "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "valencia": "Europe/Madrid", "barcelona": "Europe/Madrid",
    "lyon": "Europe/Paris", "marseille": "Europe/Paris", "strasbourg": "Europe/Paris",
    "edinburgh": "Europe/London", "geneva switzerland": "Europe/Zurich",
    "ankara": "Europe/Istanbul", "kiev": "Europe/Kyiv",
    "washington": "America/New_York", "washington dc": "America/New_York",
    "washington, dc": "America/New_York", "washington d.c.": "America/New_York",
    "montreal": "America/Toronto", "montréal": "America/Toronto", "ottawa": "America/Toronto",
    "san francisco": "America/Los_Angeles", "brasilia": "America/Sao_Paulo",
    "brasília": "America/Sao_Paulo", "rio de janeiro": "America/Sao_Paulo",
    "entebbe": "Africa/Kampala", "goma": "Africa/Lubumbashi", "arusha": "Africa/Dar_es_Salaam",
    "dodoma": "Africa/Dar_es_Salaam", "abuja": "Africa/Lagos", "pretoria": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg", "yaounde": "Africa/Douala", "yaoundé": "Africa/Douala",
    "erbil": "Asia/Baghdad", "islamabad": "Asia/Karachi", "new delhi": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "bombay": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata", "beijing": "Asia/Shanghai", "peking": "Asia/Shanghai",
    "ho chi minh city": "Asia/Ho_Chi_Minh", "saigon": "Asia/Ho_Chi_Minh",
    "hanoi": "Asia/Bangkok", "rangoon": "Asia/Yangon", "katmandu": "Asia/Kathmandu",
    "canberra": "Australia/Sydney", "wellington": "Pacific/Auckland", "suva": "Pacific/Fiji",
    "utc": "UTC", "gmt": "UTC", "z": "UTC", "zulu": "UTC",
}


def _key(text: str) -> str:
    """Lower-case, one space for underscores, hyphens and runs of spaces."""
    return re.sub(r"[\s_-]+", " ", text).strip().lower()


@cache
def all_zones() -> frozenset[str]:
    """Every IANA name this system knows, legacy aliases included."""
    return frozenset(available_timezones() - {"localtime", "Factory", "posixrules"})


@cache
def offered_zones() -> tuple[str, ...]:
    """The zones to offer in a list: place names (Region/City) and UTC, sorted."""
    places = (name for name in all_zones() if name.split("/")[0] in REGIONS)
    return ("UTC", *sorted(places))


@cache
def _lookup() -> dict[str, str]:
    """Lower-cased full names and city names (last part) → zone, offered zones winning."""
    table: dict[str, str] = {}
    # Legacy names first, so a place zone with the same city overwrites them.
    for name in sorted(all_zones() - set(offered_zones())) + list(offered_zones()):
        table[_key(name)] = name
        table[_key(name.rsplit("/", 1)[-1])] = name
    table.update(ALIASES)
    return table


def resolve_zone(text: object) -> str | None:
    """The IANA zone named by `text` (a zone name or a city, any case), else None."""
    if not isinstance(text, str) or not text or len(text) > 64:
        return None
    text = text.strip()
    if text in all_zones():
        return text
    return _lookup().get(_key(text))


def is_zone(name: object) -> bool:
    """Whether `name` is exactly an IANA zone name (as browsers report them)."""
    return isinstance(name, str) and name in all_zones()
