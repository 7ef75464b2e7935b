"""Where uploaded files live: a folder (the embedded default) or an S3-compatible object store.

Both hold opaque keys ("ab/abcdef…/original.jpg") and know nothing about who may read them: the
permission check is the caller's (forum/web/files.py). Chosen by configuration:
UPLOADS_S3_BUCKET set → S3 (UPLOADS_S3_ENDPOINT, UPLOADS_S3_REGION, AWS_* credentials or
UPLOADS_S3_ACCESS_KEY/SECRET_KEY); otherwise UPLOADS_DIR (default instance/uploads).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

CHUNK = 64 * 1024


class Storage(Protocol):
    """The few operations uploads need."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""

    def stream(self, key: str) -> Iterator[bytes]:
        """The stored bytes, in chunks (FileNotFoundError when missing)."""

    def delete(self, key: str) -> None:
        """Forget `key` (no error when it is already gone)."""

    def local_path(self, key: str) -> Path | None:
        """The file's path on this machine, when there is one (for X-Accel-Redirect)."""


class LocalStorage:
    """Files under one folder, written atomically (a reader never sees half a file)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:  # keys are ours, but never trust a path
            raise ValueError(f"storage key outside the uploads folder: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write to a temporary name, then rename: atomic on one filesystem."""
        from forum.lib.offload import run_blocking

        # File writes never yield to gevent: megabytes on a busy disk would hold the hub.
        run_blocking(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)

    def stream(self, key: str) -> Iterator[bytes]:
        """Read the file in chunks."""
        handle = self._path(key).open("rb")  # raises FileNotFoundError before the first chunk

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        """Where the file is, for a front server that sends it itself."""
        return self._path(key)


class S3Storage:
    """An S3-compatible bucket through boto3 (AWS, MinIO, Ceph, moto's server in the tests)."""

    def __init__(self, bucket: str, *, endpoint: str | None, region: str | None,
                 access_key: str | None, secret_key: str | None) -> None:
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        # Short timeouts and few retries: a request waiting on a dead store must not pin a
        # worker; the caller answers "unavailable" and the person tries again.
        self.client = boto3.client(
            "s3", endpoint_url=endpoint, region_name=region or "us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=BotoConfig(connect_timeout=3, read_timeout=20,
                              retries={"max_attempts": 2, "mode": "standard"},
                              s3={"addressing_style": "path"}))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """One PUT (files are at most a few MB)."""
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def stream(self, key: str) -> Iterator[bytes]:
        """GET the object and pass its body on in chunks."""
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from error
            raise
        return body.iter_chunks(CHUNK)

    def delete(self, key: str) -> None:
        """DELETE is idempotent on S3."""
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def local_path(self, key: str) -> Path | None:
        """Objects have no local path."""
        return None

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (development and tests)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)


def init_storage(app: Flask) -> None:
    """Build the app's storage from its configuration (once, at start-up)."""
    bucket = app.config.get("UPLOADS_S3_BUCKET")
    if bucket:
        storage: Storage = S3Storage(
            bucket, endpoint=app.config.get("UPLOADS_S3_ENDPOINT"),
            region=app.config.get("UPLOADS_S3_REGION"),
            access_key=app.config.get("UPLOADS_S3_ACCESS_KEY"),
            secret_key=app.config.get("UPLOADS_S3_SECRET_KEY"))
    else:
        storage = LocalStorage(app.config.get("UPLOADS_DIR")
                               or Path(app.instance_path) / "uploads")
    app.extensions["commons_storage"] = storage


def get_storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions["commons_storage"]
