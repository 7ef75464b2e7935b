"""Run every benchmark and write bench/results/latest.{json,md,png} (`make bench`).

BENCH_QUICK=1: a tenth of the full sizes and fewer rounds. BENCH_ONLY=growth,queries,http,chat,
stall runs a subset. Every figure is a ratio against a reference measured in the same run (see
docs/benchmarks.md); targets are checked and listed in the summary.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from bench.common import (
    QUICK,
    RESULTS,
    ROOT,
    log,
    pg_available,
    pg_url,
    sqlite_url,
    write_json,
)

TARGETS = {
    "http_thread_page_sqlite": (">=", 0.30), "http_thread_list_sqlite": (">=", 0.30),
    "http_thread_page_postgresql": (">=", 0.25), "http_thread_list_postgresql": (">=", 0.25),
    # the thread page with a photo in each reply is held to the thread page's own target
    "http_thread_page_images_sqlite": (">=", 0.30),
    "http_thread_page_images_postgresql": (">=", 0.25),
    "chat_p50": ("<=", 1.2), "chat_p99": ("<=", 1.4), "chat_delivery": (">=", 1.0),
    "queries": ("<=", 8), "growth": ("<=", 1.2), "depth": ("<=", 1.5),
    "scale_out": ("<=", 1.3),
    # uploads of ~10 MB photos during chat (bench/upload_stall.py): during ÷ baseline
    "stall_p99": ("<=", 3.0), "stall_max": ("<=", 3.0), "stall_over_1s": ("<=", 0),
}


def _ok(kind: str, value: float | None) -> bool | None:
    if value is None:
        return None
    op, target = TARGETS[kind]
    return value >= target if op == ">=" else value <= target


def _steps() -> set[str]:
    only = os.environ.get("BENCH_ONLY", "")
    return set(only.split(",")) if only else {"growth", "queries", "http", "chat", "stall"}


def databases(scale: str) -> dict[str, str]:
    """The growth databases of one scale on each available backend."""
    urls = {"sqlite": sqlite_url(f"growth-{scale}")}
    if pg_available():
        urls["postgresql"] = pg_url(f"bench_growth_{scale}")
    return urls


def step_generate() -> dict:
    """Make sure the small and large databases exist (reused when the generator is unchanged)."""
    from bench.generate import SCALES, ensure

    large = "quick" if QUICK else "full"
    out = {}
    for scale in ("small", large):
        for backend, url in databases(scale).items():
            log(f"generate {scale} on {backend}")
            out[f"{scale}_{backend}"] = ensure(url, SCALES[scale])
    return out


def step_growth() -> dict:
    """Benchmarks 3 (statements at 1k vs 1M) and 4 (p50 growth, deepest ÷ first page)."""
    from bench import growth

    large = "quick" if QUICK else "full"
    small_dbs, large_dbs = databases("small"), databases(large)
    out = {}
    for backend in small_dbs:
        log(f"growth on {backend}: small vs {large}")
        out[backend] = growth.measure(small_dbs[backend], large_dbs[backend],
                                      repeats=9 if QUICK else growth.REPEATS)
    return out


def step_queries() -> dict:
    """Benchmark 3 at 5 vs 50 items: tests/test_query_counts.py, which asserts and reports."""
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as report:
        env = {**os.environ, "BENCH_QUERY_COUNTS": report.name}
        if pg_available():
            # the suite creates its own databases (postgres_<worker>_<pid>) from this base URL
            env["FORUM_TEST_DATABASE_URL"] = pg_url("postgres")
        else:
            env.pop("FORUM_TEST_DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/test_query_counts.py"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=900)
        rows = [json.loads(line) for line in report.read().splitlines() if line.strip()]
    log(f"query-count tests: exit {done.returncode}")
    out: dict = {"tests_passed": done.returncode == 0,
                 "pytest_tail": done.stdout.strip().splitlines()[-3:]}
    for row in rows:
        out[f"{row['page']}_{row['backend']}"] = row
    return out


def step_http() -> dict:
    """Benchmark 1: wrk against gunicorn, page ÷ minimal Flask page."""
    from bench import http

    return http.run(databases("small"))


def step_chat() -> dict:
    """Benchmarks 2 and 5 on PostgreSQL (the production shape), SQLite when it is absent."""
    from bench import chat

    url = pg_url("bench_chat") if pg_available() else sqlite_url("chat")
    out = chat.run(url)
    out["database"] = url.split(":", 1)[0]
    return out


def step_stall() -> dict:
    """Chat latency while ~10 MB photos are uploaded ÷ before (bench/upload_stall.py)."""
    from bench import upload_stall

    url = pg_url("bench_stall") if pg_available() else sqlite_url("stall")
    out = upload_stall.run(url)
    out["database"] = url.split(":", 1)[0]
    return out


def verdicts(results: dict) -> list[dict]:
    """Every figure with its target and whether it is met."""
    rows: list[dict] = []

    def add(name: str, kind: str, value, detail: str = "") -> None:
        op, target = TARGETS[kind]
        rows.append({"figure": name, "value": value, "target": f"{op} {target}",
                     "ok": _ok(kind, value) if isinstance(value, int | float) else None,
                     "detail": detail})

    for key, fig in results.get("http", {}).items():
        detail = f"{fig['page_rps']:.0f} vs {fig['ref_rps']:.0f} req/s"
        reference = {"layout": "empty signed-in layout",
                     "ceiling": "stored page behind the user check (whole-page cache ceiling)"}
        kind = key.rsplit("_", 1)[0]
        if kind in reference:  # context for the pages: no target
            rows.append({"figure": f"{reference[kind]} ÷ minimal Flask: {key}",
                         "value": fig["ratio"], "target": "(reference)", "ok": None,
                         "detail": detail})
            continue
        if "file_images" in fig:  # the image page: how its pictures are referenced
            detail += (f"; {fig['file_images']} thumbnails by /files/ path, "
                       f"{fig['inlined_images']} inlined, page {fig['page_bytes'] // 1024} kB")
        add(f"page ÷ minimal Flask: {key}", f"http_{key}", fig["ratio"], detail)
    chat = results.get("chat", {})
    for n in ("n100", "n500"):
        if n in chat:
            fig = chat[n]
            add(f"chat p50 ÷ bare Socket.IO, N={n[1:]}", "chat_p50", fig["p50_ratio"],
                f"{fig['app_p50_ms']} vs {fig['ref_p50_ms']} ms")
            add(f"chat p99 ÷ bare Socket.IO, N={n[1:]}", "chat_p99", fig["p99_ratio"],
                f"{fig['app_p99_ms']} vs {fig['ref_p99_ms']} ms")
            add(f"chat delivered, N={n[1:]}", "chat_delivery", fig["delivery_rate"])
        images = chat.get(f"{n}_images")
        if images:
            add(f"chat with a photo per message p50 ÷ bare Socket.IO, N={n[1:]}", "chat_p50",
                images["p50_ratio"], f"{images['app_p50_ms']} vs {images['ref_p50_ms']} ms; "
                f"÷ plain messages {images['vs_plain_p50_ratio']}")
            add(f"chat with a photo per message p99 ÷ bare Socket.IO, N={n[1:]}", "chat_p99",
                images["p99_ratio"], f"{images['app_p99_ms']} vs {images['ref_p99_ms']} ms; "
                f"÷ plain messages {images['vs_plain_p99_ratio']}")
            add(f"chat with a photo per message delivered, N={n[1:]}", "chat_delivery",
                images["delivery_rate"])
    scale = chat.get("scale_out", {})
    if "p50_ratio" in scale:
        add("two processes + Redis ÷ one process, p50, N=500", "scale_out", scale["p50_ratio"],
            f"{scale['two_processes_p50_ms']} vs {scale['one_process_p50_ms']} ms")
        add("delivered across processes, N=500", "chat_delivery", scale["delivery_rate"])
    stall = results.get("stall", {})
    if "p99_ratio" in stall:
        base, during = stall["baseline"], stall["during_uploads"]
        uploads = (f"{stall['uploads_ok']}/{len(stall['uploads'])} photos of "
                   f"{stall['photo_bytes'] / 2**20:.1f} MB in {stall['uploads_seconds']} s")
        add(f"chat p99 during photo uploads ÷ before, N={stall['clients']}", "stall_p99",
            stall["p99_ratio"], f"{during['p99_ms']} vs {base['p99_ms']} ms; {uploads}")
        add(f"chat max during photo uploads ÷ before, N={stall['clients']}", "stall_max",
            stall["max_ratio"], f"{during['max_ms']} vs {base['max_ms']} ms; p50 "
            f"{during['p50_ms']} vs {base['p50_ms']} ms")
        add("chat deliveries over 1 s during photo uploads", "stall_over_1s",
            during["over_1s"], f"of {during['count']}")
    for backend, data in results.get("growth", {}).items():
        for page, fig in data["pages"].items():
            if "error" in fig:
                rows.append({"figure": f"{page} ({backend})", "value": None, "target": "",
                             "ok": None, "detail": fig["error"]})
                continue
            add(f"statements: {page} ({backend}), 1M", "queries", fig["queries_full"],
                f"{fig['queries_small']} at 1k")
            if fig["queries_small"] != fig["queries_full"]:
                rows[-1]["ok"] = False
            if not page.endswith("deepest") and page not in ("thread_first_page",):
                add(f"p50 growth 1M ÷ 1k: {page} ({backend})", "growth", fig["ratio"],
                    f"{fig['small_ms']} → {fig['full_ms']} ms")
        for name, fig in data["depth"].items():
            add(f"deepest ÷ first page: {name} ({backend})", "depth", fig["ratio"],
                f"{fig['first_ms']} → {fig['deepest_ms']} ms")
    queries = results.get("queries", {})
    for key, row in queries.items():
        if isinstance(row, dict) and "counts" in row:
            add(f"statements at 5 vs 50 items: {key}", "queries", max(row["counts"]),
                f"{row['counts'][0]} vs {row['counts'][1]}")
            if row["counts"][0] != row["counts"][1]:
                rows[-1]["ok"] = False
    if "notification_list_sqlite" not in queries and queries:
        rows.append({"figure": "statements: notification list", "value": None, "target": "",
                     "ok": None, "detail": "not yet"})
    return rows


def markdown(results: dict, rows: list[dict]) -> str:
    """The short summary committed next to the JSON."""
    met = sum(1 for r in rows if r["ok"] is True)
    missed = [r for r in rows if r["ok"] is False]
    lines = [
        "# Benchmark results", "",
        f"Run {results['started']} on {results['machine']} "
        f"({'quick' if results['quick'] else 'full'} sizes, {results['seconds']:.0f} s). "
        "Every figure is a ratio against a reference measured in the same run.", "",
        f"**{met} of {sum(r['ok'] is not None for r in rows)} figures meet their target; "
        f"{len(missed)} miss.**", "",
        "| figure | value | target | ok | detail |", "|---|---|---|---|---|",
    ]
    for r in rows:
        mark = {True: "yes", False: "**no**", None: "-"}[r["ok"]]
        lines.append(f"| {r['figure']} | {r['value'] if r['value'] is not None else '-'} | "
                     f"{r['target']} | {mark} | {r['detail']} |")
    lines += ["", "See docs/benchmarks.md for what each figure measures and what was fixed.", ""]
    return "\n".join(lines)


def chart(rows: list[dict], path) -> None:
    """A horizontal bar per ratio figure, its target as a tick, misses in red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if isinstance(r["value"], int | float)
             and not r["figure"].startswith("statements")]
    if not shown:
        return
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(shown) + 1.2))
    names = [r["figure"] for r in shown]
    values = [r["value"] for r in shown]
    colours = ["#9e9e9e" if r["ok"] is None else "#2e7d32" if r["ok"] else "#c62828"
               for r in shown]
    ax.barh(range(len(shown)), values, color=colours)
    for i, r in enumerate(shown):
        if r["ok"] is None:  # a reference figure: no target tick
            continue
        target = float(r["target"].split()[1])
        ax.plot([target, target], [i - 0.4, i + 0.4], color="black", linewidth=2)
    ax.set_yticks(range(len(shown)), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("ratio (log scale); black tick = target; green met, red missed")
    ax.set_title("Commons benchmarks: ratios against same-run references")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Run the selected steps, then write the results."""
    started = time.monotonic()
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "quick": QUICK, "machine": f"{platform.node()} {os.cpu_count()} cores"}
    steps = _steps()
    results["generate"] = step_generate() if steps & {"growth", "http"} else {}
    for name, func in (("queries", step_queries), ("growth", step_growth),
                       ("http", step_http), ("chat", step_chat), ("stall", step_stall)):
        if name in steps:
            log(f"== {name}")
            try:
                results[name] = func()
            except Exception as error:  # one failed step must not lose the rest
                log(f"{name} failed: {error!r}")
                results[name + "_error"] = repr(error)
    results["seconds"] = time.monotonic() - started
    rows = verdicts(results)
    results["verdicts"] = rows
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(RESULTS / "latest.json", results)
    (RESULTS / "latest.md").write_text(markdown(results, rows))
    chart(rows, RESULTS / "latest.png")
    log(f"wrote {RESULTS / 'latest.md'}")
    print((RESULTS / "latest.md").read_text())


if __name__ == "__main__":
    main()
