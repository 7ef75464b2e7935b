"""Socket.IO entry points for moderators (hide a chat message live, ...)."""

from __future__ import annotations
