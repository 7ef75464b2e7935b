"""Pictures for the benchmarks, uploaded through the real service (issue 18).

* `build_image_thread`: a thread whose 20 replies each carry an uploaded photo, posted with
  `discussions.reply` after `uploads.store`, so the page holds the markup members get: a
  thumbnail <img> pointing to /files/<token>/<name>?size=thumb (never the bytes inlined).
* `chat_uploads`: unattached photos of one member, one per chat message of the image run
  (sending a message that references them attaches them, as the chat composer does).
"""

from __future__ import annotations

import io

IMAGE_THREAD_TITLE = "Twenty pictures"
IMAGE_REPLIES = 20
PHOTO_SIZE = (1600, 1200)  # over the 800-pixel thumbnail bound: every reply has a thumbnail


def photo(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A photo-like JPEG (gradient, shapes, a little noise) of a few hundred kB."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 300)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = image.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def markdown_for(upload) -> str:
    """The Markdown the composer inserts for an uploaded picture (the API's own rendering)."""
    from forum.api.uploads import upload_body

    return upload_body(upload)["markdown"]


def build_image_thread(author_ids: list[int], category_id: int = 1,
                       size: tuple[int, int] = PHOTO_SIZE) -> int:
    """Post a thread with IMAGE_REPLIES replies of one photo each; its id (app context)."""
    from forum.extensions import db
    from forum.models import User
    from forum.services import discussions, uploads

    opener = db.session.get(User, author_ids[0])
    thread = discussions.create_thread(opener, category_id, IMAGE_THREAD_TITLE,
                                       "Photos from the duty stations, one per reply.")
    thread_id = thread.id
    for i in range(IMAGE_REPLIES):
        author = db.session.get(User, author_ids[i % len(author_ids)])
        upload = uploads.store(author, photo(i, size), f"duty-station-{i + 1}.jpg")
        discussions.reply(author, thread_id,
                          f"Reply {i + 1}: the view from my office.\n\n{markdown_for(upload)}")
    return thread_id


def chat_uploads(user_id: int, count: int) -> list[str]:
    """`count` unattached photos of a member; the Markdown of each (app context)."""
    from forum.extensions import db
    from forum.models import User
    from forum.services import uploads

    user = db.session.get(User, user_id)
    return [markdown_for(uploads.store(user, photo(1000 + i, (1200, 900)), f"chat-{i}.jpg"))
            for i in range(count)]


def image_database(backend: str) -> str:
    """The scratch database of the image thread on a backend (small forum + the thread)."""
    from bench.common import pg_url, sqlite_url

    return sqlite_url("images-small") if backend == "sqlite" else pg_url("bench_images_small")


def prepare_image_database(url: str, uploads_dir: str) -> int:
    """A fresh small forum (bench/generate.py) plus the image thread, its files in
    `uploads_dir` (the server must be given the same UPLOADS_DIR); the thread's id."""
    import shutil

    from bench.common import bench_config
    from bench.generate import SCALES, ensure
    from forum import create_app
    from forum.extensions import db

    ensure(url, SCALES["small"], force=True)  # seconds at this size; files and rows agree
    shutil.rmtree(uploads_dir, ignore_errors=True)
    app = create_app(bench_config(url, ARGON2_FAST=True, UPLOADS_DIR=uploads_dir))
    with app.app_context():
        # Authors in turn, as in the plain thread; not user 2 (the lurker), who never writes.
        thread_id = build_image_thread([1, *range(3, SCALES["small"].users + 1)])
        db.engine.dispose()
    return thread_id
