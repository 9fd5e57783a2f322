"""Sejong smart-city operations dashboard: the router (page config, sign-in, first-start build, navigation).

Only the pages the signed-in role may see are registered with st.navigation, so the URL of any other
page falls back to the default page: a page the role may not see is never run, whatever the URL says.
"""

import streamlit as st

from ui import auth, roles
from ui.i18n import language_switch, t
from ui.startup import ensure_warehouse, freeze_imports
from ui.url_state import write_url

# an emoji, not a :material/ icon: for those Streamlit fetches the favicon from fonts.gstatic.com, out of reach
# on an air-gapped network
st.set_page_config(page_title="세종 스마트시티 운영 대시보드", page_icon="🏙️", layout="wide")
freeze_imports()
language_switch()
role = auth.gate()  # stops here until someone is signed in
if not ensure_warehouse():
    st.error(t("데이터 창고가 없습니다.", "No warehouse found."))
    st.stop()

PAGES = {  # page id (its url_path; roles.PAGE_ACCESS says who sees it) → page
    "overview": st.Page("views/overview.py", title=t("개요", "Overview"),
        icon=":material/dashboard:", url_path="overview", default=True),
    "participation": st.Page("views/participation.py", title=t("시민 참여", "Participation"),
        icon=":material/groups:", url_path="participation"),
    "investors": st.Page("views/investors.py", title=t("참여 성장 (투자자)", "Investors"),
        icon=":material/trending_up:", url_path="investors"),
    "infrastructure": st.Page("views/infrastructure.py", title=t("인프라 상태", "Infrastructure"),
        icon=":material/sensors:", url_path="infrastructure"),
    "map": st.Page("views/map.py", title=t("지도", "Map"),
        icon=":material/map:", url_path="map"),
    "explorer": st.Page("views/explorer.py", title=t("데이터 탐색", "Explorer"),
        icon=":material/table_chart:", url_path="explorer"),
    "data": st.Page("views/data.py", title=t("데이터 현황", "Data"),
        icon=":material/database:", url_path="data"),
    "linkage": st.Page("views/linkage.py", title=t("민원 × 센서", "Complaints × sensors"),
        icon=":material/join_inner:", url_path="linkage"),
    "glossary": st.Page("views/glossary.py", title=t("지표 정의", "KPI glossary"),
        icon=":material/menu_book:", url_path="glossary"),
}
allowed = roles.allowed_pages(role)  # a page missing from roles.PAGE_ACCESS is shown to nobody
st.navigation([page for key, page in PAGES.items() if key in allowed]).run()
write_url()  # after the page: its filters are in the session store now
