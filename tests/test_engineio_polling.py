"""A burst to a long-polling socket reaches a Python client whole, in order, and keeps it connected.

python-engineio's client refuses a polling answer of more than 16 packets ("Too many packets in
payload") and drops the connection; the server used to answer with its whole queue. After a
Redis outage every client rejoined at once and each join sent a presence list to the room: every
polling Python client dropped (forum/lib/polling_batches.py).
"""

from __future__ import annotations

from engineio.payload import Payload

from forum.extensions import socketio

POLLING = "/socket.io/?EIO=4&transport=polling"


def test_a_burst_of_40_reaches_a_polling_client_in_answers_it_accepts(client):
    sid = client.get(POLLING).get_data(as_text=True).split('"sid":"')[1].split('"')[0]
    for n in range(40):  # queued faster than the client polls
        socketio.server.eio.send(sid, f"burst {n}")

    received, answers = [], 0
    while len(received) < 40:
        answer = client.get(f"{POLLING}&sid={sid}")
        assert answer.status_code == 200
        # What python-engineio's client does with the answer (raises on more than 16 packets).
        packets = Payload(encoded_payload=answer.get_data(as_text=True)).packets
        received += [p.data for p in packets]
        answers += 1
        assert answers <= 3, "the burst did not arrive"
    assert received == [f"burst {n}" for n in range(40)]  # all of it, in order, once
    assert answers == 3  # 16 + 16 + 8
    assert sid in socketio.server.eio.sockets  # still connected
