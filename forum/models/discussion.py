"""Discussion models: categories, threads, posts, reactions, read state."""

__all__: list[str] = []
