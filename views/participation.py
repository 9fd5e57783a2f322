"""Participation (mayor's office, analysts, investors): who takes part, where, through which channels, and what comes of it.

For investors every group under 5 items or reporters reads "<5" (ui/suppress.py)."""

import polars as pl
import streamlit as st

import vega_charts
from ui import fmt, vega
from ui import investors as inv
from ui import participation as part
from ui import suppress as sup
from ui.data import freshness_caption, load
from ui.filters import kind_name, sidebar_filters
from ui.i18n import lang, t

filters = sidebar_filters()
st.title(t("시민 참여", "Citizen participation"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()
cov = part.coverage()
params = filters.params()
# The KPI row appears here but is filled after the district charts below: the browser loads the chart renderers'
# JS chunks only once a chart arrives, so it does that while the KPIs are computed.
kpi_row = st.container()

name_col = "name_ko" if lang() == "ko" else "name_en"
st.subheader(t("읍면동별 참여", "Participation by district"))
if not part.has_population(cov):
    st.info(t("주민 1,000명당 참여: ", "Participation per 1,000 residents: ") + part.not_available())
else:
    options = ["participants", "received"] if part.has_reporters(cov) else ["received"]
    labels = {"participants": t("참여자(신청인)", "Participants (reporters)"), "received": t("접수 건수", "Items received")}
    measure = st.segmented_control(t("기준", "Measure"), options, default=options[0], key="part_measure",
                                   format_func=labels.get, required=True)
    if not part.has_reporters(cov):
        st.caption(t("신청인 키가 없는 출처: 접수 건수 기준으로 표시합니다.", "No reporter keys in this source: shown as items received."))
    column, label = part.measure_column(measure)
    districts = sup.frame(load("participation_by_district", **params), {
        "received": "received", "participants": "participants",
        "participants_per_1000": "participants", "received_per_1000": "received"})
    ranked = districts.filter(pl.col(column).is_not_null()).sort([column, "district_code"], descending=[True, False])
    left, right = st.columns([3, 2])
    with left:
        shapes = part.geojson()
        if shapes["features"]:
            vega.chart(vega_charts.district_choropleth(districts, shapes, column, name_col, "", label), "part_map")
        else:
            st.info(t("읍면동 경계: ", "District boundaries: ") + part.not_available())
    with right:
        vega.chart(vega_charts.horizontal_bars(ranked, name_col, column, label), "part_rank")
    missing = districts.filter(pl.col("population").fill_null(0) == 0)[name_col].to_list()
    if missing:
        st.caption(t("인구 없음(1,000명당 ", "No population (per 1,000 ") + part.not_available() + "): " + ", ".join(missing))
    shown = [name_col, "population", "received", "participants", "participants_per_1000", "received_per_1000"]
    shown = shown if part.has_reporters(cov) else [c for c in shown if not c.startswith("participants")]
    headers = {
        name_col: t("읍면동", "District"), "population": t("인구(18세 이상)", "Population (18+)"),
        "received": t("접수", "Received"), "participants": t("참여자", "Participants"),
        "participants_per_1000": t("1,000명당 참여자", "Participants per 1,000"),
        "received_per_1000": t("1,000명당 접수", "Received per 1,000"),
    }
    if sup.active():  # as text, so that a suppressed value reads "<5" rather than an empty cell
        show = {name_col: str, "population": fmt.num, "received": fmt.num, "participants": fmt.num,
                "participants_per_1000": lambda v: fmt.num(v, 1), "received_per_1000": lambda v: fmt.num(v, 1)}
        st.dataframe(inv.display(districts, {c: (headers[c], show[c]) for c in shown}), hide_index=True,
                     key="part_district_table")
    else:
        number = {c: st.column_config.NumberColumn(headers[c], format="%.1f") for c in shown if c.endswith("_1000")}
        st.dataframe(districts.select(shown), hide_index=True, key="part_district_table", column_config=headers | number)

with kpi_row:
    current = load("kpi_headline", **params).row(0, named=True)
    previous = load("kpi_headline", **filters.previous().params()).row(0, named=True)
    st.subheader(t("참여 지표 (선택 기간, 직전 같은 기간 대비)", "Participation KPIs (period, vs the previous period of equal length)"))
    part.kpi_cards(current, previous, cov)

left, right = st.columns(2)
with left:
    st.subheader(t("접수 경로", "Channels"))
    channels = sup.frame(part.with_labels(load("participation_channels", **params), "channel", part.channel_name),
                         {"share": "received"})
    vega.chart(vega_charts.horizontal_bars(channels, "label", "share", "", percent=True), "part_channels")
    part.suppressed_caption(channels, "share")
with right:
    st.subheader(t("유형", "Kinds"))
    kinds = sup.frame(part.with_labels(load("participation_kinds", **params), "kind", kind_name), {"share": "received"})
    vega.chart(vega_charts.horizontal_bars(kinds, "label", "share", "", percent=True), "part_kinds")
    part.suppressed_caption(kinds, "share")

left, right = st.columns(2)
with left:
    st.subheader(t("신청인별 신청 건수 (재참여)", "Submissions per reporter (repeat participation)"))
    if part.has_reporters(cov):
        repeat = sup.frame(load("repeat_participants", **params), {"reporters": "reporters", "share": "reporters"})
        vega.chart(vega_charts.vertical_bars(repeat, "bucket", "reporters", "", text=part.bar_texts(repeat, "reporters")), "part_repeat")
    else:
        st.info(t("재참여: ", "Repeat participation: ") + part.not_available())
with right:
    st.subheader(t("제안 → 공감 → 채택", "Proposals → votes → adoption"))
    if cov["proposals"]:
        stages = sup.frame(load("proposal_funnel", **params), {"items": "items"})
        vega.chart(vega_charts.funnel([part.stage_label(s) for s in stages["stage"]], stages["items"].to_list(),
                                      part.bar_texts(stages, "items"), ""), "part_funnel")
    else:
        st.info(t("제안: ", "Proposals: ") + part.not_available())

left, right = st.columns(2)
with left:
    st.subheader(t("만족도 분포 (1–5)", "Satisfaction ratings (1–5)"))
    if cov["rated"]:
        ratings = sup.frame(load("satisfaction_distribution", **params), {"rated": "rated", "share": "rated"})
        vega.chart(vega_charts.vertical_bars(ratings, "rating", "rated", "", text=part.bar_texts(ratings, "rated")), "part_ratings")
    else:
        st.info(t("만족도: ", "Satisfaction: ") + part.not_available())
with right:
    st.subheader(t("월별 신규·재방문 신청인", "New and returning reporters by month"))
    if part.has_reporters(cov):
        months = sup.frame(load("reporters_new_returning", **params), {
            "new_reporters": "new_reporters", "returning_reporters": "returning_reporters", "active_reporters": "active_reporters"})
        series = [("new_reporters", t("신규", "New")), ("returning_reporters", t("재방문", "Returning"))]
        vega.chart(vega_charts.stacked_monthly(months, "month", series, ""), "part_new_returning")
        st.caption(t("신규 = 창고 전체에서 첫 신청이 있는 달, 이후는 재방문.",
                     "New = the month of the reporter's first item ever in the warehouse; returning afterwards."))
    else:
        st.info(t("신규·재방문: ", "New and returning reporters: ") + part.not_available())
