"""Socket.IO entry points. Importing this package registers every handler on `socketio`."""

from forum.sockets import chat as chat  # re-export form: one line per area, isort-stable
from forum.sockets import connection  # noqa: F401
from forum.sockets import home as home  # re-export form
from forum.sockets import moderation as moderation  # re-export form
from forum.sockets import notifications as notifications  # re-export form
from forum.sockets import threads as threads  # re-export form: one line per area, isort-stable
