"""Benchmarks 2 (chat vs bare Socket.IO) and 5 (scale-out over Redis).

2: N receivers and one sender in one channel; our full path (session auth, permission check,
   insert, commit, broadcast) ÷ a bare python-socketio broadcast server (bench/ref_socketio.py),
   both on gunicorn.conf.py (gevent). Runs alternate ref / app; the median ratio of p50 and p99.
5: the app on two processes sharing Redis (receivers split across them, the sender on the
   first) ÷ the app on one process without Redis, N=500.
The load is a separate process (bench/chat_load.py), loopback only, bounded in count and time.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

from bench.common import (
    QUICK,
    REDIS_URL,
    WORK,
    Server,
    bench_config,
    forum_server,
    log,
    login_identity,
    median,
    ratio,
    recreate_database,
    run_load_process,
    session_cookie,
)

SIZES = (100, 500)
ROUNDS = 1  # one A/B pair per size: N=500 connects take minutes on a loaded 2-core machine
# Rates below what the app sustains on a loaded 2-core machine: the figure is the latency of a
# message, not the growth of a queue (at 10/s with N=100 the app fell behind: p50 2.6 s).
LOAD = {100: {"rate": 5, "count": 25 if QUICK else 50},
        500: {"rate": 1, "count": 8 if QUICK else 15}}
IMAGES_N = 100  # the size also measured with a photo in every message


def prepare(url: str, people: int) -> list[str]:
    """A chat database: one cohort, `people` members, its channel (id 1); their cookies."""
    from bench.generate import Writer
    from forum import create_app
    from forum.extensions import db
    from forum.lib.passwords import hash_password
    from forum.models import utcnow

    # Long-standing members: the stricter new-member chat tier (automod) is not what we measure.

    recreate_database(url)
    app = create_app(bench_config(url, ARGON2_FAST=True))
    with app.app_context():
        db.create_all()
        now = utcnow() - timedelta(days=365)
        secret = hash_password("not used: sessions are minted")
        writer = Writer(db.engine)
        writer.write("cohorts", [(1, "chat-bench", "Chat bench", "JPO", "", "active", now)])
        writer.write("users", [(u, f"c{u}@example.org", f"c{u}", f"C {u}", secret, "member", 1,
                                "", "", "", "", False, "UTC", now) for u in range(1, people + 1)])
        writer.write("cohort_memberships", [(u, u, 1, "member", now)
                                            for u in range(1, people + 1)])
        writer.write("channels", [(1, "cohort", 1, "general", "c1-general", now)])
        writer.finish()
        db.engine.dispose()
    return [session_cookie(app, u) for u in range(1, people + 1)]


def load(urls: list[str], cookies: list[str], n: int,
         attachments: list[str] | None = None) -> dict:
    """Run the load process once against these servers (messages with `attachments`: the
    Markdown of one uploaded photo each)."""
    spec = {"urls": urls, "cookies": cookies, "channel_id": 1, "n": n, **LOAD[n],
            "attachments": attachments or []}
    return run_load_process("bench.chat_load", spec)


def _summary(runs: list[dict], refs: list[dict]) -> dict:
    p50 = [ratio(r["p50_ms"], f["p50_ms"]) for r, f in zip(runs, refs, strict=True)]
    p99 = [ratio(r["p99_ms"], f["p99_ms"]) for r, f in zip(runs, refs, strict=True)]
    return {
        "p50_ratio": median([x for x in p50 if x is not None]),
        "p99_ratio": median([x for x in p99 if x is not None]),
        "delivery_rate": min(r["delivery_rate"] for r in runs),
        "ref_delivery_rate": min(f["delivery_rate"] for f in refs),
        "app_p50_ms": median([r["p50_ms"] for r in runs]),
        "app_p99_ms": median([r["p99_ms"] for r in runs]),
        "ref_p50_ms": median([f["p50_ms"] for f in refs]),
        "ref_p99_ms": median([f["p99_ms"] for f in refs]),
        "runs": runs, "refs": refs,
    }


def photo_attachments(url: str, uploads_dir: str, count: int) -> list[str]:
    """`count` fresh photos of the sender (user 1), uploaded through the service and not yet
    attached: sending a message that references one attaches it, as from the chat composer."""
    from bench.images import chat_uploads
    from forum import create_app
    from forum.extensions import db

    app = create_app(bench_config(url, ARGON2_FAST=True, UPLOADS_DIR=uploads_dir))
    with app.app_context():
        markdown = chat_uploads(1, count)
        db.engine.dispose()
    return markdown


def run(url: str, scale_out: bool = True) -> dict:
    """Benchmark 2 for N=100 and N=500 (N=100 also with a photo in every message), then
    benchmark 5 (when Redis answers)."""
    cookies = prepare(url, max(SIZES) + 1)
    uploads_dir = str(WORK / "uploads-chat")
    results: dict[str, dict] = {}
    for n in SIZES:
        try:
            results.update(_run_size(url, cookies, uploads_dir, n))
        except Exception as error:  # N=500 may time out on a loaded machine: keep N=100
            log(f"  chat N={n} failed: {error!r}")
            results[f"n{n}_error"] = repr(error)
    if scale_out:
        results["scale_out"] = run_scale_out(url, cookies)
    return results


def _run_size(url: str, cookies: list[str], uploads_dir: str, n: int) -> dict:
    """One size: reference and app runs alternating (and the photo run at IMAGES_N)."""
    results: dict[str, dict] = {}
    runs, refs, with_images = [], [], []
    for r in range(ROUNDS):
        order = ("ref", "app") if r % 2 == 0 else ("app", "ref")
        if n == IMAGES_N:  # plain and image runs next to each other, same reference
            order = (*order, "images")
        for side in order:
            attachments = (photo_attachments(url, uploads_dir, LOAD[n]["count"])
                           if side == "images" else None)
            server = (Server("bench.ref_socketio:app") if side == "ref"
                      else forum_server(url, UPLOADS_DIR=uploads_dir))
            with server:
                got = load([server.url], cookies, n, attachments)
            {"ref": refs, "app": runs, "images": with_images}[side].append(got)
            log(f"  chat N={n} {side}: p50 {got['p50_ms']} p99 {got['p99_ms']} "
                f"delivered {got['delivery_rate']:.2%} acked {got['acked_ok']}")
    results[f"n{n}"] = _summary(runs, refs)
    if with_images:
        images = _summary(with_images, refs)
        plain = _summary(with_images, runs)
        images.update({"vs_plain_p50_ratio": plain["p50_ratio"],
                       "vs_plain_p99_ratio": plain["p99_ratio"]})
        results[f"n{n}_images"] = images
    return results


def run_scale_out(url: str, cookies: list[str], n: int = 500) -> dict:
    """Two processes over Redis ÷ one process without Redis (same database, same load)."""
    from bench.common import redis_available

    if not redis_available():
        return {"status": "skipped: Redis not reachable"}
    channel = f"commons-bench-{os.getpid()}"
    multi, single = [], []
    for r in range(ROUNDS):
        order = ("single", "multi") if r % 2 == 0 else ("multi", "single")
        for side in order:
            if side == "single":
                with forum_server(url) as one:
                    got = load([one.url], cookies, n)
                single.append(got)
            else:
                env = {"REDIS_URL": REDIS_URL, "BENCH_SOCKETIO_CHANNEL": channel,
                       "BENCH_REDIS_PREFIX": f"{channel}:"}
                with forum_server(url, **env) as a, forum_server(url, **env) as b:
                    got = load([a.url, b.url], cookies, n)
                multi.append(got)
            log(f"  scale-out {side}: p50 {got['p50_ms']} p99 {got['p99_ms']} "
                f"delivered {got['delivery_rate']:.2%}")
    summary = _summary(multi, single)
    return {"p50_ratio": summary["p50_ratio"], "p99_ratio": summary["p99_ratio"],
            "delivery_rate": summary["delivery_rate"],
            "single_delivery_rate": summary["ref_delivery_rate"],
            "two_processes_p50_ms": summary["app_p50_ms"],
            "one_process_p50_ms": summary["ref_p50_ms"],
            "two_processes_p99_ms": summary["app_p99_ms"],
            "one_process_p99_ms": summary["ref_p99_ms"], "runs": multi, "singles": single}


# --------------------------------------------------------------------------- CPU per message


def cpu_per_message(url: str, members: int, count: int = 50, rounds: int = 5) -> dict:
    """In-process cost of one `message:send`, independent of machine load: function calls and
    SQL statements per message (exact), and CPU time (time.process_time, the best of `rounds`).

    The event goes through the Flask-SocketIO test client (session auth, the handler, the
    broadcast to `members` joined sockets: the test client's own delivery is part of the CPU at
    large N, equally before and after a change). `python -m bench.chat cpu --members 100`.
    """
    import cProfile
    import pstats
    import time

    from sqlalchemy import event

    from forum import create_app
    from forum.extensions import db, socketio

    prepare(url, members)
    app = create_app(bench_config(url, ARGON2_FAST=True))
    sockets = []
    for user_id in range(1, members + 1):
        client = app.test_client()
        with client.session_transaction() as session:
            session.update({"_user_id": login_identity(app, user_id), "_fresh": True})
        sock = socketio.test_client(app, flask_test_client=client)
        assert sock.emit("channel:join", {"channel_id": 1}, callback=True)["ok"]
        sockets.append(sock)
    sender = sockets[0]
    sent = iter(range(10**9))

    def send(n: int) -> None:
        for _ in range(n):
            ack = sender.emit("message:send", {
                "channel_id": 1, "client_id": f"cpu-{next(sent)}",
                "body": "Benchmark message — hello, cohort!"}, callback=True)
            assert ack["ok"], ack
        for sock in sockets:
            sock.get_received()

    send(5)  # templates and SQL compiled, connections open
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    send(count)
    profile.disable()
    event.remove(engine, "before_cursor_execute", listener)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        send(count)
        best = min(best, time.process_time() - started)
    for sock in sockets:
        sock.disconnect()
    with app.app_context():
        db.engine.dispose()
    return {"members": members, "cpu_ms": round(best / count * 1000, 2),
            "calls": round(pstats.Stats(profile).total_calls / count),
            "statements": round(len(statements) / count, 2)}


if __name__ == "__main__":
    import argparse

    from bench.common import pg_available, pg_url, sqlite_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["cpu"])
    parser.add_argument("--members", type=int, nargs="+", default=[1, 100])
    args = parser.parse_args()
    urls = {"sqlite": sqlite_url("chat-cpu")}
    if pg_available():
        urls["postgresql"] = pg_url("bench_chat_cpu")
    for backend, db_url in urls.items():
        for n in args.members:
            print(backend, json.dumps(cpu_per_message(db_url, n)), flush=True)
