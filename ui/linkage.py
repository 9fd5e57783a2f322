"""The Complaints × sensors view's linkage and lead-time tabs: one link's complaints against its sensors, the lagged
correlation, sensor-confirmed complaints, anomaly episodes with their first report, silent problems and blind spots.

A link (data/linkage.toml, table dim_linkage) ties complaint categories to a sensor metric; the anomaly and episode
rules are in the glossary (sensor_anomaly, anomaly_episode).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import vega_charts
from ui import fmt, vega
from ui import url_state as url
from ui.data import load
from ui.filters import Filters
from ui.glossary import BY_KEY
from ui.i18n import t
from warehouse.catalog import metrics

WINDOWS = (6, 12, 24, 48)  # hours a complaint may follow an episode and still be its report / confirmation
DEFAULT_WINDOW = 24
HOURLY_MAX_DAYS = 31  # longer periods are drawn day by day


def link_name(row: dict) -> str:
    return t(row["link_ko"], row["link_en"])


def metric_name(metric: str | None) -> str:
    spec = metrics().get(metric or "", {})
    return t(spec.get("name_ko", metric or "–"), spec.get("name_en", metric or "–"))


def metric_unit(metric: str | None) -> str:
    return metrics().get(metric or "", {}).get("unit", "")


def best_lag(lags: pl.DataFrame) -> tuple[int | None, float | None]:
    """The lag with the highest r (the shortest on a tie), or (None, None) when r is undefined at every lag."""
    known = lags.filter(pl.col("r").is_not_null())
    if known.is_empty():
        return None, None
    top = known.sort(["r", "lag"], descending=[True, False]).row(0, named=True)
    return top["lag"], top["r"]


def grain_for(f: Filters) -> str:
    return "hour" if (f.end - f.start).days <= HOURLY_MAX_DAYS else "day"


def controls(links: pl.DataFrame) -> tuple[dict, int]:
    """The link and window pickers above the tabs (kept in the URL); returns the chosen link's row and window."""
    rows = {r["link"]: r for r in links.iter_rows(named=True)}
    keys = list(rows)
    left, right = st.columns([2, 1])
    default = "noise" if "noise" in keys else keys[0]
    chosen = url.initial("link", url.one_of(keys), default)
    link = left.selectbox(t("연계 분야", "Link"), keys, index=keys.index(chosen), key="link",
                          format_func=lambda k: f"{link_name(rows[k])} ↔ {metric_name(rows[k]['metric'])}")
    url.remember("link", link, default)
    window = right.selectbox(t("확인 창", "Window"), WINDOWS, key="lk_window",
                             index=WINDOWS.index(url.initial("window", lambda raw: int(raw) if int(raw) in WINDOWS else None,
                                                             DEFAULT_WINDOW)),
                             format_func=lambda h: t(f"{h}시간", f"{h} h"))
    url.remember("window", window, DEFAULT_WINDOW)
    url.write_url()
    return rows[link], window


def render_linkage(f: Filters, link: dict, window: int) -> None:
    """Complaints and the signal on one chart, the lagged correlation and the sensor-confirmed share."""
    params = f.params()
    grain = grain_for(f)
    where = t("선택한 읍면동", "the chosen district") if f.district else t("시 전체", "the whole city")
    covered = not f.district or f.district in (link["districts"] or [])  # a sensor of the link where we look
    if not covered:
        st.info(t(f"{where}에는 {metric_name(link['metric'])} 센서가 없습니다: 민원만 보입니다.",
                  f"There is no {metric_name(link['metric'])} sensor in {where}: complaints only."))
    series = load("linkage_series", link=link["link"], grain=grain, **params)
    episodes = load("linkage_episodes", link=link["link"], window_hours=window, **params)
    context = link["context"][0] if link["context"] else None
    labels = {"complaints": t("민원 건수", "Complaints"), "episode": t("이상 에피소드", "Anomaly episode"),
              "signal": f"{metric_name(link['metric'])} ({metric_unit(link['metric'])})",
              "context": f"{metric_name(context)} ({metric_unit(context)})" if context else ""}
    st.markdown(f"**{link_name(link)}** · {', '.join(link['categories'])} ↔ {metric_name(link['metric'])} · "
                + (t("시간별", "hourly") if grain == "hour" else t("일별", "daily")))
    vega.chart(vega_charts.complaints_vs_signal(series, episodes, labels), "linkage_chart")

    lags = load("linkage_lag_correlation", link=link["link"], **params)
    lag, r = best_lag(lags)
    confirmed = load("linkage_confirmed", window_hours=window, **params)
    mine = confirmed.filter(pl.col("link") == link["link"]).row(0, named=True)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("최적 시차", "Best lag"), fmt.DASH if lag is None else fmt.hours(float(lag)), border=True,
              help=BY_KEY["lead_time"].definition)
    c2.metric(t("상관계수 r", "Correlation r"), fmt.num(r, 2), border=True, help=BY_KEY["lead_time"].definition)
    c3.metric(BY_KEY["sensor_confirmed_share"].card_name, fmt.pct(mine["confirmed_share"]), border=True,
              help=BY_KEY["sensor_confirmed_share"].definition)
    c4.metric(t("센서 있는 읍면동 기준", "Where a sensor is"), fmt.pct(mine["confirmed_share_covered"]), border=True,
              help=BY_KEY["sensor_confirmed_share"].definition)
    if covered and episodes.height == 0:  # a dash and 0% alone read like a fault
        name = metric_name(link["metric"])
        st.info(t(f"이 기간 {where}에는 {name} 이상 에피소드가 없습니다: 잴 시차가 없고, 센서로 확인된 민원도 없습니다.",
                  f"{name} had no anomaly episode in {where} in this period: no lag to measure, and no complaint "
                  "a sensor confirmed."))
    vega.chart(vega_charts.lag_correlation(lags, lag, t("시차 (시간)", "Lag (hours)"), "r"), "lag_chart")
    st.caption(BY_KEY["lead_time"].definition)

    st.markdown(f"**{t('연계 분야별 센서 확인 민원', 'Sensor-confirmed complaints by link')}**")
    shown = confirmed.with_columns(pl.Series("name", [link_name(r) for r in confirmed.iter_rows(named=True)]),
                                   pl.Series("metric_name", [metric_name(m) for m in confirmed["metric"].to_list()]))
    st.dataframe(shown.select("name", "metric_name", "complaints", "covered", "confirmed", "confirmed_share",
                              "confirmed_share_covered").to_pandas(), hide_index=True, key="confirmed_table",
                 column_config={
                     "name": t("연계 분야", "Link"), "metric_name": t("센서 항목", "Sensor metric"),
                     "complaints": t("민원", "Complaints"), "covered": t("센서 있는 읍면동", "In a district with a sensor"),
                     "confirmed": t("센서 확인", "Confirmed"),
                     "confirmed_share": st.column_config.NumberColumn(t("확인 비율", "Confirmed share"), format="percent"),
                     "confirmed_share_covered": st.column_config.NumberColumn(t("확인 비율 (센서 있는 곳)", "Share where a sensor is"),
                                                                              format="percent")})
    st.caption(BY_KEY["sensor_confirmed_share"].definition)


def render_lead_time(f: Filters, links: pl.DataFrame, window: int, names: dict[str, str]) -> None:
    """Every episode of the period with its first report, then the bursts no sensor saw."""
    params = f.params()
    link_names = {r["link"]: link_name(r) for r in links.iter_rows(named=True)}
    episodes = load("linkage_episodes", link=None, window_hours=window, **params)
    reported = episodes.filter(pl.col("status") == "reported")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(BY_KEY["anomaly_episode"].name, fmt.num(episodes.height), border=True,
              help=BY_KEY["anomaly_episode"].definition)
    c2.metric(t("신고된 에피소드", "Reported"), fmt.num(reported.height), border=True)
    c3.metric(t("조용한 문제", "Silent problems"), fmt.num(episodes.filter(pl.col("status") == "silent").height),
              border=True, help=BY_KEY["lead_time"].definition)
    c4.metric(t("선행 시간 중앙값", "Median lead time"), fmt.hours(reported["lead_hours"].median()), border=True,
              help=BY_KEY["lead_time"].definition)
    status_names = {"reported": t("신고됨", "reported"), "silent": t("조용한 문제", "silent"), "waiting": t("대기", "waiting")}
    shown = episodes.with_columns(
        pl.col("link").replace_strict(link_names, default=pl.col("link"), return_dtype=pl.String).alias("link_name"),
        pl.col("district_code").replace_strict(names, default=pl.col("district_code"), return_dtype=pl.String).alias("district"),
        pl.col("status").replace_strict(status_names, default=pl.col("status"), return_dtype=pl.String).alias("status_name"),
    )
    when = {c: st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm") for c, label in (
        ("started_at", t("시작", "Start")), ("ended_at", t("종료(미포함)", "End (exclusive)")),
        ("first_report_at", t("첫 신고", "First report")))}
    st.dataframe(shown.select("district", "link_name", "started_at", "ended_at", "hours", "sensors", "peak_value",
                              "first_report_at", "reports", "lead_hours", "status_name").to_pandas(),
                 hide_index=True, key="episodes_table", column_config={
                     **when, "district": t("읍면동", "District"), "link_name": t("연계 분야", "Link"),
                     "hours": t("시간", "Hours"), "sensors": t("센서", "Sensors"),
                     "peak_value": st.column_config.NumberColumn(t("최고(최저)값", "Peak"), format="%.1f"),
                     "reports": t("신고 건수", "Reports"),
                     "lead_hours": st.column_config.NumberColumn(t("선행 시간(시간)", "Lead time (h)"), format="%.1f"),
                     "status_name": t("상태", "Status")})
    st.caption(BY_KEY["anomaly_episode"].definition + " " + BY_KEY["sensor_anomaly"].definition)

    bursts = load("linkage_bursts", window_hours=window, **params)
    blind = bursts.filter(~pl.col("sensor_seen"))
    st.markdown(f"**{BY_KEY['blind_spot'].name}** · {fmt.num(blind.height)} "
                + t(f"(민원 급증 {bursts.height}건 중)", f"(of {bursts.height} complaint bursts)"))
    why = {True: t("센서가 보지 못함", "the sensor saw nothing"), False: t("센서 없음", "no sensor")}
    shown = blind.with_columns(
        pl.col("district_code").replace_strict(names, default=pl.col("district_code"), return_dtype=pl.String).alias("district"),
        pl.col("sensor_in_district").replace_strict(why, return_dtype=pl.String).alias("why"),
    )
    st.dataframe(shown.select("district", "category", "first_at", "last_at", "items", "expected", "why").to_pandas(),
                 hide_index=True, key="blind_spots_table", column_config={
                     "district": t("읍면동", "District"), "category": t("세부 유형", "Category"),
                     "first_at": st.column_config.DatetimeColumn(t("첫 민원", "First item"), format="YYYY-MM-DD HH:mm"),
                     "last_at": st.column_config.DatetimeColumn(t("마지막 민원", "Last item"), format="YYYY-MM-DD HH:mm"),
                     "items": t("건수", "Items"),
                     "expected": st.column_config.NumberColumn(t("평소 3일 기대 건수", "Usual in 3 days"), format="%.1f"),
                     "why": t("이유", "Why")})
    st.caption(BY_KEY["blind_spot"].definition)
