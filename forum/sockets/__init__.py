"""Socket.IO entry points. Importing this package registers every handler on `socketio`."""

from forum.extensions import socketio as _socketio
from forum.sockets import chat as chat  # re-export form: one line per area, isort-stable
from forum.sockets import chat_threads as chat_threads  # re-export form
from forum.sockets import connection  # noqa: F401
from forum.sockets import home as home  # re-export form
from forum.sockets import moderation as moderation  # re-export form
from forum.sockets import notifications as notifications  # re-export form
from forum.sockets import payloads as payloads  # re-export form
from forum.sockets import threads as threads  # re-export form: one line per area, isort-stable
from forum.sockets.acks import error_ack as error_ack

# Every event of every area (threads, notifications, chat) answers even when its handler
# raised: a database outage is a retryable `unavailable` ack, never a silent client timeout.
_socketio.on_error_default(error_ack)
