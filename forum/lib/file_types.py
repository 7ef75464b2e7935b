"""What an uploaded file really is, read from its bytes (magic numbers), never from its name
or the browser's MIME type; and whether its name agrees.

Only the allowlisted kinds pass: pictures Pillow can re-encode, PDF, Office and OpenDocument
files, and plain text. HTML, SVG, scripts and executables never do, whatever they are called.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class FileType:
    """An allowlisted type: its MIME type, the extensions it may carry, picture or document."""

    content_type: str
    extensions: frozenset[str]
    is_image: bool = False


PNG = FileType("image/png", frozenset({"png"}), True)
JPEG = FileType("image/jpeg", frozenset({"jpg", "jpeg", "jfif"}), True)
GIF = FileType("image/gif", frozenset({"gif"}), True)
WEBP = FileType("image/webp", frozenset({"webp"}), True)
PDF = FileType("application/pdf", frozenset({"pdf"}))
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                frozenset({"docx"}))
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                frozenset({"xlsx"}))
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                frozenset({"pptx"}))
ODT = FileType("application/vnd.oasis.opendocument.text", frozenset({"odt"}))
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", frozenset({"ods"}))
ODP = FileType("application/vnd.oasis.opendocument.presentation", frozenset({"odp"}))
OLE = FileType("application/octet-stream", frozenset({"doc", "xls", "ppt"}))  # legacy Office
TEXT = FileType("text/plain", frozenset({"txt", "csv", "md"}))

_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}
# A text that a browser would sniff as markup is refused, even served as text/plain.
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body",
                  b"<iframe")


def extension(filename: str) -> str:
    """The lower-cased last extension of a file name, without the dot ("" when none)."""
    return PurePosixPath(filename).suffix.lower().lstrip(".")


def _zip_type(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None


def _looks_like_text(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # a character cut at the 8 KB boundary is fine
            return False
    return not head.lstrip().lower().startswith(_MARKUP_STARTS)


def sniff(data: bytes) -> FileType | None:
    """The allowlisted type these bytes are, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if data and _looks_like_text(data):
        return TEXT
    return None


def allowed_type(data: bytes, filename: str) -> FileType | None:
    """The file's type when it is allowlisted AND its extension says the same, else None.

    A picture's extension is not trusted either way, but it must agree: "photo.png" that is
    really HTML, or a PDF named ".jpg", is refused rather than guessed.
    """
    kind = sniff(data)
    if kind is None or extension(filename) not in kind.extensions:
        return None
    return kind
