"""The member directory and find-a-mentor."""

from __future__ import annotations
