"""Browser time from navigation to the first chart drawn, per page, with a cold and a warm browser cache, where
that time goes, and the dashboard's memory (RSS) while 5 sessions browse at once: a real `streamlit run
dashboard.py` and headless Debian Chromium (playwright).

"First chart drawn" = the first visible plotly chart with its SVG, Vega-Lite chart with its canvas, or the map's
canvas, timed in the page itself (`performance.now()` from the navigation's start) by a MutationObserver. A page
without a chart is timed to its first table, else to the end of its script run (marked `table` or `script end`).

Cold = a fresh browser context per navigation (empty HTTP cache, no V8 code cache): a first visit. Warm = one
browser profile on disk, like a real user's, that has opened the page before: Streamlit serves its content-hashed
JS chunks `public, immutable, max-age=31536000`, so they come from the disk cache. The mayor opens the dashboard
every morning in the same browser, so the target applies to warm.

Where the time goes, per visit, in ms and in sequence, so the phases add up to the first chart:
boot (HTML, JS bundle, websocket open), server (session start and script run until the chart's element arrives
over the websocket), fetch (the element's lazily loaded JS chunk: PlotlyChart, ArrowVegaLiteChart, DeckGlJsonChart or DataFrame),
parse (waiting for the chunk's off-thread compile), eval (the chunk's module evaluation on the main thread, from
the Long Animation Frames API) and draw (rendering whatever arrived meanwhile: the page's charts are drawn together).
Network timings and websocket frames (decoded as Streamlit ForwardMsgs) come from the Chrome DevTools Protocol.

`python -m bench.browser_bench compare BEFORE_ROOT AFTER_ROOT --db DB` measures two checkouts side by side (each
visit of one right after the same visit of the other), for before/after figures of a change.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.pages_bench import ROOT, pages
from bench.report import stats
from warehouse import store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CHART = ('.js-plotly-plot .main-svg, [data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, '
         '[data-testid="stDeckGlJsonChart"] canvas')
TABLE = '[data-testid="stDataFrame"] canvas, [data-testid="stTable"]'
# marks the first visible chart, the first visible table and the end of the script run, in ms since navigation
WATCH = """
(() => {
  const seen = (sel) => [...document.querySelectorAll(sel)].some(e => e.getBoundingClientRect().height > 0);
  const mark = () => {
    if (window.__chart === undefined && seen(CHART_SEL)) window.__chart = performance.now();
    if (window.__table === undefined && seen(TABLE_SEL)) window.__table = performance.now();
    if (window.__done === undefined) {
      const app = document.querySelector('[data-testid="stApp"]');
      if (app && app.getAttribute('data-test-script-state') === 'notRunning' && document.querySelector('h1'))
        window.__done = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true});
  setInterval(mark, 10);
})();
""".replace("CHART_SEL", repr(CHART)).replace("TABLE_SEL", repr(TABLE))
# main-thread evaluation of each JS module that took part in a long animation frame: [url, start ms, duration ms]
LOAF = """
(() => {
  window.__modules = [];
  try {
    new PerformanceObserver((list) => {
      for (const frame of list.getEntries())
        for (const s of frame.scripts)
          if (s.invokerType === 'module-script') window.__modules.push([s.sourceURL, s.startTime, s.duration]);
    }).observe({type: 'long-animation-frame', buffered: true});
  } catch (e) {}
})();
"""
VIEWPORT = {"width": 1400, "height": 1000}
# the element a first screen is timed to → the prefix of the JS chunk the frontend loads to draw it
CHART_ELEMENTS = ("plotly_chart", "vega_lite_chart", "deck_gl_json_chart")
TABLE_ELEMENTS = ("dataframe", "arrow_data_frame")
CHUNKS = {"plotly_chart": "PlotlyChart.", "vega_lite_chart": "ArrowVegaLiteChart.", "deck_gl_json_chart": "DeckGlJsonChart.",
          "dataframe": "DataFrame.", "arrow_data_frame": "DataFrame."}
PHASES = ("boot", "server", "fetch", "parse", "eval", "draw")


def available() -> bool:
    return Path(CHROMIUM).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run dashboard.py` on a free local port with the tier's warehouse."""

    def __init__(self, db: Path, log: Path, root: Path = ROOT):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "WAREHOUSE_PATH": str(db), "DASHBOARD_AUTH": "demo"}  # demo role: every page
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not start (log: {log})")

    def rss_mb(self) -> float:
        """Resident memory of the server process now (VmRSS)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class _Recorder:
    """Network events of one tab over the Chrome DevTools Protocol: HTTP requests and websocket frames."""

    EVENTS = ("requestWillBeSent", "responseReceived", "loadingFinished", "webSocketHandshakeResponseReceived",
              "webSocketFrameReceived")

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    async def attach(self, context, page) -> None:
        cdp = await context.new_cdp_session(page)
        for name in self.EVENTS:
            cdp.on(f"Network.{name}", lambda params, name=name: self.events.append((name, params)))
        await cdp.send("Network.enable")

    def milestones(self, time_origin: float, modules: list, drawn_ms: float, until: str) -> dict:
        """Phases in ms (see the module docstring) and facts of the visit, on the page's performance.now() clock."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        doc = next((p for n, p in self.events if n == "requestWillBeSent" and p.get("type") == "Document"), None)
        if doc is None:  # no navigation recorded: every phase unknown
            return {"ms": dict.fromkeys(PHASES, 0.0), "charts_before_draw": 0, "chunk": None, "chunk_from_cache": None,
                    "chunk_cache_control": None}
        shift = doc["wallTime"] * 1000 - time_origin - doc["timestamp"] * 1000  # CDP monotonic s → page ms

        def at(params: dict) -> float:
            return params["timestamp"] * 1000 + shift

        ws_open, deltas, requests = None, [], {}
        for name, params in self.events:
            if name == "webSocketHandshakeResponseReceived" and ws_open is None:
                ws_open = at(params)
            elif name == "webSocketFrameReceived" and params["response"]["opcode"] == 2:  # binary = a ForwardMsg
                msg = ForwardMsg()
                msg.ParseFromString(base64.b64decode(params["response"]["payloadData"]))
                kind = msg.WhichOneof("type")
                element = msg.delta.new_element.WhichOneof("type") if kind == "delta" else kind
                deltas.append((at(params), element))
            elif name == "requestWillBeSent":
                requests[params["requestId"]] = {"url": params["request"]["url"]}
            elif name == "responseReceived" and params["requestId"] in requests:
                response = params["response"]
                requests[params["requestId"]].update(
                    cache=bool(response.get("fromDiskCache") or response.get("fromMemoryCache")),
                    cache_control={k.lower(): v for k, v in response["headers"].items()}.get("cache-control"))
            elif name == "loadingFinished" and params["requestId"] in requests:
                requests[params["requestId"]]["end"] = at(params)
        wanted = {"chart": CHART_ELEMENTS, "table": TABLE_ELEMENTS}.get(until, ("script_finished",))
        element_at, element = next(((t, e) for t, e in deltas if e in wanted), (drawn_ms, None))
        chunk_name = CHUNKS.get(element)
        chunk = next((r for r in requests.values() if chunk_name and r["url"].rsplit("/", 1)[-1].startswith(chunk_name)
                      and r["url"].endswith(".js") and "end" in r), {})
        evaluation = next(((start, dur) for url, start, dur in modules
                           if chunk_name and url.rsplit("/", 1)[-1].startswith(chunk_name)), None)
        # in sequence, each milestone no earlier than the one before it, so that the phases add up to drawn_ms
        marks = [0.0, ws_open or 0.0, element_at, chunk.get("end", 0.0),
                 evaluation[0] if evaluation else 0.0, sum(evaluation) if evaluation else 0.0, drawn_ms]
        for i in range(1, len(marks)):
            marks[i] = min(max(marks[i], marks[i - 1]), drawn_ms)
        return {
            "ms": {phase: marks[i + 1] - marks[i] for i, phase in enumerate(PHASES)},
            "charts_before_draw": sum(1 for t, e in deltas if e in CHART_ELEMENTS and t <= drawn_ms),
            "chunk": chunk_name.rstrip(".") if chunk_name else None,
            "chunk_from_cache": chunk.get("cache"), "chunk_cache_control": chunk.get("cache_control"),
        }


async def _visit(context, url: str, timeout_s: float = 180, detail: bool = False) -> dict:
    """Seconds from navigation start to the first chart drawn; on a page whose first screen has no chart
    (charts in closed tabs, tables only), to its first table, else to the end of its script run.
    With detail, also where the time went (see _Recorder.milestones)."""
    page = await context.new_page()
    recorder = _Recorder()
    try:
        if detail:
            await recorder.attach(context, page)
        await page.goto(url, wait_until="commit")
        deadline = time.monotonic() + timeout_s
        done_at, result = None, None
        while time.monotonic() < deadline and result is None:
            chart, table, done = await page.evaluate("[window.__chart, window.__table, window.__done]")
            if chart is not None:
                result = (chart, "chart")
            elif done is not None:
                done_at = done_at or time.monotonic()
                if time.monotonic() - done_at > 5:  # finished, and no chart came within 5 s
                    result = (table, "table") if table is not None else (done, "script end")
            if result is None:
                await asyncio.sleep(0.02)
        ms, until = result or (timeout_s * 1000, "timeout")  # a timeout is reported as such
        out = {"s": ms / 1000, "until": until}
        if detail:
            await asyncio.sleep(0.1)  # the long-animation-frame entries of the frames just ended
            origin, modules = await page.evaluate("[performance.timeOrigin, window.__modules || []]")
            out.update(recorder.milestones(origin, modules, ms, until))
        return out
    finally:
        await page.close()


def _path(url_path: str, first: str) -> str:
    return "" if url_path == first else url_path  # the default page lives at the root URL


def _summary(first: dict, visits: dict[str, list[dict]]) -> dict:
    """One page's figures: warm seconds as `s` (raw: bench/__main__ takes their stats), cold and phases as stats."""
    def until(vs: list[dict]) -> str:
        return statistics.mode(v["until"] for v in vs)

    warm, cold = visits["warm"], visits["cold"]
    return {
        "first_visit_s": first["s"], "s": [v["s"] for v in warm], "until": until(warm),
        "cold": {"s": stats([v["s"] for v in cold]), "until": until(cold)},
        "phases": {mode: {k: stats([v["ms"][k] for v in vs]) for k in PHASES} for mode, vs in visits.items()},
        "charts_before_draw": {mode: statistics.median(v["charts_before_draw"] for v in vs) for mode, vs in visits.items()},
        "chunk": {mode: {"name": vs[-1]["chunk"], "from_cache": sum(bool(v["chunk_from_cache"]) for v in vs),
                         "cache_control": vs[-1]["chunk_cache_control"]} for mode, vs in visits.items()},
        "raw": visits,
    }


async def _first_chart(bases: dict[str, str], runs: int, only: list[str] | None = None) -> dict:
    """Per server (label → base URL) and page: one unmeasured visit (it fills the query cache, which sessions share,
    and the warm profile's HTTP cache), then `runs` times a cold and a warm visit, servers interleaved."""
    from playwright.async_api import async_playwright

    urls = [u for u, _ in pages()]
    out: dict = {label: {} for label in bases}
    measured = [u for u in urls if not only or u in only]
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = await p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                              viewport=VIEWPORT)
            await warm.add_init_script(WATCH)
            await warm.add_init_script(LOAF)
            try:
                for url_path in measured:
                    target = {label: f"{base}/{_path(url_path, urls[0])}?lang=ko" for label, base in bases.items()}
                    first = {label: await _visit(warm, url) for label, url in target.items()}
                    visits = {label: {"warm": [], "cold": []} for label in bases}
                    for i in range(runs):
                        for label in (list(bases) if i % 2 == 0 else list(reversed(bases))):  # alternate who goes first
                            cold = await browser.new_context(viewport=VIEWPORT)
                            await cold.add_init_script(WATCH)
                            await cold.add_init_script(LOAF)
                            visits[label]["cold"].append(await _visit(cold, target[label], detail=True))
                            await cold.close()
                            visits[label]["warm"].append(await _visit(warm, target[label], detail=True))
                    for label in bases:
                        out[label][url_path] = _summary(first[label], visits[label])
            finally:
                await warm.close()
                await browser.close()
    return out


async def _sessions(base: str, n: int, server: Server) -> dict:
    """n browser contexts (n sessions) each visiting every page, all at once, while RSS is sampled."""
    from playwright.async_api import async_playwright

    urls = [u for u, _ in pages()]
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(server.rss_mb())
            time.sleep(0.1)

    before = server.rss_mb()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            async def browse(k: int) -> None:
                context = await browser.new_context(viewport=VIEWPORT)
                await context.add_init_script(WATCH)
                for i in range(len(urls)):
                    url_path = urls[(i + k) % len(urls)]  # sessions start on different pages
                    await _visit(context, f"{base}/{_path(url_path, urls[0])}?lang=ko")
                await context.close()

            await asyncio.gather(*(browse(k) for k in range(n)))
        finally:
            await browser.close()
    stop.set()
    thread.join()
    return {"sessions": n, "rss_before_mb": before, "rss_peak_mb": max(samples), "rss_after_mb": server.rss_mb(),
            "seconds": time.perf_counter() - t0}


def measure(db: Path, runs: int, log: Path, sessions: int = 5) -> dict:
    """First-chart times per page (warm and cold cache, with phases), then memory with `sessions` concurrent
    sessions, on one fresh server."""
    server = Server(db, log)
    try:
        charts = asyncio.run(_first_chart({"": server.url}, runs))[""]
        memory = asyncio.run(_sessions(server.url, sessions, server))
    finally:
        server.stop()
    return {"pages": charts, "memory": memory, "warm": WARM, "cold": COLD}


WARM = "one browser profile on disk that has opened the page before (JS chunks from its HTTP disk cache): the mayor's morning"
COLD = "a fresh browser context per navigation (empty HTTP cache): a first visit"


def compare(trees: dict[str, tuple[Path, Path]], runs: int, log_dir: Path, only: list[str] | None = None) -> dict:
    """Side by side: label → (checkout root, warehouse file); one server each, visits interleaved."""
    servers = {label: Server(db, log_dir / f"streamlit-{label}.log", root=root) for label, (root, db) in trees.items()}
    try:
        return asyncio.run(_first_chart({label: s.url for label, s in servers.items()}, runs, only))
    finally:
        for server in servers.values():
            server.stop()


def compare_markdown(res: dict) -> str:
    """The side-by-side as a table: first chart warm and cold per page, median (min–max) ms, then the warm phases."""
    labels = list(res)

    def ms(s: dict) -> str:
        return f"{s['median'] * 1000:,.0f} ({s['min'] * 1000:,.0f}–{s['max'] * 1000:,.0f})"

    lines = ["| page | " + " | ".join(f"{lb} warm ms" for lb in labels) + " | " + " | ".join(f"{lb} cold ms" for lb in labels) + " |",
             "|---" * (1 + 2 * len(labels)) + "|"]
    for page in res[labels[0]]:
        warm = [ms(stats(res[lb][page]["s"])) + ("" if res[lb][page]["until"] == "chart" else f" {res[lb][page]['until']}")
                for lb in labels]
        cold = [ms(res[lb][page]["cold"]["s"]) for lb in labels]
        lines.append(f"| {page} | " + " | ".join(warm + cold) + " |")
    lines += ["", "Warm phases, median ms: " + ", ".join(PHASES), "",
              "| page | " + " | ".join(labels) + " |", "|---" * (1 + len(labels)) + "|"]
    for page in res[labels[0]]:
        cells = [" / ".join(f"{res[lb][page]['phases']['warm'][k]['median']:,.0f}" for k in PHASES) for lb in labels]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser_bench", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="two checkouts side by side on copies of one warehouse")
    c.add_argument("before", type=Path, help="root of the checkout before the change")
    c.add_argument("after", type=Path, help="root of the checkout after the change")
    c.add_argument("--db", type=Path, required=True, help="warehouse file (copied once per checkout, never written)")
    c.add_argument("--runs", type=int, default=5)
    c.add_argument("--pages", default=None, help="comma-separated url paths (default: every page)")
    c.add_argument("--out", type=Path, default=None, help="JSON with every visit (default: none)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        trees = {}
        for label, root in (("before", args.before), ("after", args.after)):
            copy = Path(tmp) / f"{label}.duckdb"
            store.copy(args.db, copy)  # one warehouse per server process: DuckDB locks a file per process
            trees[label] = (root.resolve(), copy)
        res = compare(trees, args.runs, Path(tmp), args.pages.split(",") if args.pages else None)
    if args.out:
        args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(compare_markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
