"""What keeps a big photo upload from stalling chat, checked by behaviour, not by timings.

The timings are bench/upload_stall.py's (docs/benchmarks.md, "Uploads and chat"): a progressive
JPEG is encoded by Pillow in one call that holds the GIL, so photos are stored as baseline
JPEGs; upload bodies are read through a stream that yields to other greenlets after each chunk,
which must not change a byte of what is stored.
"""

from __future__ import annotations

import io

from PIL import Image

from forum.lib.offload import CooperativeInput, run_blocking
from tests import discussions_helpers
from tests.api_helpers import token_for
from tests.uploads_helpers import fetch, jpeg_with_location, upload

world = discussions_helpers.world  # the fixture


def test_a_photo_is_stored_as_a_baseline_jpeg_with_its_thumbnail(app, world):
    sent = upload(app, token_for(world.amina), jpeg_with_location(size=(1200, 900)), "big.jpg")
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    for url in (body["url"], body["thumbnail_url"]):
        served = fetch(app, url, token_for(world.amina))
        assert served.status_code == 200
        picture = Image.open(io.BytesIO(served.data))
        assert picture.format == "JPEG"
        assert not picture.info.get("progressive") and not picture.info.get("progression")
    assert (body["width"], body["height"]) == (1200, 900)


def test_an_upload_body_read_cooperatively_is_stored_byte_for_byte(app, world):
    # several chunks of the multipart parser, and a line longer than one of them
    data = "".join(f"line {n}: {'x' * (n % 97)}\n" for n in range(60_000)).encode()
    data += b"y" * 200_000 + b"\n"
    sent = upload(app, token_for(world.amina), data, "notes.txt")
    assert sent.status_code == 201, sent.get_json()
    served = fetch(app, sent.get_json()["url"], token_for(world.amina))
    assert served.data == data


def test_cooperative_input_reads_like_the_stream_it_wraps():
    raw = b"first line\nsecond line\n" + bytes(range(256)) * 300
    stream = CooperativeInput(io.BytesIO(raw))
    assert stream.readline() == b"first line\n"
    buffer = bytearray(12)
    assert stream.readinto(buffer) == 12 and bytes(buffer) == b"second line\n"
    assert stream.read(10) + stream.read() == raw[23:]
    assert stream.read() == b""
    assert list(CooperativeInput(io.BytesIO(b"a\nb\n"))) == [b"a\n", b"b\n"]


def test_outside_gevent_blocking_work_runs_in_the_caller():
    assert run_blocking(sum, [1, 2, 3]) == 6
