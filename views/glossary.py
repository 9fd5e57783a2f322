"""KPI glossary: one definition per KPI, the same text as the tooltips beside every number."""

import streamlit as st

from ui.glossary import KPIS
from ui.i18n import t

st.title(t("지표 정의", "KPI glossary"))
st.caption(t("모든 숫자 옆의 도움말(?)과 같은 정의입니다.", "The same definitions as the help (?) beside every number."))
for kpi in KPIS:
    st.markdown(f"#### {kpi.name}")
    st.markdown(kpi.definition)
