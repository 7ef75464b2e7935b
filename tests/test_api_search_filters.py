"""GET /api/v1/search with `category_id`, `cohort_id` and `channel_id`: each filter narrows the
hits (a query string id used to be refused as "Not a valid integer"), and none of them opens a
place the caller may not read."""

from __future__ import annotations

from tests import search_helpers as content
from tests.api_helpers import ApiClient, token_for
from tests.discussions_helpers import world  # noqa: F401 - fixture


def _places(world):  # noqa: F811
    """Threads about "harvest" in a global category and in each cohort, plus chat messages."""
    general = content.thread(world.general, world.amina, "Harvest in general", "harvest words")
    alpha = content.thread(world.lounge_a, world.amina, "Harvest in Alpha", "harvest words")
    bravo = content.thread(world.lounge_b, world.carla, "Harvest in Bravo", "harvest words")
    alpha_room = content.channel("alpha-room", world.cohort_a.id)
    bravo_room = content.channel("bravo-room", world.cohort_b.id)
    lobby = content.channel("lobby")
    said = {room.id: content.message(room, author, "harvest chat")
            for room, author in ((alpha_room, world.amina), (bravo_room, world.carla),
                                 (lobby, world.amina))}
    return general, alpha, bravo, alpha_room, bravo_room, lobby, said


def _hits(client, **filters) -> list[tuple[str, int]]:
    response = client.get("/search", query_string={"q": "harvest", **filters})
    assert response.status_code == 200, response.json
    return sorted((hit["kind"], hit["id"]) for hit in response.json["hits"])


def test_category_filter_narrows_to_one_category(app, world):  # noqa: F811
    general, alpha, _bravo, *_ = _places(world)
    amina = ApiClient(app, token_for(world.amina))
    assert _hits(amina, category_id=world.lounge_a.id, kind="threads") == [("thread", alpha.id)]
    assert _hits(amina, category_id=world.general.id, kind="threads") == [("thread", general.id)]
    # Another cohort's category: nothing, as if it did not exist (not 403, not its threads).
    assert _hits(amina, category_id=world.lounge_b.id) == []


def test_cohort_filter_narrows_to_one_cohort_threads_and_messages(app, world):  # noqa: F811
    _general, alpha, _bravo, alpha_room, _bravo_room, _lobby, said = _places(world)
    amina = ApiClient(app, token_for(world.amina))
    assert _hits(amina, cohort_id=world.cohort_a.id, kind="threads") == [("thread", alpha.id)]
    assert _hits(amina, cohort_id=world.cohort_a.id, kind="messages") == [
        ("message", said[alpha_room.id].id)]
    assert _hits(amina, cohort_id=world.cohort_b.id) == []
    carla = ApiClient(app, token_for(world.carla))
    assert _hits(carla, cohort_id=world.cohort_a.id) == []


def test_channel_filter_narrows_to_one_channel(app, world):  # noqa: F811
    *_, alpha_room, bravo_room, lobby, said = _places(world)
    amina = ApiClient(app, token_for(world.amina))
    assert _hits(amina, channel_id=lobby.id) == [("message", said[lobby.id].id)]
    assert _hits(amina, channel_id=alpha_room.id) == [("message", said[alpha_room.id].id)]
    assert _hits(amina, channel_id=bravo_room.id) == []  # another cohort's room


def test_filter_ids_out_of_range_are_field_errors(app, world):  # noqa: F811
    amina = ApiClient(app, token_for(world.amina))
    for name in ("category_id", "cohort_id", "channel_id"):
        for bad in ("0", "x", "1.5", str(2**63)):
            response = amina.get("/search", query_string={"q": "harvest", name: bad})
            assert response.status_code == 422, (name, bad)
            assert name in response.json["error"]["fields"]
