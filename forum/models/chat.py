"""Chat models: channels, members, messages, read state."""

__all__: list[str] = []
