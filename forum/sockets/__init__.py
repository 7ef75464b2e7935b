"""Socket.IO entry points. Importing this package registers every handler on `socketio`."""

from forum.sockets import connection  # noqa: F401
