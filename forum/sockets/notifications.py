"""Socket.IO entry points of the notification bell."""

from __future__ import annotations
