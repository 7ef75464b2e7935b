"""Benchmark 1: logged-in pages vs a minimal Flask page on the same gunicorn + gevent config.

Both servers run `gunicorn -c gunicorn.conf.py` (one gevent worker). wrk, a separate process on
loopback, alternates A (reference) and B (our page) runs; each round gives a ratio, the median
ratio is the figure. The order inside a round alternates too, so a slow patch of the shared
machine does not always fall on the same side.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from bench.common import (
    QUICK,
    USER_AGENT,
    Server,
    bench_config,
    forum_server,
    log,
    median,
    session_cookie,
)

ROUNDS = 3
DURATION = "3s" if QUICK else "5s"
CONNECTIONS = 10  # one gevent worker: more connections only queue


def wrk(url: str, headers: dict[str, str] | None = None) -> dict:
    """Run wrk once; requests/s and latency p50/p99 in ms."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "--timeout", "10s"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=120).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "p50_ms": _latency(out, "50%"), "p99_ms": _latency(out, "99%")}


def _latency(out: str, label: str) -> float | None:
    match = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)


def ab(ref_url: str, page_url: str, headers: dict[str, str]) -> dict:
    """Alternate reference and page runs; the median of the per-round ratios."""
    rounds = []
    for n in range(ROUNDS):
        order = ("ref", "page") if n % 2 == 0 else ("page", "ref")
        got = {}
        for side in order:
            got[side] = wrk(ref_url if side == "ref" else page_url,
                            {"User-Agent": USER_AGENT} if side == "ref" else headers)
        if got["page"]["non_2xx"]:
            raise RuntimeError(f"{page_url}: {got['page']['non_2xx']} non-2xx responses")
        rounds.append({"ref_rps": got["ref"]["rps"], "page_rps": got["page"]["rps"],
                       "ratio": round(got["page"]["rps"] / got["ref"]["rps"], 3),
                       "page_p50_ms": got["page"]["p50_ms"], "page_p99_ms": got["page"]["p99_ms"]})
    return {"ratio": median([r["ratio"] for r in rounds]),
            "page_rps": median([r["page_rps"] for r in rounds]),
            "ref_rps": median([r["ref_rps"] for r in rounds]), "rounds": rounds}


def run(databases: dict[str, str]) -> dict:
    """Thread page (20 replies) and thread list on each database, against the reference app."""
    from forum import create_app

    results: dict[str, dict] = {}
    with Server("bench.ref_app:app", health="/healthz") as ref:
        for backend, url in databases.items():
            app = create_app(bench_config(url))
            headers = {"Cookie": session_cookie(app, 1), "User-Agent": USER_AGENT}
            with forum_server(url) as server:
                # layout: the empty signed-in page; ceiling: stored bytes behind the user check
                # (bench/server_app.py). Both are reported without a target.
                for name, path in (("thread_page", "/t/1"), ("thread_list", "/c/general"),
                                   ("layout", "/bench/layout"), ("ceiling", "/bench/ceiling")):
                    wrk(server.url + path, headers)  # warm-up: caches, read marker
                    results[f"{name}_{backend}"] = ab(ref.url + "/", server.url + path, headers)
                    log(f"  {name} on {backend}: ratio {results[f'{name}_{backend}']['ratio']}")
    return results
