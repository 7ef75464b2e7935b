"""A new picture is cut to the square its owner chose (crop_x, crop_y, crop_size, in pixels of
the upright picture) on the page and in the API; a square off the picture is a 422 naming the
field; none given keeps the centre square."""

from __future__ import annotations

import contextvars
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Upload, User
from forum.services.moderation import people
from tests import discussions_helpers
from tests.api_helpers import token_for
from tests.discussions_helpers import Browser
from tests.uploads_helpers import ORIENTATION, fetch

world = discussions_helpers.world  # the fixtures

RED, BLUE = (255, 0, 0), (0, 0, 255)


def halves(size=(200, 100), fmt="PNG", orientation: int | None = None,
           top_and_bottom: bool = False) -> bytes:
    """A picture whose left (or top) half is red and right (or bottom) half blue, as stored:
    before any EXIF orientation is applied."""
    width, height = size
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, height // 2, width, height) if top_and_bottom
                else (width // 2, 0, width, height))
    out = io.BytesIO()
    extra = {}
    if orientation:
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        extra["exif"] = exif
    image.save(out, fmt, **extra)
    return out.getvalue()


def put_avatar(app, user: User, data: bytes, query: str = "", form: dict | None = None,
               name: str = "me.png"):
    """PUT /api/v1/me/avatar with the picture, crop fields in the query and/or the form."""
    client = app.test_client()
    return contextvars.Context().run(
        client.put, f"/api/v1/me/avatar{query}",
        headers={"Authorization": f"Bearer {token_for(user)}"},
        data={"file": (io.BytesIO(data), name), **(form or {})},
        content_type="multipart/form-data")


def stored_avatar(app, user: User) -> Image.Image:
    """The person's current picture as served (RGB)."""
    db.session.expire_all()
    token = db.session.get(User, user.id).avatar_token
    assert token, "no picture stored"
    served = fetch(app, f"/avatars/{user.id}/{token}", token_for(user))
    assert served.status_code == 200
    return Image.open(io.BytesIO(served.data)).convert("RGB")


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    """The colours at the corners and the centre, rounded (JPEG is lossy)."""
    w, h = image.size
    points = [(3, 3), (w - 4, 3), (3, h - 4), (w - 4, h - 4), (w // 2, h // 2)]
    return {tuple(round(c / 255) * 255 for c in image.getpixel(p)) for p in points}


def stored_uploads(user: User) -> int:
    """How many files of the person are stored (a refused picture leaves none)."""
    return db.session.scalar(select(func.count()).select_from(Upload)
                             .where(Upload.owner_id == user.id))


def test_the_api_keeps_the_chosen_square_from_the_query_or_the_form(app, world):
    answer = put_avatar(app, world.amina, halves(), "?crop_x=100&crop_y=0&crop_size=100")
    assert answer.status_code == 200, answer.get_json()
    picture = stored_avatar(app, world.amina)
    assert picture.size == (256, 256) and colours(picture) == {BLUE}  # the right square
    answer = put_avatar(app, world.amina, halves(),
                        form={"crop_x": "0", "crop_y": "0", "crop_size": "100"})
    assert answer.status_code == 200, answer.get_json()
    assert colours(stored_avatar(app, world.amina)) == {RED}  # the left square
    # A smaller square, anywhere inside: still scaled to 256.
    answer = put_avatar(app, world.amina, halves(), "?crop_x=150&crop_y=40&crop_size=40")
    picture = stored_avatar(app, world.amina)
    assert answer.status_code == 200 and picture.size == (256, 256)
    assert colours(picture) == {BLUE}


def test_without_a_square_the_centre_is_kept(app, world):
    answer = put_avatar(app, world.amina, halves(), form={"crop_x": "", "crop_y": "",
                                                           "crop_size": ""})
    assert answer.status_code == 200, answer.get_json()
    picture = stored_avatar(app, world.amina)
    assert picture.getpixel((20, 128)) == RED and picture.getpixel((236, 128)) == BLUE


def test_the_square_is_in_pixels_of_the_upright_photo(app, world):
    # Stored 100 by 200 (top red, bottom blue), shown turned a quarter clockwise (EXIF 6):
    # upright it is 200 by 100 with the blue half on the left, the red one on the right.
    photo = halves((100, 200), "JPEG", orientation=6, top_and_bottom=True)
    answer = put_avatar(app, world.amina, photo, "?crop_x=100&crop_y=0&crop_size=100",
                        name="me.jpg")
    assert answer.status_code == 200, answer.get_json()  # inside the upright picture only
    assert colours(stored_avatar(app, world.amina)) == {RED}
    answer = put_avatar(app, world.amina, photo, "?crop_x=0&crop_y=0&crop_size=100",
                        name="me.jpg")
    assert answer.status_code == 200, answer.get_json()
    assert colours(stored_avatar(app, world.amina)) == {BLUE}


BAD_SQUARES = [
    ({"crop_x": "abc", "crop_y": "0", "crop_size": "50"}, "crop_x"),
    ({"crop_x": "1.5", "crop_y": "0", "crop_size": "50"}, "crop_x"),
    ({"crop_x": "9" * 40, "crop_y": "0", "crop_size": "50"}, "crop_x"),
    ({"crop_x": "0", "crop_y": "0"}, "crop_size"),
    ({"crop_x": "0", "crop_y": "0", "crop_size": "31"}, "crop_size"),
    ({"crop_x": "-1", "crop_y": "0", "crop_size": "50"}, "crop_x"),
    ({"crop_x": "0", "crop_y": "-5", "crop_size": "50"}, "crop_y"),
    ({"crop_x": "150", "crop_y": "0", "crop_size": "100"}, "crop_x"),
    ({"crop_x": "0", "crop_y": "1", "crop_size": "100"}, "crop_y"),
    ({"crop_x": "0", "crop_y": "0", "crop_size": "101"}, "crop_size"),
]


@pytest.mark.parametrize("where", ["form", "query"])
def test_a_square_off_the_picture_is_refused_naming_the_field(app, world, where):
    for square, field in BAD_SQUARES:
        if where == "form":
            answer = put_avatar(app, world.amina, halves(), form=square)
        else:
            answer = put_avatar(app, world.amina, halves(),
                                "?" + "&".join(f"{k}={v}" for k, v in square.items()))
        assert answer.status_code == 422, (square, answer.get_data(as_text=True))
        error = answer.get_json()["error"]
        assert error["fields"].get(field), (square, error)
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token is None
    assert stored_uploads(world.amina) == 0  # nothing kept of the refused pictures


def test_a_suspended_account_is_refused_whatever_its_square(app, world):
    people.suspend(world.moderator, world.amina.id, 2, "Site-wide")
    for query in ("?crop_x=100&crop_y=0&crop_size=100", "?crop_x=-1&crop_y=0&crop_size=5"):
        answer = put_avatar(app, world.amina, halves(), query)
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "suspended"
    browser = Browser(app, world.amina)
    page = browser.post("/settings/avatar", data={
        "picture": (io.BytesIO(halves()), "me.png"), "crop_x": "100", "crop_y": "0",
        "crop_size": "100"}, content_type="multipart/form-data")
    assert "Your account is suspended until" in page.text
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token is None
    assert stored_uploads(world.amina) == 0


def test_the_page_offers_the_crop_step_and_keeps_the_chosen_square(app, world):
    browser = Browser(app, world.amina)
    page = browser.get("/settings/files").text
    for name in ("crop_x", "crop_y", "crop_size"):
        assert f'id="{name}" name="{name}" type="hidden"' in page
    assert "data-avatar-crop hidden" in page and 'id="avatar-crop-zoom"' in page
    assert "js/avatar_crop.js" in page and 'label for="avatar-crop-zoom">Zoom<' in page
    saved = browser.post("/settings/avatar", data={
        "picture": (io.BytesIO(halves()), "me.png"), "crop_x": "100", "crop_y": "0",
        "crop_size": "100"}, content_type="multipart/form-data")
    assert saved.status_code == 302
    assert colours(stored_avatar(app, world.amina)) == {BLUE}
    # Without JavaScript the fields come empty: the centre square, as before.
    saved = browser.post("/settings/avatar", data={
        "picture": (io.BytesIO(halves()), "me.png"), "crop_x": "", "crop_y": "",
        "crop_size": ""}, content_type="multipart/form-data")
    assert saved.status_code == 302
    picture = stored_avatar(app, world.amina)
    assert picture.getpixel((20, 128)) == RED and picture.getpixel((236, 128)) == BLUE


def test_the_page_says_why_a_square_is_refused(app, world):
    browser = Browser(app, world.amina)
    before = db.session.get(User, world.amina.id).avatar_token
    refused = browser.post("/settings/avatar", data={
        "picture": (io.BytesIO(halves()), "me.png"), "crop_x": "150", "crop_y": "0",
        "crop_size": "100"}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "does not fit inside the picture (200 by 100 pixels)" in refused.text
    assert 'aria-invalid="true"' in refused.text  # at the picture field
    db.session.expire_all()
    assert db.session.get(User, world.amina.id).avatar_token == before


def test_the_openapi_document_gives_the_square_fields(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/me/avatar"]["put"]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
        "crop_x", "crop_y", "crop_size"}
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    fields = spec["components"]["schemas"][body.rpartition("/")[2]]["properties"]
    assert {"file", "crop_x", "crop_y", "crop_size"} <= set(fields)
    assert fields["crop_size"]["type"] == "integer"
