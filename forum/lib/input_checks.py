"""Input no field can hold, refused where it enters (API bodies, socket payloads, URLs, forms).

Four kinds of input used to reach the database and fail there as server errors:

- JSON nested so deeply that the parser runs out of stack (a RecursionError, not a ValueError);
- lone UTF-16 surrogates (`"\\ud800"` is valid JSON, but no UTF-8 text, so no column, can hold
  it);
- NUL characters in a URL, query or form field (PostgreSQL text cannot hold NUL);
- ids beyond the database's integer (`2**63`, `2**70`), in socket payloads and in URLs.

Each is refused with a domain error, so the one mapping (HTML page, JSON problem, socket ack)
answers it. Text fields of JSON bodies keep their own rule: control characters, NUL included, are
dropped by `clean_text` (forum/lib/text.py), exactly as the forms do.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from forum.errors import BadRequest, Invalid, NotFound

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger one matches nothing and would make the
# database raise. The API's <id:...> URL converter uses the same bound.
MAX_ID = 2**31 - 1

# Far deeper than any payload we accept (the deepest is 3 levels), far shallower than the
# interpreter's recursion limit.
MAX_JSON_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(data: bytes | str) -> Any:
    """Parse a JSON document, then `check_payload` it; json.JSONDecodeError passes through."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise too_deep() from None
    check_payload(value)
    return value


def too_deep() -> BadRequest:
    """The error of a JSON value nested deeper than MAX_JSON_DEPTH."""
    return BadRequest(_("The JSON is nested too deeply (at most %(n)d levels).",
                        n=MAX_JSON_DEPTH))


def check_payload(value: Any) -> None:
    """Refuse a parsed JSON value nested deeper than MAX_JSON_DEPTH (BadRequest) or holding a
    lone surrogate in a key or string (Invalid, naming the top-level field)."""
    # Iterative, so a deep value cannot exhaust the stack here either.
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, field = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                _refuse_surrogate(field)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise too_deep()
        if isinstance(item, dict):
            for key, child in item.items():
                name = field or str(key)
                if isinstance(key, str) and _SURROGATE.search(key):
                    _refuse_surrogate(name)
                stack.append((child, depth + 1, name))
        else:
            stack.extend((child, depth + 1, field) for child in item)


def _refuse_surrogate(field: str) -> None:
    message = _("This text holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not "
                "Unicode text; send valid UTF-8.")
    raise Invalid(message, fields={field or "_body": message})


def parse_id(value: object, field: str, *, minimum: int = 1, strings: bool = True) -> int:
    """An id from a socket payload: an integer (or, with `strings`, a string of ASCII digits)
    from `minimum` to MAX_ID; anything else (a bool, "²", 2**63) is Invalid, never a database
    error."""
    if strings and isinstance(value, str) and value.isascii() and value.isdigit() \
            and len(value) <= 10:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_ID:
        raise Invalid(_("%(field)s must be a whole number from %(min)d to %(max)d.",
                        field=field, min=minimum, max=MAX_ID), fields={field: "invalid"})
    return value


def has_nul(values: Any) -> bool:
    """Whether any of these strings holds a NUL character."""
    return any(isinstance(v, str) and "\x00" in v for v in values)


def refuse_unstorable_path(view_args: dict | None) -> None:
    """A URL part that names nothing the database could hold is NotFound: a slug or username
    with NUL, or an id past MAX_ID (Werkzeug's <int:...> takes any size, 2**70 included)."""
    if not view_args:
        return
    values = view_args.values()
    if has_nul(values) or any(isinstance(v, int) and v > MAX_ID for v in values):
        raise NotFound()


def refuse_nul_in_fields(fields: MultiDict) -> None:
    """A query or form field (any of its values) with NUL: BadRequest (no text can hold it)."""
    if any(has_nul(values) for values in fields.listvalues()):
        raise BadRequest(_("A field holds a NUL character, which no text can hold."))
