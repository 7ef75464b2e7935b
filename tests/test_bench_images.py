"""The image benchmarks' data (bench/images.py, bench/upload_stall.py) is what members get.

No timings here (those are `make bench`'s): the 20-photo thread the page benchmark serves is
built through the upload and reply services, shows every photo as a thumbnail by its file path
(nothing inlined), costs the statements of a plain 20-reply thread, and the stall benchmark's
photo is a ~10 MB JPEG the upload limit accepts.
"""

from __future__ import annotations

import re

import pytest

from bench import images, upload_stall
from forum.extensions import db
from forum.models import Post, Upload
from forum.services import discussions as svc
from tests import discussions_helpers
from tests.discussions_helpers import Browser

world = discussions_helpers.world  # the fixture

SMALL_PHOTO = (900, 700)  # still over the 800-pixel thumbnail bound, faster to make


@pytest.fixture
def app_config(app_config):
    """Twenty-one posts in one test: no throttling here."""
    return {**app_config, "RATELIMIT_LOGIN": "1000 per minute", "RATELIMIT_ENABLED": False}


def _statements(queries, browser: Browser, path: str) -> tuple[int, str]:
    assert browser.get(path).status_code == 200  # first visit writes the read marker
    with queries() as statements:
        response = browser.get(path)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_image_thread_shows_twenty_thumbnails_by_path_at_plain_thread_cost(app, world, queries):
    authors = [world.amina, world.bilal, world.mentor]
    image_thread = images.build_image_thread([a.id for a in authors], world.general.id,
                                             size=SMALL_PHOTO)
    plain = svc.create_thread(world.amina, world.general.id, "Twenty replies", "Opening post")
    for n in range(images.IMAGE_REPLIES):
        svc.reply(authors[n % len(authors)], plain.id, f"Reply {n + 1}: the view from my office.")

    attached = db.session.scalars(db.select(Upload).join(Post, Upload.post_id == Post.id)
                                  .where(Post.thread_id == image_thread)).all()
    assert len(attached) == images.IMAGE_REPLIES
    assert all(u.thumbnail_key and u.width == SMALL_PHOTO[0] for u in attached)

    reader = Browser(app, world.carla)
    plain_count, _ = _statements(queries, reader, f"/t/{plain.id}")
    image_count, html = _statements(queries, reader, f"/t/{image_thread}")
    sources = re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)
    thumbnails = [s for s in sources if re.fullmatch(r"/files/[\w-]{22}/[^?]+\?size=thumb", s)]
    assert len(thumbnails) == images.IMAGE_REPLIES
    assert not [s for s in sources if s.startswith("data:")]
    assert image_count == plain_count, (image_count, plain_count)

    served = reader.get(thumbnails[0])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"


def test_stall_photo_is_a_ten_megabyte_jpeg_under_the_upload_limit(app, tmp_path):
    path = tmp_path / "photo.jpg"
    size = upload_stall.make_photo(str(path))
    assert 9 * 2**20 < size <= app.config["UPLOAD_MAX_BYTES"]
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"
