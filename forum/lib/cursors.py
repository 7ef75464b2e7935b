"""Opaque keyset cursors "<microseconds>.<id>" for lists ordered by (a time, an id)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from forum.errors import Invalid


def encode_cursor(moment: datetime, row_id: int) -> str:
    """The cursor that continues a list after the row (moment, row_id)."""
    return f"{int(moment.timestamp() * 1_000_000)}.{row_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """(moment, id) from a cursor; None for none; Invalid when it was tampered with."""
    if not cursor:
        return None
    try:
        micros, row_id = cursor.split(".", 1)
        return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC), int(row_id)
    except (ValueError, OverflowError):
        raise Invalid(_("This page link is broken.")) from None
