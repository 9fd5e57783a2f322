"""Complaints × sensors: what citizens say read together with what the city's sensors measure — one link's
complaints against its sensor signal, lead times and silent problems, blind spots, emerging issues, the per-district
score, equity, proposal impact and hotspots."""

import streamlit as st

from ui import district_score, emerging, equity, hotspots, proposal_impact
from ui import linkage as lk
from ui import url_state as url
from ui.data import freshness_caption, load
from ui.filters import district_names, sidebar_filters
from ui.i18n import lang, t

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
# Only the open tab runs (its queries and its charts): the page answers faster, and the browser draws one tab's
# charts instead of seven. Its key keeps a shared link's tab (ui/url_state.py). The widget starts from it through
# its state, not `default` (a default that changes makes a new widget, which undoes the click), and its key carries
# the language, since a label of the other language would not be a tab of this one.
TABS = {
    "linkage": (t("연계", "Linkage"), lambda: lk.render_linkage(filters, link, window)),
    "lead_time": (t("선행 시간·사각지대", "Lead time and blind spots"), lambda: lk.render_lead_time(filters, links, window, names)),
    "emerging": (t("급증 이슈", "Emerging issues"), lambda: emerging.render(filters, names)),
    "district_score": (t("읍면동 점수", "District score"), lambda: district_score.render(filters)),
    "equity": (t("형평성", "Equity"), lambda: equity.render(filters)),
    "proposal_impact": (t("제안 효과", "Proposal impact"), lambda: proposal_impact.render(filters, names)),
    "hotspots": (t("핫스팟", "Hotspots"), lambda: hotspots.render(filters)),
}
keys = list(TABS)
widget = f"lk_tab_{lang()}"
if widget not in st.session_state:  # first run (or a language switch): open the tab of the link; a click moves it
    st.session_state[widget] = TABS[url.initial("tab", url.one_of(keys), keys[0])][0]
tabs = st.tabs([label for label, _ in TABS.values()], key=widget, on_change="rerun")
for key, tab in zip(keys, tabs, strict=True):
    if tab.open:
        url.remember("tab", key, keys[0])
        url.write_url()
        with tab:
            TABS[key][1]()
