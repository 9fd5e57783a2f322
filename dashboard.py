"""Sejong smart-city operations dashboard: the router (page config, first-start build, navigation)."""

import streamlit as st

from ui.i18n import language_switch, t
from ui.startup import ensure_warehouse
from ui.url_state import write_url

st.set_page_config(page_title="세종 스마트시티 운영 대시보드", page_icon=":material/location_city:", layout="wide")
language_switch()
if not ensure_warehouse():
    st.error(t("데이터 창고가 없습니다.", "No warehouse found."))
    st.stop()

PAGES = [
    st.Page("views/overview.py", title=t("개요", "Overview"), icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("views/participation.py", title=t("시민 참여", "Participation"), icon=":material/groups:", url_path="participation"),
    st.Page("views/investors.py", title=t("참여 성장 (투자자)", "Investors"), icon=":material/trending_up:", url_path="investors"),
    st.Page("views/infrastructure.py", title=t("인프라 상태", "Infrastructure"), icon=":material/sensors:", url_path="infrastructure"),
    st.Page("views/map.py", title=t("지도", "Map"), icon=":material/map:", url_path="map"),
    st.Page("views/explorer.py", title=t("데이터 탐색", "Explorer"), icon=":material/table_chart:", url_path="explorer"),
    st.Page("views/data.py", title=t("데이터 현황", "Data"), icon=":material/database:", url_path="data"),
    st.Page("views/glossary.py", title=t("지표 정의", "KPI glossary"), icon=":material/menu_book:", url_path="glossary"),
]
st.navigation(PAGES).run()
write_url()  # after the page: its filters are in the session store now
