"""Complaints × sensors: what citizens say read together with what the city's sensors measure — one link's
complaints against its sensor signal, lead times and silent problems, blind spots, emerging issues, the per-district
score, equity, proposal impact and hotspots."""

import streamlit as st

from ui import district_score, emerging, equity, hotspots, proposal_impact
from ui import linkage as lk
from ui.data import freshness_caption, load
from ui.filters import district_names, sidebar_filters
from ui.i18n import t

filters = sidebar_filters()
st.title(t("민원 × 센서", "Complaints × sensors"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()
links = load("linkage_links")
if links.is_empty():
    st.info(t("민원과 센서의 연계(data/linkage.toml)가 창고에 없습니다. 창고를 다시 만드세요.",
              "The warehouse has no complaint–sensor links (data/linkage.toml): rebuild it."))
    st.stop()
link, window = lk.controls(links)
names = district_names()
tabs = st.tabs([t("연계", "Linkage"), t("선행 시간·사각지대", "Lead time and blind spots"), t("급증 이슈", "Emerging issues"),
                t("읍면동 점수", "District score"), t("형평성", "Equity"), t("제안 효과", "Proposal impact"),
                t("핫스팟", "Hotspots")])
with tabs[0]:
    lk.render_linkage(filters, link, window)
with tabs[1]:
    lk.render_lead_time(filters, links, window, names)
with tabs[2]:
    emerging.render(filters, names)
with tabs[3]:
    district_score.render(filters)
with tabs[4]:
    equity.render(filters)
with tabs[5]:
    proposal_impact.render(filters, names)
with tabs[6]:
    hotspots.render(filters)
