"""The analysts' SQL console: write one SELECT over the marts and rollups, see at most 10,000 rows.

Every check and lock lives in warehouse/sqlguard.py and warehouse/sqlconsole.py; this is only the view.
Investors never get it (the page that calls `render()` decides who sees it).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import queries
import settings
from ui import fmt
from ui.i18n import t
from warehouse import sqlconsole

EXAMPLES = {
    "per_district": (
        ("읍면동별 민원 건수", "Complaints per district"),
        "select d.name_ko, d.name_en, count(*) as complaints\n"
        "from fct_complaints as c\n"
        "join dim_district as d using (district_code)\n"
        "group by all\n"
        "order by complaints desc, d.name_en",
    ),
    "weekly": (
        ("주별 접수·처리와 누적 미처리 (집계표, 창 함수)", "Received and closed per week, running open count (rollup, window)"),
        "with weekly as (\n"
        "    select date_trunc('week', day) as week, sum(received) as received, sum(closed) as closed\n"
        "    from agg_complaints_daily\n"
        "    group by all\n"
        ")\n"
        "select week, received, closed, sum(received - closed) over (order by week) as running_open\n"
        "from weekly\n"
        "order by week",
    ),
    "pm25": (
        ("센서별 초미세먼지 일평균", "Daily PM2.5 mean per sensor"),
        "select s.name, a.day, round(a.mean, 1) as pm25\n"
        "from agg_sensor_daily as a\n"
        "join dim_sensor as s using (sensor_id)\n"
        "where a.metric = 'pm25'\n"
        "order by a.day, s.name",
    ),
    "median_days": (
        ("분야별 처리 기간 중앙값 (일)", "Median days to close per domain"),
        "select domain, count(*) as closed,\n"
        "       round(median(date_diff('hour', requested_at, closed_at) / 24.0), 1) as median_days\n"
        "from fct_complaints\n"
        "where status = 'closed' and closed_at >= requested_at\n"
        "group by domain\n"
        "order by median_days desc",
    ),
}


def _use_example() -> None:
    """Put the chosen example into the text area (a callback runs before the widgets are drawn again)."""
    key = st.session_state.get("sqlc_example")
    if key in EXAMPLES:
        st.session_state["sqlc_sql"] = EXAMPLES[key][1]


@st.cache_data(ttl=900, show_spinner=False)
def _columns(path: str, version: tuple, allow_reporter_key: bool, hide_text: bool) -> dict[str, list[str]]:
    cur = queries.cursor(Path(path))
    try:
        return sqlconsole.columns(cur, allow_reporter_key=allow_reporter_key, hide_text=hide_text)
    finally:
        cur.close()


def _run(sql: str, db: Path, allow_reporter_key: bool, hide_text: bool) -> dict:
    """The outcome to keep in the session (so it survives reruns, e.g. a language switch)."""
    try:
        result = sqlconsole.run_console(sql, db, allow_reporter_key=allow_reporter_key, hide_text=hide_text)
    except sqlconsole.ConsoleError as e:
        return {"kind": type(e).__name__, "ko": e.ko, "en": e.en}
    return {"kind": "ok", "result": result}


def _show(outcome: dict) -> None:
    if outcome["kind"] == "ok":
        result = outcome["result"]
        n = result.frame.height
        st.dataframe(result.frame, hide_index=True, key="sqlc_result")
        st.caption(t(f"{fmt.num(n)}행 · {result.elapsed:.2f}초", f"{fmt.num(n)} rows · {result.elapsed:.2f} s"))
        if result.truncated:
            st.warning(t(f"처음 {fmt.num(sqlconsole.ROW_CAP)}행만 보여 줍니다. 결과가 더 있습니다: 조건이나 집계를 더하세요.",
                         f"Showing the first {fmt.num(sqlconsole.ROW_CAP)} rows; there are more: filter or aggregate."))
    elif outcome["kind"] == "TimedOut":
        st.warning(t(outcome["ko"], outcome["en"]))
    else:
        st.error(t(outcome["ko"], outcome["en"]))


def render(*, allow_reporter_key: bool = True, db: Path | None = None, hide_text: bool | None = None) -> None:
    """The console section: examples, the SQL box, Run, then the rows or the reason they were refused.

    Analysts may see reporter_key (a keyed pseudonym, not raw text); pass False to hide it.
    """
    db = Path(db or settings.db_path())
    if hide_text is None:  # complaint text is for the mayor's office only
        from ui.roles import sees_text

        hide_text = not sees_text()
    st.subheader(t("SQL 콘솔", "SQL console"))
    st.caption(t(
        f"읽기 전용 · SELECT(또는 WITH … SELECT) 한 문장 · 마트와 집계표만 · "
        f"{sqlconsole.TIMEOUT_S:g}초 제한 · 최대 {fmt.num(sqlconsole.ROW_CAP)}행",
        f"Read-only · one SELECT (or WITH … SELECT) · marts and rollups only · "
        f"{sqlconsole.TIMEOUT_S:g} s limit · at most {fmt.num(sqlconsole.ROW_CAP)} rows",
    ))
    st.selectbox(t("예시 쿼리", "Example queries"), list(EXAMPLES), index=None, key="sqlc_example",
                 placeholder=t("예시를 고르면 아래에 채워집니다", "Pick one to fill the box below"),
                 format_func=lambda k: t(*EXAMPLES[k][0]), on_change=_use_example)
    sql = st.text_area("SQL", key="sqlc_sql", height=180, placeholder="select … from fct_complaints …")
    if st.button(t("실행", "Run"), key="sqlc_run", type="primary"):
        st.session_state["sqlc_outcome"] = _run(sql or "", db, allow_reporter_key, hide_text)
    if outcome := st.session_state.get("sqlc_outcome"):
        _show(outcome)
    with st.expander(t("쓸 수 있는 표와 열", "Tables and columns you can use")):
        if db.exists():
            for table, cols in _columns(str(db), queries.version(db), allow_reporter_key, hide_text).items():
                st.markdown(f"**`{table}`** — " + ", ".join(f"`{c}`" for c in cols))
