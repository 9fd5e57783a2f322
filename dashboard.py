"""Sejong smart-city operations dashboard: the router (page config, first-start build, navigation)."""

import streamlit as st

from ui.i18n import language_switch, t
from ui.startup import ensure_warehouse

st.set_page_config(page_title="세종 스마트시티 운영 대시보드", page_icon="🏙️", layout="wide")
language_switch()
if not ensure_warehouse():
    st.error(t("데이터 창고가 없습니다.", "No warehouse found."))
    st.stop()

PAGES = [
    st.Page("pages/overview.py", title=t("개요", "Overview"), icon="🏠", url_path="overview", default=True),
    st.Page("pages/glossary.py", title=t("지표 정의", "KPI glossary"), icon="📖", url_path="glossary"),
]
st.navigation(PAGES).run()
