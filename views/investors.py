"""Investors: is engagement real and growing? Aggregates only; any group under 5 reporters or items reads "<5"."""

import datetime as dt

import streamlit as st

import vega_charts
from ui import brief, fmt, vega
from ui import investors as inv
from ui import participation as part
from ui.data import freshness_caption, load
from ui.filters import sidebar_filters
from ui.glossary import BY_KEY
from ui.i18n import t

filters = sidebar_filters()
st.title(t("참여 성장 (투자자용)", "Engagement growth (investors)"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()
c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
month_labels = {n: t(f"최근 {n}개월", f"Last {n} months") for n in inv.MONTH_CHOICES}
months = c1.selectbox(t("기간", "Window"), inv.MONTH_CHOICES, index=1, key="inv_months", format_func=month_labels.get)
current = c2.toggle(t("진행 중인 달 포함 (부분 집계)", "Include the month in progress (partial)"), key="inv_current")
start, end = inv.window(filters, months, current)
params = {**filters.params(), "start": start, "end": end}
st.caption(
    f"{inv.month_label(start)} – {inv.month_label(end - dt.timedelta(days=1))} · "
    + t("사이드바 기간 대신, 기간 끝(또는 기준 시점)까지의 달력 월을 씁니다 (다른 필터는 적용). ",
        "Calendar months up to the period's end (or as_of), instead of the sidebar period (the other filters apply). ")
    + BY_KEY["small_group_suppression"].definition
)
cov = part.coverage()
reporters, proposals = part.has_reporters(cov), cov["proposals"] > 0
brief.download_button(params, start, end, reporters, proposals)  # the view as one offline HTML page

engagement = load("engagement_monthly", **params)
cards = [("active_participants", BY_KEY["active_participants"].name, reporters),
         ("submissions", t("신청 건수", "Submissions"), True),
         ("proposals", t("제안", "Proposals"), proposals), ("votes", t("공감(투표)", "Votes"), proposals)]
st.subheader(t("기간의 마지막 달 (전월 대비)", "Last month of the window (vs the month before)"))
for col, (column, label, available) in zip(st.columns(len(cards)), cards, strict=True):
    if available:
        value, delta = inv.month_delta(engagement, column)
        col.metric(label, value, delta, help=BY_KEY["small_group_suppression"].definition, border=True)
    else:
        col.metric(label, fmt.DASH, border=True)
        col.caption(part.not_available())

st.subheader(t("월별 참여", "Engagement by month"))
panels = [p for p, ok in [
    (("active_participants", BY_KEY["active_participants"].name, "count"), reporters),
    (("submissions", t("신청 건수", "Submissions"), "count"), True),
    (("proposals", t("제안", "Proposals"), "count"), proposals),
    (("votes", t("공감(투표)", "Votes"), "count"), proposals),
] if ok]
vega.chart(vega_charts.monthly_panels(engagement, "month", panels), "inv_engagement", width="content")
month_col = {"month": (t("월", "Month"), inv.month_label)}
st.dataframe(inv.display(engagement, month_col | {c: (label, fmt.num) for c, label, _ in panels}),
             hide_index=True, key="inv_engagement_table")

st.subheader(BY_KEY["cohort_retention"].name)
if reporters:
    retention = load("cohort_retention", **params)
    vega.chart(vega_charts.retention_heatmap(retention, "", t("첫 신청 후 개월", "Months since first item"),
                                             t("코호트 (첫 신청 월)", "Cohort (month of first item)")), "inv_retention")
    st.caption(BY_KEY["cohort_retention"].definition)
else:
    st.info(BY_KEY["cohort_retention"].name + ": " + part.not_available())

st.subheader(BY_KEY["engagement_funnel"].name)
if reporters:
    stages = load("investor_funnel", **params)
    names = {"reporters": t("신청인", "Reporters"), "repeat": t("재참여", "Repeat"),
             "proposer": t("제안자", "Proposers"), "adopted_proposer": t("채택된 제안자", "Adopted proposers")}
    texts = [inv.SUPPRESSED if s else f"{n:,} ({fmt.pct(p, 0)})"
             for n, p, s in zip(stages["reporters"], stages["share"], stages["suppressed"], strict=True)]
    left, right = st.columns([3, 2])
    vega.chart(vega_charts.funnel([names[s] for s in stages["stage"]], stages["reporters"].to_list(), texts, ""), "inv_funnel", left)
    right.caption(BY_KEY["engagement_funnel"].definition)
else:
    st.info(BY_KEY["engagement_funnel"].name + ": " + part.not_available())

st.subheader(t("응답 성과 (접수 월 기준)", "Response performance (by month of receipt)"))
performance = load("performance_monthly", **params)
perf_panels = [("received", BY_KEY["received"].name, "count"), ("resolution_rate", BY_KEY["resolution_rate"].name, "pct"),
               ("median_days_to_close", BY_KEY["median_days_to_close"].name, "days"),
               ("on_time_rate", BY_KEY["on_time_rate"].name, "pct")]
vega.chart(vega_charts.monthly_panels(performance, "month", perf_panels), "inv_performance", width="content")
formats = {"received": fmt.num, "resolution_rate": fmt.pct, "median_days_to_close": fmt.days, "on_time_rate": fmt.pct}
st.dataframe(inv.display(performance, month_col | {c: (label, formats[c]) for c, label, _ in perf_panels}),
             hide_index=True, key="inv_performance_table")
