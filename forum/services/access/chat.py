"""Access rules for channels and messages."""

__all__: list[str] = []
