"""Benchmarks 3 (queries per page at 1k vs 1M posts) and 4 (growth), in process.

Each page is requested through the Flask test client as the generated `bench` user (a signed
session cookie, no login round trip); p50 over repeated requests after a warm-up, and the SQL
statements of one request. Ratios: p50 at full size ÷ p50 at small size, and the deepest page
÷ the first page on the full database.
"""

from __future__ import annotations

import time

from bench.common import USER_AGENT, bench_config, log, median, ratio, session_cookie
from bench.generate import COMMON_WORD, RARE_WORD

REPEATS = 15


def _count_statements(engine):
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(engine, "before_cursor_execute", record)


def page_urls(app) -> dict[str, str]:
    """The pages measured, by name; deep pages computed from the data (keyset cursors)."""
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.lib.cursors import encode_cursor
    from forum.models import Message, Post, Thread
    from forum.services import discussions

    with app.app_context():
        posts_in_deep = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.thread_id == 2))
        last_page = max(1, -(-posts_in_deep // discussions.PAGE_SIZE))
        # The last page of the thread list: the cursor of the thread just before the oldest 30.
        n_threads = db.session.scalar(select(func.count()).select_from(Thread).where(
            Thread.category_id == 1, Thread.is_pinned.is_(False)))
        before = db.session.execute(
            select(Thread.last_activity_at, Thread.id).where(
                Thread.category_id == 1, Thread.is_pinned.is_(False))
            .order_by(Thread.last_activity_at.asc(), Thread.id.asc())
            .offset(min(discussions.THREADS_PER_PAGE, n_threads - 1)).limit(1)).first()
        cursor = encode_cursor(before.last_activity_at, before.id)
        oldest = db.session.scalars(
            select(Message.id).where(Message.channel_id == 1).order_by(Message.id)
            .offset(51).limit(1)).first()
        db.session.remove()
    urls = {
        "thread_page": "/t/1",
        "thread_list": "/c/general",
        "thread_list_deepest": f"/c/general?after={cursor}",
        "thread_first_page": "/t/2?page=1",
        "thread_deepest_page": f"/t/2?page={last_page}",
        "channel_history": "/chat/1",
        "channel_history_deepest": f"/chat/1?before_id={oldest}",
        "channel_list": "/chat",
    }
    endpoints = set(app.view_functions)
    if "search.index" in endpoints:
        with app.test_request_context():
            from flask import url_for

            # Like with like: a word in a third of the rows fills the page (20 hits) and the
            # ranking window (200 candidates per kind; the 1k forum has only 100 threads) at
            # both sizes, so the ratio is what the data's size costs.
            urls["search"] = url_for("search.index", q=COMMON_WORD)
            # Kept for reference: one row in a thousand is 3 hits (3 candidates) at 1k and 20
            # hits out of ~400 candidates at 1M, so this ratio mostly measures the bigger page.
            urls["search_rare_word"] = url_for("search.index", q=RARE_WORD)
    if "notifications.index" in endpoints:
        urls["notification_list"] = "/notifications"
    return urls


class Site:
    """One database served in process, logged in as the `bench` user."""

    def __init__(self, url: str) -> None:
        from forum import create_app
        from forum.extensions import db

        self.app = create_app(bench_config(url))
        self.urls = page_urls(self.app)
        self.client = self.app.test_client()
        name, value = session_cookie(self.app, 1).split("=", 1)
        self.client.set_cookie(name, value)
        with self.app.app_context():
            self.engine = db.engine

    def get(self, path: str) -> float:
        """Milliseconds for one request (raises on an error page)."""
        started = time.perf_counter()
        response = self.client.get(path, headers={"User-Agent": USER_AGENT})
        took = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        return took

    def statements(self, path: str) -> int:
        """SQL statements of one request."""
        statements, stop = _count_statements(self.engine)
        try:
            self.get(path)
        finally:
            stop()
        return len(statements)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _interleaved(pairs: list[tuple[Site, str]], repeats: int) -> list[list[float]]:
    """Alternate the requests of several (site, path) so noise hits them alike."""
    times: list[list[float]] = [[] for _ in pairs]
    for n in range(repeats):
        order = range(len(pairs)) if n % 2 == 0 else reversed(range(len(pairs)))
        for i in order:
            site, path = pairs[i]
            times[i].append(site.get(path))
    return times


def measure(small_url: str, full_url: str, repeats: int = REPEATS) -> dict:
    """Per page: p50 and statements at both sizes, growth ratio; deep-page ratios on full."""
    small, full = Site(small_url), Site(full_url)
    pages: dict[str, dict] = {}
    try:
        for name, full_path in full.urls.items():
            small_path = small.urls.get(name)
            entry: dict = {"path_full": full_path, "path_small": small_path}
            try:
                small.get(small_path)  # warm-up (and the read-marker writes)
                full.get(full_path)
                entry["queries_small"] = small.statements(small_path)
                entry["queries_full"] = full.statements(full_path)
                t_small, t_full = _interleaved([(small, small_path), (full, full_path)], repeats)
                entry.update(small_ms=round(median(t_small), 2), full_ms=round(median(t_full), 2),
                             ratio=ratio(median(t_full), median(t_small)))
            except RuntimeError as error:
                entry["error"] = str(error)
            pages[name] = entry
            log(f"  {name}: {entry.get('small_ms')} → {entry.get('full_ms')} ms, "
                f"queries {entry.get('queries_small')}/{entry.get('queries_full')} "
                f"{entry.get('error', '')}")
        depth = {}
        for name, (first, deepest) in DEEP_PAIRS.items():
            if "error" in pages[first] or "error" in pages[deepest]:
                continue
            t_first, t_deep = _interleaved(
                [(full, full.urls[first]), (full, full.urls[deepest])], repeats)
            depth[name] = {"first_ms": round(median(t_first), 2),
                           "deepest_ms": round(median(t_deep), 2),
                           "ratio": ratio(median(t_deep), median(t_first)),
                           "deepest_path": full.urls[deepest]}
            log(f"  deepest {name}: ratio {depth[name]['ratio']}")
    finally:
        small.close()
        full.close()
    return {"pages": pages, "depth": depth}


GROWTH_PAGES = ("thread_list", "thread_page", "channel_history", "channel_list", "search",
                "search_rare_word", "notification_list")
DEEP_PAIRS = {
    "thread_list": ("thread_list", "thread_list_deepest"),
    "thread_page": ("thread_first_page", "thread_deepest_page"),
    "channel_history": ("channel_history", "channel_history_deepest"),
}
