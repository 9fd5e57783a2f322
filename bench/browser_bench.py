"""Browser time from navigation to the first chart drawn, per page, and the dashboard's memory (RSS) while
5 sessions browse at once: a real `streamlit run dashboard.py` and headless Debian Chromium (playwright).

"First chart drawn" = the first plotly chart with its SVG in the page, or the map's canvas, timed in the page
itself (`performance.now()` from the navigation's start) by a MutationObserver. A page without a chart is
timed to its first table, else to the end of its script run (marked `table` or `script end`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.pages_bench import ROOT, pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CHART = '.js-plotly-plot .main-svg, [data-testid="stDeckGlJsonChart"] canvas'
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


def available() -> bool:
    return Path(CHROMIUM).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run dashboard.py` on a free local port with the tier's warehouse."""

    def __init__(self, db: Path, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "WAREHOUSE_PATH": str(db), "DASHBOARD_AUTH": "demo"}  # demo role: every page
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
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


async def _visit(context, url: str, timeout_s: float = 180) -> tuple[float, str]:
    """Seconds from navigation start to the first chart drawn; on a page whose first screen has no chart
    (charts in closed tabs, tables only), to its first table, else to the end of its script run."""
    page = await context.new_page()
    try:
        await page.goto(url, wait_until="commit")
        deadline = time.monotonic() + timeout_s
        done_at = None
        while time.monotonic() < deadline:
            chart, table, done = await page.evaluate("[window.__chart, window.__table, window.__done]")
            if chart is not None:
                return chart / 1000, "chart"
            if done is not None:
                done_at = done_at or time.monotonic()
                if time.monotonic() - done_at > 5:  # finished, and no chart came within 5 s
                    return (table / 1000, "table") if table is not None else (done / 1000, "script end")
            await asyncio.sleep(0.02)
        return timeout_s, "timeout"  # reported as such: no chart and no end of script in time
    finally:
        await page.close()


def _path(url_path: str, first: str) -> str:
    return "" if url_path == first else url_path  # the default page lives at the root URL


async def _first_chart(base: str, runs: int) -> dict:
    from playwright.async_api import async_playwright

    urls = [u for u, _ in pages()]
    out: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for url_path in urls:
                times, what = [], "chart"
                for _ in range(runs + 1):  # one unmeasured visit first: the server's query cache is shared by sessions
                    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                    await context.add_init_script(WATCH)
                    seconds, what = await _visit(context, f"{base}/{_path(url_path, urls[0])}?lang=ko")
                    await context.close()
                    times.append(seconds)
                out[url_path] = {"first_visit_s": times[0], "s": times[1:], "until": what}
        finally:
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
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
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
    """First-chart times per page, then memory with `sessions` concurrent sessions, on one fresh server."""
    server = Server(db, log)
    try:
        charts = asyncio.run(_first_chart(server.url, runs))
        memory = asyncio.run(_sessions(server.url, sessions, server))
    finally:
        server.stop()
    return {"pages": charts, "memory": memory}
