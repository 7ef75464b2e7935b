"""The Socket.IO message-queue manager: python-socketio's RedisManager, plus resync.

python-socketio's listener reconnects by itself after a Redis outage, but (1) it backs off
1, 2, 4, 8 … s, so after a 10 s outage it resubscribed about 5 s after Redis was back, and (2)
whatever other processes published meanwhile is gone for good: nobody disconnected, so no
client caught up. This subclass retries every QUEUE_RETRY_SECONDS and, once subscribed again,
calls `on_reconnect` (the app writes its sockets back to Redis) and emits `resync` to this
process's own sockets only; clients then join again from their seq positions and get what
they missed from the database (docs/socket-events.md). Subscribing comes first, so whatever is
published after the resync arrives live and whatever before is in the catch-up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import socketio

from forum.lib.redis_options import fail_fast

log = logging.getLogger(__name__)
QUEUE_RETRY_SECONDS = 1.0


class ResyncingRedisManager(socketio.RedisManager):
    """RedisManager whose listener retries quickly and tells local sockets to resync."""

    def __init__(self, url: str, channel: str,
                 on_reconnect: Callable[[], None] | None = None) -> None:
        # Publishing while Redis is away fails at once (redis-py's default retries took ~4 s
        # per attempt, and python-socketio makes two), so an event's ack is not held up.
        super().__init__(url, channel=channel, redis_options=fail_fast())
        self.on_reconnect = on_reconnect
        self.resyncs = 0  # how many times the listener came back (tests and logs)
        self.down = False  # the listener lost Redis and has not got it back yet

    def _publish(self, data):  # pragma: no cover - runs against Redis
        """Publish, unless the listener knows Redis is down: then the event reaches this
        process's sockets only (emit delivered it locally first) and the others resync later,
        without two connection attempts and two error lines per event."""
        if self.down:
            return None
        return super()._publish(data)

    def _redis_listen_with_retries(self):  # pragma: no cover - runs in the listener task
        lost_at: float | None = None
        while True:
            try:
                self._redis_connect()
                # Our own reference: a failed publish reconnects and replaces self.pubsub.
                pubsub = self.pubsub
                pubsub.subscribe(self.channel)
                if lost_at is not None:
                    self.down = False
                    self._resync(time.monotonic() - lost_at)
                    lost_at = None
                yield from pubsub.listen()
            except Exception as error:
                self.down = True
                if lost_at is None:
                    lost_at = time.monotonic()
                    log.warning("message queue lost (%s): retrying every %.0f s; local "
                                "sockets are still served", error, QUEUE_RETRY_SECONDS)
                time.sleep(QUEUE_RETRY_SECONDS)

    def _resync(self, outage: float) -> None:
        """The queue is back: fix this process's shared state, then ask its sockets to resync."""
        self.resyncs += 1
        if self.on_reconnect is not None:
            try:
                self.on_reconnect()
            except Exception:  # the resync event matters more than the registry rewrite
                log.exception("message queue back: rewriting this process's sockets failed")
        local = len(self.rooms.get("/", {}).get(None, {}))  # room None: every socket
        self.server.emit("resync", {}, namespace="/", ignore_queue=True)
        log.warning("message queue back after %.1f s: %d local sockets asked to resync",
                    outage, local)
