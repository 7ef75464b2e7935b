"""Pictures made safe to serve: decoded with bounds, re-encoded without metadata.

Re-encoding drops EXIF (camera, time and the GPS position of a photo taken at home), XMP and text
chunks, after turning the picture upright by its EXIF orientation. Only the colour profile is
kept. A picture whose header claims more pixels than allowed is refused before decoding, so a
small "decompression bomb" file cannot take the server's memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FRAMES = 300  # an animated GIF longer than this keeps its first frame only
THUMBNAIL_SIZE = (800, 800)
# Baseline (not progressive) JPEG: Pillow encodes a progressive JPEG into memory in one call
# that holds the GIL — 3.8 s for a 12-megapixel photo here, during which the gevent hub of the
# process could not run, whatever thread did it (bench/upload_stall.py) — and at ten times the
# CPU of a baseline one.
_SAVE = {"JPEG": {"quality": 85, "optimize": False, "progressive": False},
         "PNG": {"optimize": False}, "WEBP": {"quality": 85}, "GIF": {}}


class ImageRefused(ValueError):
    """Why a picture cannot be stored; `code` names the rule (too_many_pixels, unreadable)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class CleanImage:
    """A re-encoded picture, its thumbnail (None when the picture is already small) and size."""

    data: bytes
    width: int
    height: int
    thumbnail: bytes | None


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ImageRefused("unreadable") from error
    width, height = image.size
    if width * height > max_pixels or max(width, height) > 20000:
        raise ImageRefused("too_many_pixels")
    return image


def _save(image: Image.Image, fmt: str, **extra) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **_SAVE[fmt], **extra)
    return out.getvalue()


def _encodable(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    if fmt in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        return image.convert("RGBA")
    return image


def _reencode_animation(image: Image.Image) -> bytes:
    frames, durations = [], []
    for index in range(min(image.n_frames, MAX_FRAMES)):
        image.seek(index)
        frames.append(image.convert("RGBA"))
        durations.append(image.info.get("duration", 100))
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=image.info.get("loop", 0), disposal=2)
    return out.getvalue()


def clean_image(data: bytes, fmt: str, max_pixels: int) -> CleanImage:
    """Decode `data` (a PNG, JPEG, GIF or WEBP by its magic bytes) and re-encode it clean."""
    image = _open(data, max_pixels)
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ImageRefused("unreadable") from error
    icc = image.info.get("icc_profile")
    if fmt == "GIF" and getattr(image, "n_frames", 1) > 1:
        body = _reencode_animation(image)
        image.seek(0)
        upright = image.convert("RGBA")
    else:
        upright = ImageOps.exif_transpose(image)  # then EXIF itself is not written again
        extra = {"icc_profile": icc} if icc and fmt in ("JPEG", "PNG", "WEBP") else {}
        body = _save(_encodable(upright, fmt), fmt, **extra)
    width, height = upright.size
    thumbnail = None
    if width > THUMBNAIL_SIZE[0] or height > THUMBNAIL_SIZE[1]:
        small = upright.copy()
        small.thumbnail(THUMBNAIL_SIZE)
        thumb_format = "PNG" if fmt == "GIF" else fmt
        thumbnail = _save(_encodable(small, thumb_format), thumb_format)
    return CleanImage(body, width, height, thumbnail)


def square(data: bytes, size: int, box: tuple[int, int, int] | None = None) -> CleanImage:
    """Crop an already cleaned picture to a `size` square (avatars): the `box` (left, top, side,
    in the upright picture's pixels, checked by the caller to lie inside it), else the centre."""
    image = Image.open(io.BytesIO(data))
    fmt = image.format if image.format in ("PNG", "JPEG", "WEBP") else "PNG"
    image = image.convert("RGBA" if fmt == "PNG" else "RGB")
    if box is None:
        cropped = ImageOps.fit(image, (size, size))
    else:
        left, top, side = box
        cropped = image.resize((size, size), Image.Resampling.LANCZOS,
                               box=(left, top, left + side, top + side))
    return CleanImage(_save(cropped, fmt), size, size, None)
