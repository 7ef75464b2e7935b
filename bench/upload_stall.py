"""Does a 10 MB photo upload stall chat for everyone else on the process? (issue 18)

One gunicorn + gevent process (gunicorn.conf.py, the production shape). N chat clients in one
channel send messages at a steady overall rate; send → deliver latency per (message, receiver)
is measured for a baseline period, then while K ~10 MB photos (4000 x 3000 noise JPEG with EXIF and
GPS, made with Pillow) are uploaded at once through `POST /api/v1/uploads` with bearer tokens.
The figures are the ratio of the p50 / p99 / max of messages sent during the uploads to those of
the baseline, measured in the same run, and how many deliveries took more than 1 s.

  python -m bench.upload_stall            # prints the figures as JSON
The load is a separate process (`--load SPEC --out OUT`), loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import tempfile
import time

from bench.common import (
    QUICK,
    USER_AGENT,
    WORK,
    bench_config,
    forum_server,
    log,
    percentile,
    ratio,
    run_load_process,
)

CLIENTS = 20
UPLOADERS = 3  # photos uploaded at once, each by its own member
RATE = 4  # chat messages per second over all clients (each client every 5 s)
BASELINE_SECONDS = 8 if QUICK else 15
WAVES = 1 if QUICK else 2  # rounds of UPLOADERS concurrent uploads, back to back
PHOTO_SIZE = (4000, 3000)
PHOTO_MAX_BYTES = 10 * 2**20  # UPLOAD_MAX_BYTES: the photo must be accepted
SLOW_MS = 1000.0


def make_photo(path: str) -> int:
    """A camera-sized JPEG just under 10 MB: noise (nothing compresses it), EXIF with GPS."""
    from PIL import Image

    if os.path.exists(path) and 9 * 2**20 < os.path.getsize(path) <= PHOTO_MAX_BYTES:
        return os.path.getsize(path)
    width, height = PHOTO_SIZE
    image = Image.frombytes("RGB", PHOTO_SIZE, os.urandom(width * height * 3))
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    exif[0x0112] = 1  # Orientation: upright (exif_transpose still runs)
    exif[0x8825] = {1: "N", 2: (46.0, 12.0, 0.0), 3: "E", 4: (6.0, 8.0, 0.0)}  # GPS: Geneva
    for quality in (90, 88, 86, 84, 80, 75):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, exif=exif)
        if len(out.getvalue()) <= PHOTO_MAX_BYTES - 64 * 1024:
            break
    with open(path, "wb") as f:
        f.write(out.getvalue())
    return len(out.getvalue())


def _stats(values: list[float]) -> dict:
    return {"count": len(values),
            "p50_ms": round(percentile(values, 50), 2) if values else None,
            "p99_ms": round(percentile(values, 99), 2) if values else None,
            "max_ms": round(max(values), 2) if values else None,
            "over_1s": sum(1 for v in values if v > SLOW_MS)}


# --------------------------------------------------------------------------- load process


async def _load(spec: dict) -> dict:
    """Connect N clients, chat at RATE for the baseline, then upload while chatting."""
    import aiohttp
    import socketio

    url, cookies, channel_id = spec["url"], spec["cookies"], spec["channel_id"]
    n, rate = len(cookies), spec["rate"]
    with open(spec["photo"], "rb") as f:
        photo = f.read()
    sent_at: dict[str, float] = {}
    deliveries: list[tuple[float, float]] = []  # (sent at, latency ms)

    async def on_message(data):
        started = sent_at.get(data.get("client_id"))
        if started is not None:
            deliveries.append((started, (time.monotonic() - started) * 1000))

    clients = []
    for cookie in cookies:
        client = socketio.AsyncClient(reconnection=False)
        client.on("message:new", on_message)
        await client.connect(url, transports=["websocket"], wait_timeout=20,
                             headers={"Cookie": cookie, "User-Agent": USER_AGENT})
        clients.append(client)
    for client in clients:
        ack = await client.call("channel:join", {"channel_id": channel_id}, timeout=60)
        assert ack.get("ok"), ack
    await asyncio.sleep(2 + n / 100)  # presence lists of the joins pass first
    # One untimed message per client: the first send compiles templates and SQL, and each
    # client's first event loads its session; neither is what the baseline is about.
    for i, client in enumerate(clients):
        await client.call("message:send", {"channel_id": channel_id, "client_id": f"warm-{i}",
                                           "body": "Warm-up"}, timeout=30)
    await asyncio.sleep(1)

    tag = str(int(time.time() * 1000))
    acks: list[dict] = []
    stop = asyncio.Event()

    async def chat() -> int:
        # A fixed schedule: a stalled server makes latency grow, it does not slow the senders.
        k, begin = 0, time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(max(0.0, begin + k / rate - time.monotonic()))
            client_id = f"stall-{tag}-{k}"
            sent_at[client_id] = time.monotonic()
            await clients[k % n].emit("message:send", {
                "channel_id": channel_id, "client_id": client_id,
                "body": f"Stall check {k}: hello, cohort!"}, callback=acks.append)
            k += 1
        return k

    async def upload(session, token: str) -> dict:
        form = aiohttp.FormData()
        form.add_field("file", photo, filename="duty-station.jpg", content_type="image/jpeg")
        started = time.monotonic()
        async with session.post(url + "/api/v1/uploads", data=form, headers={
                "Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}) as response:
            body = await response.json(content_type=None)
        return {"status": response.status, "seconds": round(time.monotonic() - started, 2),
                "size": body.get("size"), "error": body.get("error")}

    sender = asyncio.create_task(chat())
    await asyncio.sleep(spec["baseline_seconds"])
    uploads_start = time.monotonic()
    results = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for _wave in range(spec["waves"]):
            results += await asyncio.gather(*[upload(session, t) for t in spec["tokens"]])
    uploads_end = time.monotonic()
    await asyncio.sleep(0.5)
    stop.set()
    sent = await sender
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(deliveries) < sent * n:
        await asyncio.sleep(0.05)
    await asyncio.gather(*[c.disconnect() for c in clients], return_exceptions=True)
    baseline = [ms for at, ms in deliveries if at < uploads_start]
    during = [ms for at, ms in deliveries if uploads_start <= at <= uploads_end]
    return {"clients": n, "rate": rate, "sent": sent, "delivered": len(deliveries),
            "delivery_rate": round(len(deliveries) / (sent * n), 4) if sent else None,
            "acked_ok": sum(1 for a in acks if a.get("ok")),
            "baseline": _stats(baseline), "during_uploads": _stats(during),
            "uploads_seconds": round(uploads_end - uploads_start, 2), "uploads": results}


# --------------------------------------------------------------------------- orchestration


def _tokens(url: str, user_ids: list[int]) -> list[str]:
    from forum import create_app
    from forum.extensions import db
    from forum.models import User
    from forum.services import api_tokens

    app = create_app(bench_config(url, ARGON2_FAST=True))
    with app.app_context():
        secrets = [api_tokens.create_token(db.session.get(User, u), "stall bench", "write").secret
                   for u in user_ids]
        db.engine.dispose()
    return secrets


def run(url: str) -> dict:
    """Prepare the database, start one server, run the load; the figures."""
    from bench.chat import prepare

    cookies = prepare(url, CLIENTS + UPLOADERS)
    tokens = _tokens(url, list(range(CLIENTS + 1, CLIENTS + UPLOADERS + 1)))
    photo = str(WORK / "stall-photo.jpg")
    WORK.mkdir(parents=True, exist_ok=True)
    size = make_photo(photo)
    spec = {"cookies": cookies[:CLIENTS], "tokens": tokens, "channel_id": 1, "rate": RATE,
            "photo": photo, "baseline_seconds": BASELINE_SECONDS, "waves": WAVES}
    with tempfile.TemporaryDirectory() as uploads_dir, \
            forum_server(url, UPLOADS_DIR=uploads_dir) as server:
        spec["url"] = server.url
        got = run_load_process("bench.upload_stall", spec, spec_flag="--load")
    base, during = got["baseline"], got["during_uploads"]
    got.update({
        "photo_bytes": size,
        "p50_ratio": ratio(during["p50_ms"], base["p50_ms"]),
        "p99_ratio": ratio(during["p99_ms"], base["p99_ms"]),
        "max_ratio": ratio(during["max_ms"], base["max_ms"]),
        "uploads_ok": sum(1 for u in got["uploads"] if u["status"] == 201),
    })
    log(f"  stall: baseline p50 {base['p50_ms']} p99 {base['p99_ms']} max {base['max_ms']} ms; "
        f"during {during['p50_ms']} / {during['p99_ms']} / {during['max_ms']} ms "
        f"({during['over_1s']} over 1 s); uploads {got['uploads_ok']}/{len(got['uploads'])} "
        f"in {got['uploads_seconds']} s")
    return got


def main() -> None:
    """`--load SPEC --out OUT`: the load process; no arguments: the whole measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load")
    parser.add_argument("--out")
    parser.add_argument("--url", help="database (default: PostgreSQL bench_stall, else SQLite)")
    args = parser.parse_args()
    if args.load:
        with open(args.load) as f:
            spec = json.load(f)
        result = asyncio.run(asyncio.wait_for(_load(spec), timeout=240))
        with open(args.out, "w") as f:
            json.dump(result, f)
        return
    from bench.common import pg_available, pg_url, sqlite_url

    url = args.url or (pg_url("bench_stall") if pg_available() else sqlite_url("stall"))
    print(json.dumps(run(url), indent=2))


if __name__ == "__main__":
    main()
