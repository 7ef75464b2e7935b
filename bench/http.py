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
    WORK,
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
    """Thread page (20 replies; and 20 replies with a photo each), thread list, layout and
    ceiling on each database, against the reference app."""
    from bench.images import image_database, prepare_image_database
    from forum import create_app

    results: dict[str, dict] = {}
    with Server("bench.ref_app:app", health="/healthz") as ref:
        for backend, url in databases.items():
            app = create_app(bench_config(url))
            headers = {"Cookie": session_cookie(app, 1), "User-Agent": USER_AGENT}
            # The same thread page with a photo in each of its 20 replies, uploaded through
            # the service (bench/images.py), on a small forum of its own.
            images_url = image_database(backend)
            uploads_dir = str(WORK / f"uploads-images-{backend}")
            image_thread = prepare_image_database(images_url, uploads_dir)
            images_app = create_app(bench_config(images_url))
            images_headers = {"Cookie": session_cookie(images_app, 1),
                              "User-Agent": USER_AGENT}
            with forum_server(url) as server, \
                    forum_server(images_url, UPLOADS_DIR=uploads_dir) as images_server:
                # layout: the empty signed-in page; ceiling: stored bytes behind the user check
                # (bench/server_app.py). Both are reported without a target.
                pages = (("thread_page", server, "/t/1", headers),
                         ("thread_page_images", images_server, f"/t/{image_thread}",
                          images_headers),
                         ("thread_list", server, "/c/general", headers),
                         ("layout", server, "/bench/layout", headers),
                         ("ceiling", server, "/bench/ceiling", headers))
                for name, target, path, cookie in pages:
                    wrk(target.url + path, cookie)  # warm-up: caches, read marker
                    key = f"{name}_{backend}"
                    results[key] = ab(ref.url + "/", target.url + path, cookie)
                    if name == "thread_page_images":
                        results[key].update(image_markup(target.url, path, cookie))
                    log(f"  {name} on {backend}: ratio {results[key]['ratio']}")
    return results


def image_markup(base: str, path: str, headers: dict[str, str]) -> dict:
    """What the image page holds: thumbnails by file path (none inlined), each one served."""
    import requests

    page = requests.get(base + path, headers=headers, timeout=30)
    sources = re.findall(r'<img[^>]*\ssrc="([^"]+)"', page.text)
    files = [s for s in sources if s.startswith("/files/")]
    thumb = requests.get(base + files[0].replace("&amp;", "&"), headers=headers, timeout=30) \
        if files else None
    return {"page_bytes": len(page.content), "file_images": len(files),
            "inlined_images": sum(1 for s in sources if s.startswith("data:")),
            "thumbnail_status": thumb.status_code if thumb is not None else None,
            "thumbnail_type": thumb.headers.get("Content-Type") if thumb is not None else None,
            "thumbnail_bytes": len(thumb.content) if thumb is not None else None}
