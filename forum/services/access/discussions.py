"""Access rules for categories, threads and posts."""

__all__: list[str] = []
