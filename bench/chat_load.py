"""The chat load process: N python-socketio AsyncClients in one channel, one sender at a rate.

Run by bench/chat.py as a separate process (never inside a server):
  python -m bench.chat_load --spec spec.json --out result.json
spec: {"urls": [...], "cookies": [...], "channel_id": 1, "rate": 10, "count": 100,
       "attachments": [markdown, ...]}  (optional: message k carries attachments[k])
Receiver i connects to urls[i % len(urls)] with cookies[i + 1]; the sender (cookies[0]) to
urls[0]. Latency is send → receive on this process's monotonic clock, per (message, receiver).
Bounded: connection count from the spec, every wait has a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import socketio

from bench.common import USER_AGENT, percentile

CONNECT_CONCURRENCY = 25
DRAIN_SECONDS = 15
SETTLE_SECONDS = 3


async def _connect(url: str, cookie: str, on_message, limit: asyncio.Semaphore):
    client = socketio.AsyncClient(reconnection=False)
    if on_message is not None:
        client.on("message:new", on_message)
    async with limit:
        await client.connect(url, transports=["websocket"], wait_timeout=20,
                             headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    return client


async def run(spec: dict) -> dict:
    """Connect, join, send `count` messages at `rate`/s, wait for delivery; the figures."""
    urls, cookies, channel_id = spec["urls"], spec["cookies"], spec["channel_id"]
    n, rate, count = spec["n"], spec["rate"], spec["count"]
    bodies = spec.get("attachments") or []
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    received = [0] * n
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    def receiver(i: int):
        async def on_message(data):
            now = time.monotonic()
            started = sent_at.get(data.get("client_id"))
            if started is not None:
                latencies.append((now - started) * 1000)
                received[i] += 1
        return on_message

    started = time.monotonic()
    clients = await asyncio.gather(*[
        _connect(urls[i % len(urls)], cookies[i + 1], receiver(i), limit) for i in range(n)])
    sender = await _connect(urls[0], cookies[0], None, limit)
    # The sender joins like a fresh page (newest history in the ack); receivers join like the
    # chat page does after loading that history over HTTP: with the last id they have seen.
    first = await sender.call("channel:join", {"channel_id": channel_id}, timeout=60)
    last_id = max([m["id"] for m in first.get("messages", [])], default=0)
    # Joins at most CONNECT_CONCURRENCY at a time: 500 joins at once queued on the server's
    # database pool (then 5 + 10 connections, now DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW)
    # past its timeout on this machine; a join storm is its own problem (docs/benchmarks.md),
    # not the message latency measured here.
    async def join(client):
        async with limit:
            try:
                return await client.call(
                    "channel:join", {"channel_id": channel_id, "last_id": last_id}, timeout=90)
            except Exception as error:  # a dropped or timed-out socket: counted, not fatal
                return {"ok": False, "error": repr(error)}

    joins = await asyncio.gather(*[join(c) for c in clients])
    failed = [j for j in joins if not j.get("ok")]
    connect_seconds = time.monotonic() - started
    # Joins announce presence to the room (N x N events): let that storm pass before measuring,
    # including the last coalesced list (the app waits 1 s per 100 sockets in big rooms).
    await asyncio.sleep(SETTLE_SECONDS + n / 100)

    tag = f"{int(time.time() * 1000)}"
    # One untimed message first, on both servers: the first send after a start compiles
    # templates and SQL and opens connections (hundreds of ms on a loaded machine). With 25
    # messages it alone would be the p99; the figure is the latency of a message in steady
    # state. Its cost is reported beside the figures (warmup_ms).
    warm_started = time.monotonic()
    try:
        warm = await sender.call("message:send", {
            "channel_id": channel_id, "client_id": f"bench-{tag}-warm",
            "body": "Warm-up message"}, timeout=30)
    except Exception as error:  # reported, not fatal: the timed messages still run
        warm = {"ok": False, "error": repr(error)}
    warmup_ms = round((time.monotonic() - warm_started) * 1000, 1)
    await asyncio.sleep(0.5)  # its broadcast drains before the clock starts

    acks: list[dict] = []

    def on_ack(data):
        acks.append(data)

    interval = 1 / rate
    begin = time.monotonic()
    for k in range(count):
        # A fixed schedule: a slow server makes latency grow instead of slowing the sender.
        await asyncio.sleep(max(0.0, begin + k * interval - time.monotonic()))
        client_id = f"bench-{tag}-{k}"
        sent_at[client_id] = time.monotonic()
        body = f"Benchmark message {k} — hello, cohort!"
        if bodies:  # the image run: each message carries its own uploaded photo
            body = f"{body}\n\n{bodies[k % len(bodies)]}"
        await sender.emit("message:send", {"channel_id": channel_id, "client_id": client_id,
                                           "body": body}, callback=on_ack)
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and (sum(received) < n * count or len(acks) < count):
        await asyncio.sleep(0.05)
    ok_acks = sum(1 for a in acks if a.get("ok"))
    await asyncio.gather(*[c.disconnect() for c in [*clients, sender]],
                         return_exceptions=True)
    return {
        "n": n, "rate": rate, "count": count, "acked_ok": ok_acks,
        "errors": [a for a in acks if not a.get("ok")][:3],
        "delivered": sum(received), "expected": n * count,
        "delivery_rate": round(sum(received) / (n * count), 4),
        "p50_ms": round(percentile(latencies, 50), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 2) if latencies else None,
        "connect_seconds": round(connect_seconds, 1),
        "joins_failed": len(failed), "join_error": failed[0] if failed else None,
        "warmup_ms": warmup_ms, "warmup_ok": bool(warm.get("ok")),
    }


def main() -> None:
    """Command line entry: read the spec, write the result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    result = asyncio.run(asyncio.wait_for(run(spec), timeout=spec.get("timeout", 240)))
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
