"""Search benchmark: 100k posts in a scratch database, then search latency p50 / p95.

    .venv/bin/python bench/search_bench.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/search_bench.py --backend sqlite --posts 20000

Each backend gets a database of its own (a SQLite file, and a PostgreSQL database named
`bench_search` next to BENCH_PG_URL's), filled by bulk inserts: 2 cohorts, 300 people, global
and cohort categories, threads, posts and chat messages with a Zipf-like vocabulary (accents and
a little Cyrillic and Chinese included). The index is installed after the load, the same
`install_search_index` the migration runs (on SQLite that exercises the FTS5 'rebuild').
Then `forum.services.search.search` runs as a cohort member — access clauses and all — and the
script prints p50 / p95 per query next to a trivial `SELECT 1` round trip from the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ would come first on sys.path and its http.py would shadow the stdlib.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

QUERIES = [
    ("common word", "report"),
    ("prefix", "resu"),
    ("accented", "résumé"),
    ("two words", "geneva pension"),
    ("rare word", "zeppelin"),
    ("no match", "xylophonist"),
    ("cyrillic", "привет"),
    ("chinese (substring)", "搜索"),
]
_BASE_WORDS = [
    "report", "budget", "mission", "office", "colleague", "meeting", "training", "week",
    "cohort", "mentor", "answer", "question", "visa", "pension", "geneva", "nairobi", "bangkok",
    "project", "donor", "funding", "programme", "evaluation", "resume", "résumé", "interview",
    "contract", "salary", "housing", "school", "insurance", "leave", "travel", "deadline",
    "policy", "review", "partner", "country", "agency", "field", "staff", "team", "career",
    "network", "advice", "experience",
]


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)}
    return _BASE_WORDS + sorted(made)


def _text(rng: random.Random, words: list[str], weights: list[float], n: int) -> str:
    body = rng.choices(words, weights=weights, k=n)
    if rng.random() < 0.01:
        body.append("zeppelin")
    if rng.random() < 0.01:
        body.append("привет коллеги")
    if rng.random() < 0.005:
        body.append("我们的中文搜索很好用")
    return " ".join(body).capitalize() + "."


def _fill(app, n_posts: int, seed: int = 7) -> None:
    from forum.extensions import db
    from forum.models import (
        Category,
        Channel,
        Cohort,
        CohortMembership,
        Message,
        Post,
        Thread,
        User,
    )
    from forum.models.base import utcnow

    rng = random.Random(seed)
    words = _vocabulary(rng)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    now = utcnow()
    with db.engine.begin() as conn:
        conn.execute(insert(Cohort), [
            {"id": 1, "slug": "alpha", "name": "Alpha", "programme": "JPO", "created_at": now},
            {"id": 2, "slug": "bravo", "name": "Bravo", "programme": "JPO", "created_at": now},
        ])
        conn.execute(insert(User), [
            {"id": i, "email": f"u{i}@example.org", "username": f"user{i}",
             "display_name": f"User {i}", "password_hash": "x", "created_at": now}
            for i in range(1, 301)
        ])
        conn.execute(insert(CohortMembership), [
            {"user_id": i, "cohort_id": 1 if i % 2 else 2, "role": "member", "joined_at": now}
            for i in range(1, 301)
        ])
        conn.execute(insert(Category), [
            {"id": c, "slug": f"cat{c}", "name": f"Category {c}", "description": "",
             "cohort_id": None if c <= 4 else (1 if c % 2 else 2),
             "mode": "qa" if c % 3 == 0 else "discussion", "position": c, "created_at": now}
            for c in range(1, 11)
        ])
        n_threads = max(1, n_posts // 10)
        conn.execute(insert(Thread), [
            {"id": t, "category_id": rng.randint(1, 10), "author_id": rng.randint(1, 300),
             "title": _text(rng, words, weights, rng.randint(3, 9)), "reply_count": 9,
             "created_at": now, "last_activity_at": now, "is_locked": False,
             "is_pinned": False}
            for t in range(1, n_threads + 1)
        ])
        batch: list[dict] = []
        for p in range(1, n_posts + 1):
            body = _text(rng, words, weights, rng.randint(20, 90))
            batch.append({"id": p, "thread_id": (p - 1) // 10 + 1,
                          "author_id": rng.randint(1, 300), "depth": 0, "body_source": body,
                          "body_html": f"<p>{body}</p>", "created_at": now})
            if len(batch) == 5000:
                conn.execute(insert(Post), batch)
                batch = []
        if batch:
            conn.execute(insert(Post), batch)
        conn.execute(insert(Channel), [
            {"id": 1, "kind": "global", "name": "lobby", "slug": "lobby", "created_at": now},
            {"id": 2, "kind": "cohort", "cohort_id": 1, "name": "alpha", "slug": "alpha",
             "created_at": now},
            {"id": 3, "kind": "cohort", "cohort_id": 2, "name": "bravo", "slug": "bravo",
             "created_at": now},
        ])
        messages = []
        for m in range(1, n_posts // 5 + 1):
            body = _text(rng, words, weights, rng.randint(3, 20))
            messages.append({"id": m, "channel_id": rng.randint(1, 3),
                             "author_id": rng.randint(1, 300), "client_id": f"bench-{m}",
                             "body_source": body, "body_html": f"<p>{body}</p>",
                             "created_at": now})
        conn.execute(insert(Message), messages)
    if db.engine.dialect.name == "postgresql":
        # Keep later inserts (none here) from colliding with the explicit ids.
        with db.engine.begin() as conn:
            for table in ("cohorts", "users", "categories", "threads", "posts", "channels",
                          "messages"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _measure(fn, runs: int) -> list[float]:
    fn()  # warm caches (statement cache, pages) like a running server
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run(url: str, label: str, n_posts: int, runs: int) -> None:
    """Build one scratch database, load it, index it, and print the figures."""
    from forum import create_app
    from forum.extensions import db
    from forum.models import User
    from forum.models.search import install_search_index
    from forum.services.search import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX_DIR": "/tmp/bench-outbox"})
    with app.test_request_context("/"):
        db.create_all()
        started = time.perf_counter()
        _fill(app, n_posts)
        loaded = time.perf_counter()
        with db.engine.begin() as conn:
            install_search_index(conn)
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
        indexed = time.perf_counter()
        print(f"\n== {label}: {n_posts:,} posts, {n_posts // 10:,} threads, "
              f"{n_posts // 5:,} messages — load {loaded - started:.1f}s, "
              f"index {indexed - loaded:.1f}s")
        user = db.session.get(User, 1)  # a member of cohort Alpha
        baseline = _measure(lambda: db.session.execute(text("SELECT 1")).scalar(), runs * 5)
        base_p50 = statistics.median(baseline)
        print(f"{'SELECT 1 round trip':<26} p50 {base_p50:7.2f} ms   "
              f"p95 {_percentile(baseline, 0.95):7.2f} ms")
        for name, query in QUERIES:
            hits: list = []

            def once(query=query, hits=hits) -> None:
                hits[:] = search(user, query).hits

            samples = _measure(once, runs)
            p50, p95 = statistics.median(samples), _percentile(samples, 0.95)
            print(f"{name + ' «' + query + '»':<26} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
                  f"x{p50 / base_p50:6.0f} SELECT 1   ({len(hits)} hits on page 1)")
        page = _measure(lambda: search(user, "report", page=5), runs)
        print(f"{'common word, page 5':<26} p50 {statistics.median(page):7.2f} ms   "
              f"p95 {_percentile(page, 0.95):7.2f} ms")
        db.session.remove()
        db.engine.dispose()


def _fresh_pg(base_url: str, name: str) -> str:
    url = make_url(base_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    """Parse options and bench the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--sqlite-path", default="/tmp/bench_search.db")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--pg-database", default="bench_search")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        path = Path(args.sqlite_path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        run(f"sqlite:///{path}", "SQLite FTS5", args.posts, args.runs)
    if args.backend in ("postgresql", "both"):
        url = _fresh_pg(args.pg_url, args.pg_database)
        run(url, "PostgreSQL tsvector + GIN", args.posts, args.runs)


if __name__ == "__main__":
    main()
