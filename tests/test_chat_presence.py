"""Presence lists in big rooms: coalesced longer as the room grows."""

from __future__ import annotations

from forum.services import presence


def test_presence_delay_grows_with_the_room_beyond_a_hundred_sockets():
    assert presence.coalesce_delay(1.0, 0) == 1.0
    assert presence.coalesce_delay(1.0, 100) == 1.0
    assert presence.coalesce_delay(1.0, 500) == 5.0
    # Lists per second x names per list x sockets: linear in the room, not quadratic.
    bytes_rate = {n: n * n / presence.coalesce_delay(1.0, n) for n in (200, 400, 800)}
    assert bytes_rate[800] / bytes_rate[400] == bytes_rate[400] / bytes_rate[200] == 2
