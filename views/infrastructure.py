"""Infrastructure health (operators): per-domain sensor health and complaints, sensor completeness, stale and
flat-lined lists, latest readings, the air-quality calendar, a sensor's time series and a district comparison."""

import streamlit as st

import vega_charts
from ui import fmt, vega
from ui import infrastructure as infra
from ui import url_state as url
from ui.data import freshness_caption, load
from ui.filters import district_names, domain_name, sidebar_filters
from ui.i18n import lang, t

filters = sidebar_filters()
st.title(t("인프라 상태", "Infrastructure health"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()
params, names = filters.params(), district_names()
status = infra.sensor_health(filters)

st.subheader(t("분야별 현황", "By domain"))
domains = infra.domain_summary(load("domain_health", **params), status)
st.dataframe(infra.domain_display(domains).to_pandas(), hide_index=True, key="domain_table", column_config={
    "domain": t("분야", "Domain"), "sensors": t("센서", "Sensors"),
    "completeness": st.column_config.ProgressColumn(t("수집률", "Completeness"), format="percent", min_value=0, max_value=1),
    "stale": t("지연 센서", "Stale sensors"), "flat_lined": t("고정값 센서", "Flat-lined sensors"),
    "received": t("접수 민원", "Complaints received"), "closed": t("처리 완료", "Closed"), "overdue": t("기한 초과", "Overdue"),
})
st.caption(" ".join([
    t("수집률 = 수신 ÷ (기간 ÷ 측정 주기), 센서·항목 평균. 지연 = 마지막 측정이 주기의 3배보다 오래됨.",
      "Completeness = received ÷ (period ÷ interval), mean over sensor × metric. Stale = last reading older than 3 "
      "intervals."),
    infra.runs_note(filters),
    t("센서가 없는 분야는 '–'(0이 아님).", "'–' where a domain has no sensors (not zero)."),
]))
if status.is_empty():
    st.info(t("센서", "Sensors") + ": " + infra.not_available())
    st.stop()

table_cols = {
    "name": t("센서", "Sensor"), "metric_name": t("항목", "Metric"), "district": t("읍면동", "District"),
    "completeness": st.column_config.ProgressColumn(t("수집률", "Completeness"), format="percent", min_value=0, max_value=1),
    "readings": st.column_config.NumberColumn(t("수신", "Received"), format="%d"),
    "expected": st.column_config.NumberColumn(t("기대", "Expected"), format="%.0f"),
    "last_reading": st.column_config.DatetimeColumn(t("마지막 측정", "Last reading"), format="YYYY-MM-DD HH:mm"),
    "stale": t("지연", "Stale"), "flat_in_period": t("고정값", "Flat-lined"),
    "longest_run": t("최장 연속 같은 값", "Longest run of one value"), "flat_lined": t("지금도 고정값", "Still flat now"),
}
named = infra.with_names(status, names).with_columns(status["readings"].cast(int))


def sensor_health() -> None:
    st.dataframe(named.sort("completeness", "sensor_id", "metric").select(
        "name", "metric_name", "district", "completeness", "readings", "expected", "last_reading", "stale",
        "flat_in_period").to_pandas(), hide_index=True, key="sensor_completeness", column_config=table_cols)
    left, right = st.columns(2)
    for col, flag, title, key, extra in (
        (left, "stale", t("지연 센서", "Stale sensors"), "stale_list", ["last_reading"]),
        (right, "flat_in_period", t("고정값 센서", "Flat-lined sensors"), "flat_list", ["longest_run", "flat_lined"]),
    ):
        rows = named.filter(named[flag])
        col.markdown(f"**{title}** · {fmt.num(rows['sensor_id'].n_unique())}"
                     + t(f" (센서·항목 {rows.height})", f" ({rows.height} sensor × metric)"))
        col.dataframe(rows.select("name", "metric_name", "district", *extra).to_pandas(), hide_index=True, key=key,
                      column_config=table_cols)


def latest_readings() -> None:
    shown = infra.with_names(load("latest_readings", **params), names).select(
        "name", "metric_name", "district", "value", "unit", "measured_at", "quality")
    st.dataframe(shown.to_pandas(), hide_index=True, key="latest_table", column_config={
        **table_cols, "value": t("값", "Value"), "unit": t("단위", "Unit"), "quality": t("원본 품질 표시", "Source flag"),
        "measured_at": st.column_config.DatetimeColumn(t("측정 시각", "Measured at"), format="YYYY-MM-DD HH:mm")})


def time_series() -> None:
    latest = load("latest_readings", **params)
    choices = {f"{r['sensor_id']}|{r['metric']}": r for r in latest.iter_rows(named=True)}
    keys = list(choices)
    picked = st.selectbox(t("센서 · 항목", "Sensor · metric"), keys, key="series_sensor", index=infra.default_series(keys),
                          format_func=lambda k: infra.sensor_label(choices[k], names))
    if picked:
        row = choices[picked]
        query = infra.series_query(filters)
        series = load(query, sensor_id=row["sensor_id"], metric=row["metric"], **params)
        st.caption(t("시간별 평균 (띠: 최소–최대)", "Hourly means (band: min–max)") if query.endswith("hourly")
                   else t("일별 평균 (띠: 최소–최대)", "Daily means (band: min–max)"))
        vega.chart(vega_charts.sensor_series(series, infra.metric_name(row["metric"]), row["unit"] or "",
                                             infra.thresholds(row["metric"])), "series_chart")


def air_quality() -> None:
    grades = load("aq_daily_grades", **params)
    if filters.domain not in (None, "environment"):
        st.info(t("대기질은 환경 분야입니다. 분야 필터: ", "Air quality is in the environment domain. Domain filter: ")
                + domain_name(filters.domain))
    elif grades.is_empty():
        st.info(t("대기질(PM10·PM2.5)", "Air quality (PM10, PM2.5)") + ": " + infra.not_available())
    else:
        st.markdown(f"**{t('일별 대기질 등급 (측정소 × 일)', 'Daily air-quality grade (station × day)')}**")
        vega.chart(vega_charts.aq_grade_calendar(grades, infra.grade_names()), "aq_calendar")
        episodes = load("aq_episodes", **params)
        st.markdown(f"**{t('주의보 수준 에피소드', 'Advisory-level episodes')}** · {fmt.num(episodes.height)}")
        when = {c: st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
                for c, label in (("started_at", t("시작", "Start")), ("ended_at", t("종료(미포함)", "End (exclusive)")))}
        st.dataframe(infra.with_names(episodes).select("station", "metric_name", "started_at", "ended_at", "hours", "peak").to_pandas(),
                     hide_index=True, key="aq_episodes", column_config={
                         **table_cols, **when, "station": t("측정소", "Station"), "hours": t("시간", "Hours"),
                         "peak": st.column_config.NumberColumn(t("최고값 (µg/m³)", "Peak (µg/m³)"), format="%.0f")})


def district_comparison() -> None:
    metric_list = sorted(status["metric"].unique().to_list())
    metric = st.selectbox(t("항목", "Metric"), metric_list, key="compare_metric", format_func=infra.metric_name,
                          index=metric_list.index("pm25") if "pm25" in metric_list else 0)
    daily = load("district_metric_daily", metric=metric, **params)
    if daily.is_empty():
        st.info(t("읍면동이 확인된 센서의 측정값이 없습니다.", "No readings from sensors with a known district."))
    else:
        latest = load("latest_readings", **params)
        unit = next(iter(latest.filter(latest["metric"] == metric)["unit"].drop_nulls()), "")
        vega.chart(vega_charts.district_daily_lines(daily, "name_ko" if lang() == "ko" else "name_en", unit), "compare_chart")
    st.caption(t("읍면동 필터는 적용하지 않습니다(읍면동끼리 비교).", "The district filter does not apply (districts are compared)."))


# Only the open tab runs, as on the Complaints × sensors view: the first screen sends the health tables alone, so the
# browser draws them without first loading and drawing three charts nobody sees yet, and the other tabs' queries run
# when they are opened. The tab is kept in the URL (`infra_tab`); the widget's key carries the language (a label of
# the other language is not a tab of this one).
TABS = {
    "health": (t("센서 상태", "Sensor health"), sensor_health),
    "latest": (t("최신 측정값", "Latest readings"), latest_readings),
    "series": (t("시계열", "Time series"), time_series),
    "air_quality": (t("대기질", "Air quality"), air_quality),
    "compare": (t("읍면동 비교", "District comparison"), district_comparison),
}
keys = list(TABS)
widget = f"infra_tab_{lang()}"
if widget not in st.session_state:  # first run (or a language switch): the link's tab; a click moves it
    st.session_state[widget] = TABS[url.initial("infra_tab", url.one_of(keys), keys[0])][0]
for key, tab in zip(keys, st.tabs([label for label, _ in TABS.values()], key=widget, on_change="rerun"), strict=True):
    if tab.open:
        url.remember("infra_tab", key, keys[0])
        url.write_url()
        with tab:
            TABS[key][1]()
