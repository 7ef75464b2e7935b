"""At most 16 packets in one long-polling answer: what every python-engineio client accepts.

python-engineio's client refuses a polling payload of more than 16 packets
(`engineio.payload.Payload.max_decode_packets`, a guard against floods): it raises "Too many
packets in payload", drops the connection as a transport error and reconnects. The server side
of the same library sends whatever its queue holds in one answer. When a burst reaches a
polling socket faster than it polls — every client rejoining its channels after the message
queue came back, each join a presence list to the whole room — the queue holds more than 16
and every polling Python client dropped at once; their reconnects rejoined and sent more
presence lists, so the next polls overflowed too (the fault suite counted 36-59 reconnects per
Redis outage, all on polling or, in the cascade, on a saturated machine). Browsers'
engine.io-client has no such limit, but API-token clients use python-socketio.

Answering at most 16 packets per poll keeps every client connected: the rest stays queued, in
order, and goes with the client's next poll, which it sends as soon as one returns. Websocket
writes drain the same queue in batches of the same size, unchanged on the wire.
"""

from __future__ import annotations

from engineio import exceptions, payload
from engineio import socket as engineio_socket

MAX_PACKETS = payload.Payload.max_decode_packets  # 16 in python-engineio 4.x


def bounded_poll(self: engineio_socket.Socket) -> list:
    """engineio.socket.Socket.poll, but at most MAX_PACKETS packets per call (order kept)."""
    queue_empty = self.server.get_queue_empty_exception()
    try:
        packets = [self.queue.get(timeout=self.server.ping_interval + self.server.ping_timeout)]
        self.queue.task_done()
    except queue_empty:
        raise exceptions.QueueEmpty() from None
    if packets == [None]:  # the socket is closing
        return []
    while len(packets) < MAX_PACKETS:
        try:
            pkt = self.queue.get(block=False)
        except queue_empty:
            break
        self.queue.task_done()
        if pkt is None:  # closing: leave the marker for the next poll, as Engine.IO does
            self.queue.put(None)
            break
        packets.append(pkt)
    return packets


def install() -> None:
    """Make every Engine.IO socket of this process answer polls in bounded batches."""
    engineio_socket.Socket.poll = bounded_poll
