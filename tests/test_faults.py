"""Fault injection: chat in its production shape loses nothing while a process, Redis and
PostgreSQL fail (issue 20, "Prove it").

Its own Redis and PostgreSQL on private ports (stopping them disturbs nothing else), two
gunicorn + gevent processes, CLIENTS python-socketio clients (half websocket, half polling, half
on each process) that all read two channels, SENDERS of them sending. Then: kill -9 one process
and restart it; stop Redis 10 s; stop PostgreSQL 10 s. The clients follow the documented
algorithm (docs/socket-events.md, "Client algorithm"). After a final catch-up:

- every client holds exactly the database's messages of its channels, each delivered once;
- no duplicate rows; every send ended with an ok ack (retries use the same client_id);
- every ack came within its timeout while the socket stayed connected (ok or retryable);
- the processes recovered without a restart; presence names exactly the connected people.

Recovery times are printed (docs/benchmarks.md). `pytest -m faults -s` runs it alone.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import func, select

from forum import create_app
from forum.extensions import db
from forum.models import Channel, Message
from forum.models.search import install_search_index
from tests import chat_helpers, factories
from tests.fault_servers import (
    PostgresServer,
    RedisServer,
    kill_tree,
    postgres_available,
    redis_available,
)
from tests.live import LiveServer
from tests.support import require

pytestmark = [pytest.mark.faults, pytest.mark.live]

CLIENTS = 50
SENDERS = 10
SEND_EVERY = 0.4  # seconds between two messages of one sender
ACK_TIMEOUT = 10.0
PING_INTERVAL = PING_TIMEOUT = 5  # the servers' Engine.IO heartbeat in this suite
PING_GRACE = PING_INTERVAL + PING_TIMEOUT + 2  # a client notices a dead server within this
OUTAGE = 10.0  # seconds Redis, then PostgreSQL, stay down
RETRYABLE = {"unavailable", "server_error", "rate_limited"}
REDIS_PHASE_DROPS = 2  # of CLIENTS, from a Redis stop until every client caught up after it


# --------------------------------------------------------------------------- a reference client


@dataclass
class Member:
    """A client following the documented algorithm: positions by seq, paging, gap filling."""

    name: str
    url: str
    token: str
    transport: str
    channels: list[int]
    position: dict[int, int] = field(default_factory=dict)
    held: dict[int, set[int]] = field(default_factory=dict)
    delivered: dict[int, Counter] = field(default_factory=dict)  # channel → id → times
    resyncs: int = 0
    connects: int = 0
    connected_at: float = 0.0
    synced_at: float = 0.0  # when the last full sync finished
    unanswered: list[float] = field(default_factory=list)  # start times of calls that timed out
    disconnected_at: list[float] = field(default_factory=list)
    drops: list[tuple[float, str]] = field(default_factory=list)  # when, and Engine.IO's reason

    def __post_init__(self) -> None:
        import socketio

        for cid in self.channels:
            self.position[cid], self.held[cid], self.delivered[cid] = 0, set(), Counter()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopped = False
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5,
                                   reconnection_delay_max=2, randomization_factor=0.3)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("resync", self._on_resync)
        self.sio.on("message:new", self._on_new)
        self.needs_sync = True
        self.worker = threading.Thread(target=self._work, daemon=True)

    def start(self) -> None:
        """Connect (retrying) and start the sync worker."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sio.connect(self.url, auth={"token": self.token},
                                 transports=[self.transport], wait_timeout=10)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.worker.start()

    def _on_connect(self) -> None:
        self.connects += 1
        self.connected_at = time.monotonic()
        self.needs_sync = True
        self.wake.set()

    def _on_disconnect(self, *reason) -> None:
        self.disconnected_at.append(time.monotonic())
        self.drops.append((time.monotonic(), str(reason[0]) if reason else "?"))

    @property
    def missing_acks(self) -> int:
        """Calls unanswered on a connection that stayed up: a dead connection (a killed process)
        is only noticed by the client after the ping interval and timeout, so a timed-out call
        followed by a disconnect within that grace was not lost by a live server."""
        return sum(1 for started in self.unanswered
                   if not any(started <= t <= started + ACK_TIMEOUT + PING_GRACE
                              for t in self.disconnected_at))

    def _on_resync(self, _data=None) -> None:
        self.resyncs += 1
        self.needs_sync = True
        self.wake.set()

    def _on_new(self, message: dict) -> None:
        self._deliver(message["channel_id"], [message])
        if self.held[message["channel_id"]]:
            self.wake.set()  # a gap: the worker fills it

    def _deliver(self, cid: int, messages: list[dict]) -> None:
        with self.lock:
            for m in messages:
                if m["seq"] <= self.position[cid] or m["seq"] in self.held[cid]:
                    continue  # already have it (live and in a catch-up): de-duplicated
                self.held[cid].add(m["seq"])
                self.delivered[cid][m["id"]] += 1
            while self.position[cid] + 1 in self.held[cid]:
                self.held[cid].discard(self.position[cid] + 1)
                self.position[cid] += 1

    def call(self, event: str, payload: dict) -> dict | None:
        """An ack, or None after ACK_TIMEOUT (counted as missing if the socket stayed up)."""
        connects, started = self.connects, time.monotonic()
        try:
            return self.sio.call(event, payload, timeout=ACK_TIMEOUT)
        except Exception:
            if self.sio.connected and self.connects == connects:
                self.unanswered.append(started)
            return None

    def sync(self, cid: int, event: str = "channel:join") -> bool:
        """Catch up on one channel from its position until has_more is false."""
        delay = 0.5
        while not self.stopped:
            if not self.sio.connected:
                return False
            ack = self.call(event, {"channel_id": cid, "after_seq": self.position[cid]})
            if ack and ack.get("ok"):
                self._deliver(cid, ack["messages"])
                with self.lock:
                    self.position[cid] = max(self.position[cid], ack["last_seq"])
                    self.held[cid] = {s for s in self.held[cid] if s > self.position[cid]}
                if not ack["has_more"]:
                    return True
                event = "channel:since"
                continue
            if ack and ack["error"]["code"] not in RETRYABLE:
                raise AssertionError(f"{self.name}: {event} refused: {ack}")
            time.sleep(delay)
            delay = min(delay * 2, 4)
        return False

    def _work(self) -> None:
        while not self.stopped:
            self.wake.wait(0.5)
            self.wake.clear()
            if self.needs_sync:
                self.needs_sync = False
                if all(self.sync(cid) for cid in self.channels):
                    self.synced_at = time.monotonic()
                else:
                    self.needs_sync = True
            for cid in self.channels:
                if self.held[cid]:
                    self.sync(cid, "channel:since")

    def stop(self) -> None:
        """Stop the worker and disconnect."""
        self.stopped = True
        self.wake.set()
        self.sio.disconnect()


@dataclass
class SendLog:
    """What every send attempt got."""

    ok: dict[str, dict] = field(default_factory=dict)  # client_id → stored message
    errors: Counter = field(default_factory=Counter)
    attempts: int = 0
    ok_times: list[float] = field(default_factory=list)  # when each ok ack came


def sender(member: Member, log: SendLog, stop: threading.Event, lock: threading.Lock) -> None:
    """Send a numbered message every SEND_EVERY s; retry each with its client_id until ok."""
    n = 0
    while not stop.is_set():
        n += 1
        client_id = f"{member.name}-{n}"
        cid = member.channels[n % len(member.channels)]
        while True:  # until this message is stored and acknowledged
            if not member.sio.connected:
                time.sleep(0.2)
                continue
            ack = member.call("message:send", {"channel_id": cid, "body": f"{client_id} says hi",
                                               "client_id": client_id})
            with lock:
                log.attempts += 1
                if ack and ack.get("ok"):
                    log.ok[client_id] = ack["message"]
                    log.ok_times.append(time.monotonic())
                else:
                    log.errors[ack["error"]["code"] if ack else "no ack"] += 1
            if ack and ack.get("ok"):
                member._deliver(cid, [ack["message"]])  # its own message counts as received
                break
            if ack and ack["error"]["code"] not in RETRYABLE:
                raise AssertionError(f"send refused: {ack}")
            time.sleep(0.5)
        time.sleep(SEND_EVERY)
    # (stops between two messages: every message it started was acknowledged ok)


# --------------------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Private Redis + PostgreSQL, the schema, the people and their tokens, two processes."""
    require(redis_available(), "redis-server not installed: fault suite not run")
    require(postgres_available(), "PostgreSQL server binaries not installed: fault suite not run")
    tmp = tmp_path_factory.mktemp("faults")
    redis, pg = RedisServer().start(), PostgresServer().init().start()
    url = pg.create_database("faults")
    config = {
        "SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        "REDIS_URL": redis.url, "RATELIMIT_STORAGE_URI": redis.url,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "SOCKETIO_CHANNEL": "commons-faults", "REDIS_KEY_PREFIX": "commons-faults:",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 10,
                                      "max_overflow": 20, "pool_timeout": 5,
                                      "connect_args": {"connect_timeout": 2}},
        "CHAT_RATE_LIMIT": [1000, 1], "PRESENCE_HEARTBEAT_SECONDS": 1, "LOG_DIR": str(tmp),
        # A client that reconnected leaves its old socket behind until Engine.IO's ping
        # times it out: 10 s here rather than 45 s, so the presence check stays short.
        "SOCKETIO_PING_INTERVAL": PING_INTERVAL, "SOCKETIO_PING_TIMEOUT": PING_TIMEOUT,
    }
    app = create_app({key: value for key, value in config.items() if key != "LOG_DIR"})
    from forum.services import api_tokens

    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            install_search_index(conn)
        cohort = factories.cohort("faults", name="Faults")
        channels = [chat_helpers.channel("general", cohort).id, chat_helpers.channel("lobby").id]
        tokens = [api_tokens.create_token(factories.user(f"m{n}", cohorts=[cohort]), "faults",
                                          "write").secret for n in range(CLIENTS)]
    servers = [LiveServer(config).start() for _ in range(2)]
    yield app, servers, redis, pg, channels, tokens, config
    for server in servers:
        server.stop()
    from forum.extensions import socketio

    socketio.server_options.pop("client_manager", None)
    redis.stop()
    pg.destroy()
    with app.app_context():
        db.engine.dispose()


def _wait(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return round(time.monotonic() - started, 2)


def _db_messages(app, channels: list[int]) -> dict[int, set[int]]:
    with app.app_context():
        rows = db.session.execute(select(Message.channel_id, Message.id)).all()
        db.session.remove()
    found: dict[int, set[int]] = {cid: set() for cid in channels}
    for cid, mid in rows:
        found[cid].add(mid)
    return found


def _last_seqs(app, channels: list[int]) -> dict[int, int]:
    with app.app_context():
        seqs = dict(db.session.execute(select(Channel.id, Channel.last_seq)
                                       .where(Channel.id.in_(channels))).all())
        db.session.remove()
    return seqs


def _caught_up(members: list[Member], seqs: dict[int, int]) -> bool:
    return all(m.position[cid] >= seqs[cid] for m in members for cid in seqs)


def test_chat_loses_nothing_through_a_crash_and_redis_and_postgresql_outages(stack, capsys):
    app, servers, redis, pg, channels, tokens, config = stack
    suite_started = time.monotonic()
    members = [Member(f"m{n}", servers[n % 2].url, tokens[n],
                      "websocket" if n % 4 < 2 else "polling", channels)
               for n in range(CLIENTS)]
    for member in members:
        member.start()
    _wait(lambda: all(m.synced_at for m in members), 30, "every client's first join")
    log, lock, stop = SendLog(), threading.Lock(), threading.Event()
    senders = [threading.Thread(target=sender, args=(m, log, stop, lock), daemon=True)
               for m in members[:SENDERS]]
    for thread in senders:
        thread.start()
    times: dict[str, float] = {}
    pids = [s.process.pid for s in servers]
    try:
        time.sleep(4)  # steady load

        # 1. kill -9 one process (master and worker), restart it on the same address.
        kill_tree(servers[0])
        victims = [m for m in members if m.url == servers[0].url]
        time.sleep(2)
        restarted = time.monotonic()
        servers[0] = LiveServer(config, port=servers[0].port).start()
        times["restart_to_listening_s"] = round(time.monotonic() - restarted, 2)
        seqs = _last_seqs(app, channels)
        times["kill_clients_caught_up_s"] = _wait(
            lambda: all(m.sio.connected and m.synced_at > restarted for m in victims)
            and _caught_up(victims, seqs), 60, "clients of the killed process") \
            + times["restart_to_listening_s"]
        pids[0] = servers[0].process.pid

        # 2. Redis down 10 s: both processes keep serving their own sockets and sends.
        time.sleep(2)
        connects = sum(m.connects for m in members)
        oks_before = len(log.ok)
        outage_started = time.monotonic()
        redis.stop()
        time.sleep(OUTAGE)
        times["sends_ok_while_redis_down"] = len(log.ok) - oks_before
        resyncs = [m.resyncs for m in members]
        redis.start()
        back = time.monotonic()
        seqs = _last_seqs(app, channels)
        try:
            times["redis_back_to_all_resynced_s"] = _wait(
                # Told to resync, or (re)connected since (a connect joins from the position).
                lambda: all(m.resyncs > r or m.connected_at > back
                            for m, r in zip(members, resyncs, strict=True)),
                30, "every client told to resync")
        except AssertionError:
            raise AssertionError([(m.name, m.transport, m.url, m.sio.connected, m.connects,
                                   m.resyncs, m.sio.get_sid()) for m, r in
                                  zip(members, resyncs, strict=True) if m.resyncs <= r]) from None
        try:
            times["redis_back_to_all_caught_up_s"] = _wait(
                lambda: all(m.synced_at > back for m in members) and _caught_up(members, seqs),
                60, "every client caught up after Redis") + times["redis_back_to_all_resynced_s"]
        except AssertionError:
            raise AssertionError([(m.name, m.transport, m.sio.connected, m.synced_at > back,
                                   m.position, seqs, m.drops[-3:]) for m in members
                                  if not (m.synced_at > back and _caught_up([m], seqs))]) from None

        times["reconnects_in_redis_phase"] = sum(m.connects for m in members) - connects
        drops = sorted((round(at - outage_started, 1), m.name, m.transport, why)
                       for m in members for at, why in m.drops if at > outage_started)
        times["drops_in_redis_phase"] = len(drops)
        # Each process served its own sockets while Redis was down, and nobody was dropped:
        # neither by the outage nor by the burst when every client resyncs after it (a polling
        # answer over 16 packets dropped python-engineio clients: forum/lib/polling_batches.py).
        # Counted as drops in the phase: `reconnects_in_redis_phase` also counts a client of the
        # killed process that comes back late. Measured 0-1 after the fix, 43-59 before (the
        # overflow cascades): 2 of slack spare a loaded runner that misses a ping, no more.
        with capsys.disabled():  # printed even if a later phase fails
            print("\nRedis phase:", {k: times[k] for k in (
                "sends_ok_while_redis_down", "drops_in_redis_phase", "reconnects_in_redis_phase",
                "redis_back_to_all_resynced_s", "redis_back_to_all_caught_up_s")})
        assert times["sends_ok_while_redis_down"] > 0, "no send succeeded while Redis was down"
        assert len(drops) <= REDIS_PHASE_DROPS, drops
        # 3. PostgreSQL down 10 s: sends are answered `unavailable` and retried.
        time.sleep(2)
        connects = sum(m.connects for m in members)
        pg.stop()
        down = time.monotonic()
        time.sleep(OUTAGE)
        pg.start()
        back = time.monotonic()
        times["postgresql_back_to_first_ok_send_s"] = _wait(
            lambda: any(t > back for t in log.ok_times), 30, "a send stored after PostgreSQL")
        times["unavailable_acks_while_postgresql_down"] = log.errors["unavailable"]
        assert down < back
        time.sleep(3)
        times["reconnects_in_postgresql_phase"] = sum(m.connects for m in members) - connects
    finally:
        stop.set()
        for thread in senders:
            thread.join(timeout=30)

    # Final catch-up, then the contract.
    seqs = _last_seqs(app, channels)
    final = time.monotonic()
    for member in members:
        member.needs_sync = True
        member.wake.set()
    _wait(lambda: all(m.synced_at > final for m in members) and _caught_up(members, seqs),
          60, "the final catch-up")
    stored = _db_messages(app, channels)
    for member in members:
        for cid in channels:
            assert set(member.delivered[cid]) == stored[cid], f"{member.name} channel {cid}"
            assert max(member.delivered[cid].values(), default=1) == 1  # each shown once
    with app.app_context():
        doubled = db.session.execute(select(Message.body_source, func.count())
                                     .group_by(Message.body_source)
                                     .having(func.count() > 1)).all()
        rows = db.session.scalar(select(func.count(Message.id)))
        db.session.remove()
    assert doubled == []
    assert rows == len(log.ok)  # every acknowledged send stored once, nothing else stored
    assert sum(m.missing_acks for m in members) == 0, "an ack never came on a live socket"
    assert set(log.errors) <= {"unavailable", "no ack"}, log.errors
    assert [s.process.pid for s in servers] == pids  # recovered without a restart
    for server in servers:
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200

    # Presence: exactly the connected people, nobody left over from the killed process.
    import redis as redis_lib

    client = redis_lib.Redis.from_url(redis.url, decode_responses=True)
    everyone = {str(n + 1) for n in range(CLIENTS)}  # user ids 1..CLIENTS

    def presence_exact() -> bool:
        return all(set(client.hvals(f"commons-faults:presence:channel:{cid}")) == everyone
                   and client.hlen(f"commons-faults:presence:channel:{cid}") == CLIENTS
                   for cid in channels)

    # A process stalled by a loaded machine may be swept and write its sockets back on its next
    # beat (HEARTBEATS_TO_DEATH x 5 s): allow a few beats beyond that before calling it stale.
    try:
        times["presence_exact_after_s"] = _wait(presence_exact, 45, "exact presence")
    except AssertionError:
        raise AssertionError({cid: sorted(Counter(client.hvals(
            f"commons-faults:presence:channel:{cid}")).items()) for cid in channels}) from None
    for member in members:
        member.stop()
    times["messages"] = rows
    times["send_attempts"] = log.attempts
    times["suite_s"] = round(time.monotonic() - suite_started, 1)
    with capsys.disabled():
        print("\nfault suite recovery:", {k: round(v, 2) for k, v in times.items()})
