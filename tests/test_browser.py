"""Real browser pass: `streamlit run dashboard.py` on a fresh warehouse path, every page in both
languages in headless Chromium; fails on any exception element; saves a screenshot of each page.

The first navigation also proves the first-start promise: the app builds the demo warehouse itself
and the first page appears within a minute of starting the server.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGES = re.findall(r'url_path="([a-z_]+)"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))
FIRST_PAGE_SECONDS = 60

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (./run-tests installs it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `streamlit run dashboard.py` whose warehouse does not exist yet (first start)."""
    home = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = {**os.environ, "WAREHOUSE_PATH": str(home / "warehouse.duckdb"), "WAREHOUSE_REPORTER_KEY": "browser-test",
           "WAREHOUSE_RAW_DIR": str(home / "raw"), "WAREHOUSE_PROFILES_DIR": str(home / "profiles")}  # uploads stay in tmp
    log = open(home / "streamlit.log", "w")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield {"url": f"http://127.0.0.1:{port}", "started": started, "log": home / "streamlit.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _settle(page, timeout_s: float = 60) -> None:
    """Wait until the script run has finished and the page stopped changing for 2 s (charts drawn)."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout_s * 1000)
    deadline, last, stable_since = time.monotonic() + timeout_s, None, None
    while time.monotonic() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        shape = (state, page.locator("[data-testid]").count(), page.locator(".js-plotly-plot, canvas").count(),
                 page.locator('[data-testid="stSkeleton"]').count())
        if state != "notRunning" or shape[3] or shape != last:
            last, stable_since = shape, time.monotonic()
        elif time.monotonic() - stable_since > 2.0:
            return
        page.wait_for_timeout(200)
    raise AssertionError("the page did not finish running in time")


def _assert_clean(page) -> None:
    """No exception box and no 'Page not found' dialog."""
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert page.get_by_text("Page not found").count() == 0, "the URL did not reach a page"


def test_first_start_builds_demo_and_shows_overview_within_a_minute(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"], wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=FIRST_PAGE_SECONDS * 1000 * 2)
    elapsed = time.monotonic() - server["started"]
    _settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "first-start.png"), full_page=True)
    _assert_clean(page)
    print(f"first page after {elapsed:.1f} s")
    assert elapsed <= FIRST_PAGE_SECONDS, f"first page took {elapsed:.1f} s (log: {server['log']})"
    page.close()


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_exception(server, browser, path, lang):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    url_path = "" if path == PAGES[0] else path  # the default page lives at the root URL
    page.goto(f"{server['url']}/{url_path}?lang={lang}", wait_until="domcontentloaded")
    _settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}-{lang}.png"), full_page=True)
    _assert_clean(page)
    assert page.locator("h1").count() >= 1
    body = page.locator('[data-testid="stMain"]').inner_text()
    hangul = len(re.findall(r"[가-힣]", body))
    if lang == "ko":
        assert hangul > 20, "a Korean page shows Korean"
    page.close()


@pytest.mark.parametrize(("path", "param", "first_labels", "count"), [
    ("linkage", "tab", ["Linkage", "Lead time and blind spots"], 7),
    ("infrastructure", "infra_tab", ["Sensor health", "Latest readings"], 5),
])
def test_every_tab_renders_and_is_kept_in_the_url(server, browser, path, param, first_labels, count):
    """The views with tabs run only their open tab: a click on each tab reruns the page with that tab."""
    _wait_for_port(server["url"])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server['url']}/{path}?lang=en", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stTab"]', timeout=300_000)  # after the demo build, if this runs first
    _settle(page)
    labels = [t.inner_text() for t in page.locator('[data-testid="stTab"]').all()]
    assert labels[:2] == first_labels and len(labels) == count
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i, label in enumerate(labels[1:], start=1):
        page.locator('[data-testid="stTab"]').nth(i).click()
        _settle(page)
        _assert_clean(page)
        assert page.locator('[data-testid="stTab"][aria-selected="true"]').inner_text() == label
        assert f"{param}=" in page.url, page.url
        page.screenshot(path=str(ARTIFACTS / f"{path}-tab{i}-en.png"), full_page=True)
    page.close()


def test_every_page_is_in_the_browser_test():
    assert set(PAGES) >= {"overview", "glossary"}


def test_upload_la311_file_on_the_data_page(server, browser):
    """The real upload flow: the file input of the Data page, the suggested profile, confirm, the batch report."""
    la = Path(__file__).resolve().parent / "fixtures" / "real" / "la311_2018_sample.csv"
    _wait_for_port(server["url"])  # when this test runs first, the server may still be starting
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server['url']}/data?lang=en", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=300_000)  # after the demo build, if this runs first
    _settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(la))
    page.get_by_text("Preview: rows read 10,000 = valid 10,000").wait_for(timeout=60_000)
    _settle(page)
    _assert_clean(page)
    assert page.get_by_text("Matched fields: source_id ← SRNumber, requested_at ← CreatedDate, status ← Status").count() == 1
    page.get_by_role("button", name="Confirm: load into the warehouse").click()
    report = page.get_by_text(re.compile(r"Batch \d+ loaded: 10,000 rows read = 10,000 loaded \+ 0 updated"))
    report.wait_for(timeout=120_000)
    _settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-la311-en.png"), full_page=True)
    _assert_clean(page)
    assert re.search(r"Batch \d+ loaded: 10,000 rows read = 10,000 loaded \+ 0 updated \+ 0 duplicate \+ 0 quarantined",
                     report.inner_text())
    page.close()


def _wait_for_port(url: str, timeout_s: float = 60) -> None:
    host, port = url.rsplit("/", 1)[-1].split(":")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
