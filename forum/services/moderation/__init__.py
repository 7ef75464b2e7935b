"""Moderation use cases: flags, the review queue, actions on content and people, audit."""
