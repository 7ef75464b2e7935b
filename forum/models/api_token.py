"""Personal access tokens for the JSON API and Socket.IO clients."""

from __future__ import annotations

__all__: list[str] = []
