"""Overview (mayor's office, the default page): city score, headline KPIs, trend, worst districts, alerts.

Investors get the headline numbers only (groups under 5 read "<5"), none of the lists below them."""

import datetime as dt
from dataclasses import replace

import streamlit as st

import vega_charts
from ui import emerging, fmt, kpi, roles, vega
from ui import suppress as sup
from ui.data import freshness_caption, load
from ui.filters import district_names, domain_name, sidebar_filters
from ui.glossary import BY_KEY
from ui.i18n import lang, t

filters = sidebar_filters()
st.title(t("세종 스마트시티 운영 현황", "Sejong smart-city operations"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()

# The rows appear top to bottom as laid out here, but the charts are sent first: the browser loads the chart
# renderer's JS chunk only once a chart arrives, so it does that while the KPIs below are computed.
score_row, headline = st.container(), st.container()
if roles.sees_details():  # investors: headline numbers only, no daily trend, ranking or lists with ids
    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("접수 대비 처리 추이", "Received vs closed"))
        trend = load("complaints_trend", **filters.params())
        vega.chart(vega_charts.received_vs_closed(trend, t("접수", "Received"), t("처리 완료", "Closed")), "trend")
    with right:
        st.subheader(t("기한 내 처리율 하위 읍면동", "Districts with the lowest on-time rate"))
        districts = load("district_performance", **filters.params()).head(8)
        name_col = "name_ko" if lang() == "ko" else "name_en"
        vega.chart(vega_charts.horizontal_bars(districts, name_col, "on_time_rate", "", percent=True), "worst_districts")

# City score for day, week, month and quarter ending at as_of, and for the chosen period
end = dt.datetime.combine(filters.as_of.date() + dt.timedelta(days=1), dt.time(), filters.as_of.tzinfo)
windows = {t("일", "Day"): 1, t("주", "Week"): 7, t("월", "Month"): 30, t("분기", "Quarter"): 91}
cols = score_row.columns(len(windows) + 1)
for col, (label, days) in zip(cols, windows.items(), strict=False):
    window = replace(filters, start=end - dt.timedelta(days=days), end=end)
    sup.kpi_card(col, "city_score", sup.scored(window), sup.scored(window.previous()),
                 label=f"{BY_KEY['city_score'].name} · {label}")
current, previous = kpi.values(filters), kpi.values(filters.previous())
backlog = kpi.backlog_total(filters)
cols[-1].metric(BY_KEY["backlog"].name, sup.count_text(backlog), help=BY_KEY["backlog"].definition, border=True)

headline.subheader(t("핵심 지표 (선택 기간, 직전 같은 기간 대비)", "Headline KPIs (period, vs the previous period of equal length)"))
keys = ["received", "resolution_rate", "on_time_rate", "median_days_to_close", "first_response_hours", "satisfaction_mean"]
for col, key in zip(headline.columns(len(keys)), keys, strict=True):
    sup.kpi_card(col, key, current, previous)
if not roles.sees_details():
    headline.caption(BY_KEY["small_group_suppression"].definition)
    st.stop()

st.subheader(t("경보", "Alerts"))
a1, a2, a3 = st.columns(3)
with a1:
    overdue = load("alerts_overdue", **filters.params())
    st.markdown(f"**{t('처리기한 초과', 'SLA breaches')}** · {fmt.num(current.get('overdue'))}")
    st.dataframe(
        overdue.select("complaint_id", "category", "agency", "due_at", "days_overdue").head(20).to_pandas(),
        hide_index=True, key="overdue_table",
        column_config={"days_overdue": st.column_config.NumberColumn(t("초과 일수", "Days overdue"), format="%.1f")},
    )
with a2:
    episodes = load("aq_episodes", **filters.params())
    st.markdown(f"**{t('대기질 주의보 수준 에피소드', 'Air-quality advisory episodes')}** · {fmt.num(episodes.height)}")
    st.dataframe(episodes.select("station", "metric", "started_at", "hours", "peak").head(20).to_pandas(), hide_index=True, key="aq_table")
with a3:
    sensors = load("sensor_status", **filters.params())
    silent = sensors.filter(sensors["stale"] | sensors["flat_lined"])
    st.markdown(f"**{t('지연·고정값 센서', 'Stale or flat-lined sensors')}** · {fmt.num(silent.height)}")
    st.dataframe(
        silent.select("name", "metric", "last_reading", "stale", "flat_lined").head(20).to_pandas(),
        hide_index=True, key="sensor_table",
    )
if filters.domain:
    st.caption(t("분야 필터: ", "Domain filter: ") + domain_name(filters.domain))

# Emerging issues: category × district days far above their own normal (the Complaints × sensors view has more)
st.subheader(BY_KEY["emerging_issue"].name)
emerging.table(filters, district_names(), key="emerging_overview", limit=10)
st.caption(BY_KEY["emerging_issue"].definition)
