"""Map: complaint hexagons or heatmap, sensors coloured by status, and a district choropleth of a chosen KPI,
drawn from our own district GeoJSON with no internet (the basemap is opt-in)."""

import polars as pl
import streamlit as st

from ui import fmt, mapview
from ui import infrastructure as infra
from ui import url_state as url
from ui.data import freshness_caption, load
from ui.filters import domain_name, sidebar_filters
from ui.i18n import t

filters = sidebar_filters()
st.title(t("지도", "Map"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()
params = filters.params()

left, middle, right = st.columns([3, 2, 2])
kpis = list(mapview.KPIS)
kpi = left.selectbox(t("읍면동 색칠 지표", "District colour: KPI"), kpis, key="map_kpi", format_func=mapview.kpi_label,
                     index=kpis.index(url.initial("map_kpi", url.one_of(kpis), kpis[0])),
                     help=t("기간·분야·유형 필터를 따릅니다. 미처리 잔량은 기준 시점의 값입니다.",
                                                            "Follows the period, domain, category and kind filters; "
                                                            "the backlog is what is open at as_of."))
url.remember("map_kpi", kpi, kpis[0])
heatmap = middle.toggle(t("민원을 히트맵으로", "Complaints as heatmap"), key="map_heatmap",
                        value=url.initial("map_heatmap", lambda v: {"true": True, "false": False}.get(v), False),
                        help=t("끄면 육각형 집계(높이·색 = 건수)", "Off: hexagon bins (height and colour = count)"))
basemap = right.toggle(t("배경지도 (인터넷 필요)", "Basemap (needs internet)"), value=False, key="map_basemap",
                       help=t("켜면 CARTO 배경지도를 인터넷에서 불러옵니다. 꺼도 모든 레이어는 그려집니다.",
                              "On: loads the CARTO basemap from the internet. Off: every layer still draws."))
url.remember("map_heatmap", str(heatmap).lower(), "false")

districts = mapview.district_frame(load("district_kpis", **params), kpi)
points = load("complaint_points", **params)
status = infra.sensor_health(filters)
sensors = mapview.sensor_frame(load("sensor_points", **params), status, mapview.completeness_target())
if districts.filter(pl.col("boundary").is_not_null()).is_empty():
    st.info(t("읍면동 경계", "District boundaries") + ": " + t("이 출처에서는 제공되지 않음", "not available for this source"))
if kpi == "received_per_1000" and districts["population"].is_null().all():
    st.info(t("인구", "Population") + ": " + t("이 출처에서는 제공되지 않음", "not available for this source"))

st.pydeck_chart(
    mapview.build(districts, points, sensors, heatmap=heatmap, basemap=basemap), key="map", height=620,
    alt=t("세종시 읍면동 지도: ", "Map of Sejong's districts: ") + mapview.kpi_label(kpi),
)

values = districts["value"].drop_nulls()
show = mapview.KPIS[kpi][2]
legend = [
    f"**{mapview.kpi_label(kpi)}**: " + (t("연한 색 ", "light ") + show(values.min()) + " → " + t("진한 색 ", "dark ")
                                         + show(values.max()) if values.len() else t("값 없음", "no values")),
    t("회색 = 값 없음 또는 5건 미만", "grey = no value or fewer than 5 complaints"),
]
st.caption(" · ".join(legend))
if filters.district:
    st.caption(t("읍면동 필터는 민원·센서 점에만 적용되고, 색칠은 모든 읍면동을 비교합니다.",
                 "The district filter applies to the complaint and sensor points; the colours compare every district."))
located = t("좌표가 있는 민원 ", "Complaints with coordinates: ") + fmt.num(int(points["n"].sum())) + t("건", "")
if filters.domain:
    located += " · " + t("분야: ", "domain: ") + domain_name(filters.domain)
st.caption(located + t(" (위치는 약 100 m 단위로 반올림)", " (locations rounded to about 100 m)"))
if sensors.height:
    counts = sensors.group_by("status").len()
    parts = [f"{mapview.status_name(s)} {fmt.num(n)}" for s, n in counts.sort("status").iter_rows()]
    colours = t("초록 정상 · 빨강 지연 · 주황 고정값 · 노랑 수집률 목표 미만",
                "green OK · red stale · orange flat-lined · yellow completeness below target")
    st.caption(t("센서: ", "Sensors: ") + " · ".join(parts) + f" ({colours}). " + infra.runs_note(filters))
else:
    st.caption(t("센서", "Sensors") + ": " + t("이 출처에서는 제공되지 않음", "not available for this source"))
