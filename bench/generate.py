"""Fill a scratch database with a forum of a given size, fast (executemany / COPY).

Full size: 10k users, 100k threads, 1M posts, 1M chat messages — in minutes, not hours.
`python -m bench.generate --url sqlite:///instance/bench/growth-full.db --scale full`

The layout is deterministic, so 1k and 1M databases hold the same benchmark objects:
  * user 1 `bench` (member of cohort 1) reads everything; user 2 `lurker` never opened a chat;
  * category 1 `general` holds half of the threads, so its list is full at every size;
  * thread 1 has exactly 20 replies (the page benchmark 1 serves); thread 2 is the deep thread
    (posts / 50, at least 100) whose last page the growth benchmark compares with its first;
  * channel 1 `lobby` holds half of the messages; posts and messages interleave across threads
    and channels in id (= time) order, as a live forum writes them.
A `bench_meta` table remembers the generator version and the schema it was built for, so
`make bench` regenerates only when either changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from bench.common import PASSWORD, bench_config, log, recreate_database

GENERATOR_VERSION = 3
BATCH = 20_000

WORDS = (
    "mentor", "cohort", "geneva", "nairobi", "bangkok", "posting", "contract", "rotation",
    "budget", "report", "field", "mission", "language", "french", "arabic", "spanish", "training",
    "workshop", "visa", "housing", "colleague", "supervisor", "evaluation", "network", "career",
    "booster", "orientation", "project", "donor", "programme", "agency", "office", "duty",
    "station", "security", "clearance", "travel", "allowance", "leave", "insurance", "pension",
    "recruitment", "interview", "roster", "vacancy", "assessment", "competency", "policy",
    "humanitarian", "development", "climate", "health", "education", "gender", "data",
    "statistics", "procurement", "logistics", "finance", "audit", "legal", "protocol",
    "coordination", "partnership", "advocacy", "communication",
)
RARE_WORD = "zanzibar"  # one post in a thousand (search benchmark, reference figure)
COMMON_WORD = "mentor"  # one of WORDS: in about a third of the rows (search benchmark)


@dataclass(frozen=True)
class Sizes:
    """How big a generated forum is."""

    users: int
    threads: int
    posts: int
    messages: int

    @property
    def cohorts(self) -> int:
        """Cohorts of about a thousand people (at least two)."""
        return max(2, self.users // 1000)

    @property
    def deep_posts(self) -> int:
        """Posts of the deep thread (thread 2)."""
        return max(100, self.posts // 50)


SCALES = {
    "full": Sizes(users=10_000, threads=100_000, posts=1_000_000, messages=1_000_000),
    "small": Sizes(users=10, threads=100, posts=1_000, messages=1_000),
    # BENCH_QUICK: a tenth of the full size, for a fast run of everything
    "quick": Sizes(users=1_000, threads=10_000, posts=100_000, messages=100_000),
}


def schema_fingerprint(metadata) -> str:
    """A hash of the tables and columns the models declare (indexes are added in place)."""
    parts = [f"{t.name}({','.join(sorted(c.name for c in t.columns))})"
             for t in sorted(metadata.tables.values(), key=lambda t: t.name)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def wanted_meta(sizes: Sizes, metadata) -> dict:
    """What bench_meta holds for a database generated now at this size."""
    return {"version": GENERATOR_VERSION, "schema": schema_fingerprint(metadata),
            "sizes": asdict(sizes)}


def read_meta(engine) -> dict | None:
    """The bench_meta of an existing database, or None."""
    from sqlalchemy import inspect, text

    if "bench_meta" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        value = conn.execute(text("select value from bench_meta where key = 'meta'")).scalar()
    return json.loads(value) if value else None


def install_search(engine) -> bool:
    """Build the full-text search index (forum/models/search.py) when the app has one.

    bench_meta remembers a hash of the index DDL: when the search code changes its index, the
    old one is dropped and the new one built (once), instead of regenerating the database.
    """
    from sqlalchemy import text

    try:
        from forum.models import search
    except ImportError:
        return False
    ddl = (search._sqlite_statements() if engine.dialect.name == "sqlite"
           else search._postgresql_statements())
    wanted = hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:16]
    with engine.begin() as conn:
        conn.execute(text("create table if not exists bench_meta "
                          "(key varchar(20) primary key, value text)"))
        have = conn.execute(text("select value from bench_meta where key = 'search'")).scalar()
    if have == wanted:
        return True
    started = time.monotonic()
    with engine.begin() as conn:
        search.uninstall_search_index(conn)
        search.install_search_index(conn)
        conn.execute(text("delete from bench_meta where key = 'search'"))
        conn.execute(text("insert into bench_meta values ('search', :v)"), {"v": wanted})
    if engine.dialect.name == "postgresql":
        # Statistics for the new tsvector columns: without them every word is estimated at
        # 0.5% of the rows, common ones included (autovacuum would only catch up later). VACUUM
        # too: adding the stored column rewrote the table and its visibility map, so every
        # index-only scan (e.g. the deep thread's page offset) fell back to the heap: 30 ms
        # instead of 4 for page 400 of the 20,000-post thread.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for _index, table, _column in search.SEARCH_SOURCES:
                conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    log(f"  search index built in {time.monotonic() - started:.0f}s")
    return True


def ensure_indexes(engine, metadata) -> list[str]:
    """Create the model indexes an older database lacks (new ones from 0008_performance)."""
    from sqlalchemy import inspect, text

    inspector = inspect(engine)
    made: list[str] = []
    analyze: set[str] = set()
    for table in metadata.sorted_tables:
        if table.name not in inspector.get_table_names():
            continue
        existing = {ix["name"] for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in existing:
                index.create(engine)
                made.append(index.name)
                analyze.add(table.name)
    for name in sorted(analyze):  # the planner needs statistics for the new indexes
        with engine.begin() as conn:
            conn.execute(text(f"ANALYZE {name}"))
    return made


# --------------------------------------------------------------------------- rows


def _bodies(n: int = 1000) -> list[str]:
    import random

    rng = random.Random(8)
    bodies = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(12, 40))]
        if i == 7:
            words.insert(3, RARE_WORD)
        bodies.append(" ".join(words).capitalize() + ".")
    return bodies


class Rows:
    """Generates every table's rows for one size, in batches, in id order."""

    def __init__(self, sizes: Sizes, password_hash: str) -> None:
        self.s = sizes
        self.password_hash = password_hash
        self.start = datetime(2025, 1, 1, tzinfo=UTC)
        self.bodies = _bodies()
        # Thread sizes: thread 1 = 21 posts, thread 2 = deep, the rest share the remainder.
        rest = sizes.posts - 21 - sizes.deep_posts
        others = sizes.threads - 2
        base, extra = divmod(rest, others)
        self.thread_posts = [21, sizes.deep_posts] + [
            base + (1 if i < extra else 0) for i in range(others)]
        self.categories = 2 + sizes.cohorts  # general, qa, one lounge per cohort

    def cohort_of_user(self, user_id: int) -> int:
        return 1 if user_id <= 2 else (user_id % self.s.cohorts) + 1

    def category_of_thread(self, thread_id: int) -> int:
        if thread_id <= 2 or thread_id % 2 == 0:
            return 1
        return 2 + (thread_id // 2) % (self.categories - 1)

    def author_of(self, n: int) -> int:
        return (n * 7919) % self.s.users + 1

    def cohorts(self):
        for c in range(1, self.s.cohorts + 1):
            yield (c, f"cohort-{c}", f"Cohort {c}", "JPO Orientation", "", "active", self.start)

    def users(self):
        for u in range(1, self.s.users + 1):
            name = {1: "bench", 2: "lurker"}.get(u, f"user{u}")
            role = "mentor" if u > 2 and u % 100 == 0 else "member"
            yield (u, f"{name}@example.org", name, name.title(), self.password_hash, role, 1,
                   "", "", "", "", False, "UTC", self.start)

    def memberships(self):
        for u in range(1, self.s.users + 1):
            yield (u, u, self.cohort_of_user(u), "member", self.start)

    def category_rows(self):
        yield (1, "general", "General", "", None, "discussion", 0, self.start)
        yield (2, "questions", "Questions", "", None, "qa", 1, self.start)
        for c in range(1, self.s.cohorts + 1):
            yield (2 + c, f"lounge-{c}", f"Lounge {c}", "", c, "discussion", 0, self.start)

    def posts_and_threads(self):
        """Posts in rounds (post r of every thread that has one), then the thread rows."""
        n_threads = self.s.threads
        first = [0] * n_threads
        last = [0] * n_threads
        last_time = [self.start] * n_threads
        last_depth = [0] * n_threads
        rounds = max(self.thread_posts)
        common = max(self.thread_posts[2:])  # beyond this round only threads 1 and 2 go on
        post_id = 0
        batch = []
        step = timedelta(seconds=20)
        for r in range(rounds):
            alive = range(n_threads) if r < common else (0, 1)
            for t in alive:
                if self.thread_posts[t] <= r:
                    continue
                post_id += 1
                when = self.start + step * post_id
                parent, depth = None, 0
                if r > 1 and r % 5 == 0 and last_depth[t] == 0:
                    parent, depth = last[t], 1
                body = f"{self.bodies[post_id % len(self.bodies)]} #{post_id}"
                batch.append((post_id, t + 1, self.author_of(post_id), parent, depth, body,
                              f"<p>{body}</p>", when))
                if r == 0:
                    first[t] = post_id
                last[t], last_time[t], last_depth[t] = post_id, when, depth
                if len(batch) >= BATCH:
                    yield "posts", batch
                    batch = []
        if batch:
            yield "posts", batch
        threads = []
        for t in range(n_threads):
            tid = t + 1
            title = {1: "Twenty replies", 2: "The deep thread"}.get(
                tid, f"Thread {tid}: {self.bodies[tid % len(self.bodies)][:60]}")
            created = self.start + step * first[t]
            threads.append((tid, self.category_of_thread(tid), self.author_of(first[t]), title,
                            self.thread_posts[t] - 1, self.thread_posts[t], created, last_time[t],
                            first[t], last[t], False, False))
            if len(threads) >= BATCH:
                yield "threads", threads
                threads = []
        if threads:
            yield "threads", threads

    def channels(self):
        yield (1, "global", None, "lobby", "lobby", self.start)
        yield (2, "global", None, "random", "random", self.start)
        for c in range(1, self.s.cohorts + 1):
            yield (2 + c, "cohort", c, "general", f"c{c}-general", self.start)

    def channel_of_message(self, m: int) -> int:
        if m % 2 == 0:
            return 1
        return 2 + (m // 2) % (self.s.cohorts + 1)

    def messages(self):
        batch = []
        step = timedelta(seconds=15)
        seqs: dict[int, int] = {}  # the dense per-channel sequence, in id order
        for m in range(1, self.s.messages + 1):
            channel = self.channel_of_message(m)
            author = self.author_of(m)
            body = self.bodies[(m * 31) % len(self.bodies)][:160]
            seqs[channel] = seqs.get(channel, 0) + 1
            batch.append((m, channel, seqs[channel], author, f"gen-{m}", body, f"<p>{body}</p>",
                          self.start + step * m))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


COLUMNS = {
    "cohorts": "id slug name programme description status created_at",
    "users": ("id email username display_name password_hash role session_version organisation "
              "duty_station sponsoring_country bio open_to_mentoring timezone created_at"),
    "cohort_memberships": "id user_id cohort_id role joined_at",
    "categories": "id slug name description cohort_id mode position created_at",
    "posts": "id thread_id author_id parent_id depth body_source body_html created_at",
    "threads": ("id category_id author_id title reply_count post_count created_at "
                "last_activity_at first_post_id last_post_id is_locked is_pinned"),
    "channels": "id kind cohort_id name slug created_at",
    "messages": "id channel_id seq author_id client_id body_source body_html created_at",
    "channel_members": "id channel_id user_id is_member last_read_message_id joined_at",
    "thread_reads": "id user_id thread_id last_read_post_id updated_at",
    "reactions": "id post_id user_id kind created_at",
}


class Writer:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite (one transaction)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        if not self.pg:
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("PRAGMA foreign_keys=OFF")
        self.counts: dict[str, int] = {}

    def write(self, table: str, rows) -> None:
        """Insert rows (tuples in COLUMNS order)."""
        rows = list(rows)
        if not rows:
            return
        cols = COLUMNS[table].split()
        if self.pg:
            with self.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
            marks = ", ".join("?" * len(cols))
            self.cursor.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def finish(self) -> None:
        """Commit, move PostgreSQL sequences past the explicit ids, refresh statistics."""
        if self.pg:
            for table in self.counts:
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        self.raw.commit()
        if self.pg:
            driver = self.raw.driver_connection
            driver.autocommit = True
            driver.execute("VACUUM ANALYZE")
            driver.autocommit = False
        else:
            self.cursor.execute("ANALYZE")
            self.raw.commit()
        self.raw.close()


def _sqlite_value(value):
    # SQLAlchemy's SQLite DateTime storage format (naive UTC), so the models read them back.
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.isoformat(sep=" ", timespec="microseconds")
    return value


def generate(url: str, sizes: Sizes) -> dict:
    """Recreate the database at `url` and fill it; return timings and row counts."""
    from sqlalchemy import text

    from forum import create_app
    from forum.extensions import db
    from forum.lib.passwords import hash_password

    started = time.monotonic()
    recreate_database(url)
    app = create_app(bench_config(url, ARGON2_FAST=True))
    with app.app_context():
        db.create_all()
        metadata = db.metadata
        rows = Rows(sizes, hash_password(PASSWORD))
        writer = Writer(db.engine)
        writer.write("cohorts", rows.cohorts())
        writer.write("users", rows.users())
        writer.write("cohort_memberships", rows.memberships())
        writer.write("categories", rows.category_rows())
        # Threads first with placeholder post ids would need an UPDATE of 100k rows; posts have
        # a real FK to threads, so on PostgreSQL threads go first with their final values.
        thread_rows, post_batches = [], []
        for table, batch in rows.posts_and_threads():
            (thread_rows if table == "threads" else post_batches).append(batch)
        for batch in thread_rows:
            writer.write("threads", batch)
        del thread_rows
        for batch in post_batches:
            writer.write("posts", batch)
        del post_batches
        log(f"  posts written in {time.monotonic() - started:.0f}s")
        writer.write("channels", rows.channels())
        for batch in rows.messages():
            writer.write("messages", batch)
        # Bench user has read the lobby up to its first message: unread grows with the size.
        writer.write("channel_members", [(1, 1, 1, False, 1, rows.start)])
        writer.write("reactions", [(i, 2 + i, 1 + i % sizes.users, "like", rows.start)
                                  for i in range(1, 11)])
        writer.finish()
        with db.engine.begin() as conn:
            last = conn.execute(text(
                "select channel_id, max(id), max(seq) from messages group by channel_id")).all()
            for channel_id, message_id, seq in last:
                conn.execute(text("update channels set last_message_id = :m, last_seq = :s "
                                  "where id = :c"), {"m": message_id, "s": seq, "c": channel_id})
            conn.execute(text("create table if not exists bench_meta "
                              "(key varchar(20) primary key, value text)"))
            conn.execute(text("delete from bench_meta where key = 'meta'"))
            conn.execute(text("insert into bench_meta values ('meta', :v)"),
                         {"v": json.dumps(wanted_meta(sizes, metadata))})
        install_search(db.engine)
        db.engine.dispose()
    took = round(time.monotonic() - started, 1)
    log(f"  generated {url} in {took}s: {writer.counts}")
    return {"seconds": took, "rows": writer.counts}


def ensure(url: str, sizes: Sizes, force: bool = False) -> dict:
    """Generate unless the database already matches this generator, schema and size."""
    from forum import create_app
    from forum.extensions import db

    if not force:
        app = create_app(bench_config(url))
        with app.app_context():
            try:
                meta = read_meta(db.engine)
            except Exception:
                meta = None
            if meta == wanted_meta(sizes, db.metadata):
                made = ensure_indexes(db.engine, db.metadata)
                install_search(db.engine)
                db.engine.dispose()
                log(f"  {url}: up to date (generator v{GENERATOR_VERSION}); new indexes: {made}")
                return {"seconds": 0, "reused": True, "new_indexes": made}
            db.engine.dispose()
    return generate(url, sizes)


def main() -> None:
    """Command line: generate one database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    print(json.dumps(ensure(args.url, SCALES[args.scale], args.force), indent=2))


if __name__ == "__main__":
    main()
