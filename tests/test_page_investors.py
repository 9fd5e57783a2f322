"""The Investors page (AppTest) on the KPI fixture: aggregates only, never a reporter key, no group under 5.

The fixture's months (KST): December 2024 O01 (R24), February 2025 O02 (R25), March 2025 the 36 P and C rows
(reporters R01 … R23, proposals P07 P08 C10 C11 C12 with 88 votes). as_of = 2025-03-29 23:00, so March is the
month in progress: the page leaves it out until "include the month in progress" is switched on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers_charts import rows, vega_charts
from streamlit.testing.v1 import AppTest

from warehouse import store

ROOT = Path(__file__).resolve().parents[1]
MONTHS_KO = [f"2024년 {m}월" for m in range(4, 13)] + [f"2025년 {m}월" for m in range(1, 4)]  # Apr 2024 … Mar 2025
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success")


def open_page(monkeypatch, db: Path, lang: str = "ko") -> AppTest:
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/investors.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def include_march(at: AppTest) -> AppTest:
    at.toggle(key="inv_current").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> list[tuple[str, str, str]]:
    return [(m.label, m.value, m.delta) for m in at.metric]



TABLES = ("inv_engagement_table", "inv_performance_table")  # in page order (AppTest gives dataframes no key)


def table(at: AppTest, key: str) -> pd.DataFrame:
    assert len(at.dataframe) == len(TABLES)
    return at.dataframe[TABLES.index(key)].value


def test_complete_months_only_everything_is_under_5(monkeypatch, kpi_db):
    # default: 12 complete months Mar 2024 … Feb 2025; only O01 (Dec) and O02 (Feb) fall in them
    at = open_page(monkeypatch, kpi_db)
    assert [m[1] for m in metrics(at)] == ["<5"] * 4
    engagement = table(at, "inv_engagement_table")
    assert engagement["월"].tolist() == [f"2024년 {m}월" for m in range(3, 13)] + ["2025년 1월", "2025년 2월"]
    assert set(engagement.drop(columns="월").stack()) == {"<5"}
    assert set(table(at, "inv_performance_table").drop(columns="월").stack()) == {"<5"}


def test_including_the_month_in_progress_shows_march(monkeypatch, kpi_db):
    at = include_march(open_page(monkeypatch, kpi_db))
    # March: 23 reporters, 36 items, 5 proposals, 40 + 3 + 25 + 8 + 12 = 88 votes; February is "<5", so no delta
    assert metrics(at) == [("월간 활동 참여자", "23", ""), ("신청 건수", "36", ""), ("제안", "5", ""), ("공감(투표)", "88", "")]
    engagement = table(at, "inv_engagement_table")
    assert engagement["월"].tolist() == MONTHS_KO
    assert engagement.iloc[-1].tolist() == ["2025년 3월", "23", "36", "5", "88"]
    assert set(engagement.iloc[:-1].drop(columns="월").stack()) == {"<5"}
    # March performance: 26 closed / 36; median of the 25 durations = 3.0 days (P06); on time 21 / 31
    performance = table(at, "inv_performance_table")
    assert performance.iloc[-1].tolist() == ["2025년 3월", "36", "72.2%", "3.0일", "67.7%"]
    # funnel over Apr 2024 … Mar 2025: R01 … R25 = 25; 2+ items R01 R02 R03 R05 R21 = 5; proposer R21 = 1 → <5
    stages = rows(at, "inv_funnel")
    assert [r["text"] for r in stages] == ["25 (100%)", "5 (20%)", "<5", "<5"]
    assert [r["value"] for r in stages] == [25, 5, None, None]
    # retention: every cohort under 5 but March (23 new reporters, +0 = 100 %)
    heat = rows(at, "inv_retention")
    march = [r for r in heat if r["cohort"] == "2025-03"]
    assert [(r["offset"], r["text"], r["retention"]) for r in march] == [("+0", "100%", 1.0)]
    assert {r["text"] for r in heat if r["cohort"] != "2025-03"} == {"<5"}  # no cell after the window's last month
    assert all(r["retention"] is None for r in heat if r["text"] == "<5")


def test_english(monkeypatch, kpi_db):
    at = include_march(open_page(monkeypatch, kpi_db, lang="en"))
    assert at.title[0].value == "Engagement growth (investors)"
    assert [m[0] for m in metrics(at)] == ["Monthly active participants", "Submissions", "Proposals", "Votes"]
    assert table(at, "inv_engagement_table").iloc[-1].tolist() == ["Mar 2025", "23", "36", "5", "88"]
    assert table(at, "inv_performance_table").iloc[-1].tolist() == ["Mar 2025", "36", "72.2%", "3.0 d", "67.7%"]


# --- privacy: no reporter key anywhere, no group under 5 -----------------------------------------------------


def reporter_keys(db: Path) -> set[str]:
    con = store.connect(db, read_only=True)
    try:
        return {k for (k,) in con.execute("select distinct reporter_key from fct_complaints where reporter_key is not null").fetchall()}
    finally:
        con.close()


def everything_shown(at: AppTest) -> list[str]:
    """Every string the user can see: text elements, metrics, widget labels and options, table cells, chart specs."""
    shown: list[str] = []
    for kind in TEXT_ELEMENTS:
        shown += [str(e.value) for e in at.get(kind)]
    shown += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    shown += [f"{w.label} {getattr(w, 'options', '')}" for w in (*at.selectbox, *at.toggle)]
    for frame in at.dataframe:
        shown += [str(c) for c in frame.value.columns] + [str(v) for v in frame.value.stack()]
    shown += [c.proto.spec for c in at.get("plotly_chart")] + [json.dumps(s, ensure_ascii=False) for s in vega_charts(at).values()]
    return shown


def assert_no_small_group(at: AppTest) -> None:
    """Every count shown (metric, table cell of a count column, count bar, funnel stage) is "<5" or at least 5."""
    for m in at.metric:
        assert m.value in ("<5", "–") or int(m.value.replace(",", "")) >= 5, m
    count_columns = {"월간 활동 참여자", "신청 건수", "제안", "공감(투표)", "접수 건수",
                     "Monthly active participants", "Submissions", "Proposals", "Votes", "Received"}
    for frame in at.dataframe:
        for column in count_columns & set(frame.value.columns):
            for cell in frame.value[column]:
                assert cell == "<5" or int(cell.replace(",", "")) >= 5, (column, cell)
        # a rate is only shown for a month whose items are shown (at least 5 received)
        for rate in {"처리율", "기한 내 처리율", "Resolution rate", "On-time rate"} & set(frame.value.columns):
            received = "접수 건수" if "접수 건수" in frame.value.columns else "Received"
            for n, value in zip(frame.value[received], frame.value[rate], strict=True):
                assert n != "<5" or value == "<5", (rate, n, value)
    for key in ("inv_engagement", "inv_performance"):
        spec = vega_charts(at)[key]
        for panel in [panel for row in spec["vconcat"] for panel in row["hconcat"]]:
            drawn, *marks = panel["layer"]
            if drawn["mark"]["type"] == "bar":
                field = drawn["encoding"]["y"]["field"]
                assert all(r[field] is None or r[field] >= 5 for r in spec["data"]["values"]), field
            assert all(m["encoding"]["text"] == {"value": "<5"} for m in marks)  # the only text: "<5" where hidden
    assert all(r["value"] is None or r["value"] >= 5 for r in rows(at, "inv_funnel"))


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("district", [None, "3611010700"])  # all, and 나성동 (6 items in March, mostly "<5")
def test_no_reporter_key_and_no_group_under_5(monkeypatch, kpi_db, lang, district):
    keys = reporter_keys(kpi_db)
    assert len(keys) == 25  # R01 … R25 hashed
    at = include_march(open_page(monkeypatch, kpi_db, lang))
    if district:
        at.sidebar.selectbox(key="district").set_value(district).run()
        assert not at.exception
        # 나성동 March: 6 items (P06 P11 C06 C16 C14 C21) by R05 R12 R16 (3 reporters → "<5")
        assert table(at, "inv_engagement_table").iloc[-1].tolist()[1:3] == ["<5", "6"]
    shown = "\n".join(everything_shown(at))
    assert not [k for k in keys if k in shown]
    assert not re.search(r"\bR\d{2}\b", shown)  # nor the source's 민원인번호
    assert_no_small_group(at)
