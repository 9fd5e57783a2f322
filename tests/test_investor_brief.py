"""The investor brief (ui/brief.py) on the KPI fixture: what the Investors view shows, suppression included, as one
HTML page that needs nothing from the network — checked by reading it and by opening it in headless Chromium with
every non-file request refused."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from fixture_warehouse import AS_OF, KST
from streamlit.testing.v1 import AppTest

from ui import brief

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Apr 2024 … Mar 2025: March (the month in progress at as_of) included, as with the view's toggle on
PARAMS = {"start": dt.datetime(2024, 4, 1, tzinfo=KST), "end": dt.datetime(2025, 4, 1, tzinfo=KST), "as_of": AS_OF,
          "district": None, "domain": None, "category": None, "kind": None}


@pytest.fixture(autouse=True)
def fresh_caches(kpi_db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(kpi_db))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def page() -> str:
    cards, sections = brief.investor_content(PARAMS, True, True)
    return brief.html("세종 브리프", "2024년 4월 – 2025년 3월", cards, sections, "ko")


def test_the_brief_holds_the_views_numbers_with_small_groups_suppressed():
    cards, sections = brief.investor_content(PARAMS, True, True)
    # March: 23 reporters, 36 items, 5 proposals, 88 votes; February is "<5", so no change is shown
    assert cards == [("월간 활동 참여자", "23", None), ("신청 건수", "36", None), ("제안", "5", None), ("공감(투표)", "88", None)]
    assert [s.heading for s in sections] == ["월별 참여", "코호트 유지율", "참여 깔때기", "응답 성과 (접수 월 기준)"]
    engagement, performance = sections[0].table, sections[-1].table
    assert engagement.row(-1) == ("2025년 3월", "23", "36", "5", "88")
    assert set(engagement.head(11).drop("월").unpivot()["value"]) == {"<5"}
    assert performance.row(-1) == ("2025년 3월", "36", "72.2%", "3.0일", "67.7%")


def test_the_brief_is_one_self_contained_page(page):
    assert page.startswith("<!doctype html>") and page.count("<html") == 1
    assert re.findall(r"<script[^>]*\bsrc\s*=", page) == []  # plotly.js is inline, not loaded
    assert re.findall(r"<(?:link|img|iframe)\b", page) == [] and "@import" not in page
    assert page.count('class="plotly-graph-div"') == 4  # engagement, retention, funnel, performance
    assert len(re.findall(r"plotly\.js v\d", page)) == 1  # the library once, for all four charts
    assert "<td style=\"padding:3px 8px;border-bottom:1px solid #e0e4e8;text-align:right\">&lt;5</td>" in page
    assert "reporter_key" not in page and "R01" not in page  # aggregates only


def test_the_same_numbers_give_the_same_brief(page):
    # no random element ids (plotly's default is a fresh UUID per chart): a forwarded brief can be compared byte
    # for byte, and nothing in it varies from one download to the next
    cards, sections = brief.investor_content(PARAMS, True, True)
    assert brief.html("세종 브리프", "2024년 4월 – 2025년 3월", cards, sections, "ko") == page
    assert re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', page) == [f"brief-chart-{i}" for i in (1, 2, 3, 4)]


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (./run-tests installs it)")
def test_the_brief_draws_its_charts_offline(page, tmp_path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "brief.html"
    path.write_text(page, encoding="utf-8")
    refused = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()

            def only_files(route):
                if route.request.url.startswith(("file:", "data:", "blob:")):
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort()

            tab.route("**/*", only_files)
            tab.goto(path.as_uri())
            tab.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 4", timeout=60_000)
            assert tab.locator(".plotly-graph-div").count() == 4
            assert "2025년 3월" in tab.inner_text("body")
        finally:
            browser.close()
    assert refused == []


def test_the_investors_view_offers_the_download(kpi_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("views/investors.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith("-inv_brief")]
    assert len(buttons) == 1 and buttons[0].proto.label == "투자자 브리프 내려받기 (HTML)"
