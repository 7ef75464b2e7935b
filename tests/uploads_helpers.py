"""Files for the upload tests (made with Pillow, so each test states what it sends) and an
S3 API server (moto's standalone mode) started once per test worker on a private port."""

from __future__ import annotations

import contextvars
import io
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.support import require

ROOT = Path(__file__).resolve().parent.parent
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_location(size=(64, 48), orientation: int = 1) -> bytes:
    """A JPEG photo whose EXIF holds a camera, a GPS position and an orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (46.0, 12.0, 30.0), 3: "E", 4: (6.0, 8.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(32, 32), colour=(10, 120, 200)) -> bytes:
    """A plain PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    """A minimal PDF (the magic bytes are what is checked)."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages"
            b"/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def fetch(app, url: str, token: str | None = None, **headers):
    """GET a page or file in a fresh context (like a separate request to a server)."""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    client = app.test_client()
    return contextvars.Context().run(client.get, url, headers=headers)


def upload(app, token: str, data: bytes, name: str, path: str = "/api/v1/uploads",
           method: str = "POST"):
    """Send one file as the multipart field `file`."""
    client = app.test_client()
    return contextvars.Context().run(
        client.open, path, method=method, headers={"Authorization": f"Bearer {token}"},
        data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _moto_server() -> str | None:
    for candidate in (os.environ.get("MOTO_SERVER"), str(ROOT / ".venv-s3/bin/moto_server"),
                      shutil.which("moto_server")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 API (moto_server) on a private port, for this test worker."""
    binary = _moto_server()
    require(binary is not None, "moto_server not installed (make test installs .venv-s3)")
    port = _free_port()
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except urllib.error.HTTPError:
            break  # it answers: it is up
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
