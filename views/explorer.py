"""Explorer (analysts, mayor's office): pick a mart, filter, group, pivot, chart and download it; the SQL console.

Only allow-listed marts and columns (never raw_*, quarantine or reporter_key; complaint title and description
for the mayor's office only); SQL assembled in ui/explorer_sql.py from allow-listed identifiers, every value a
parameter.
"""

import streamlit as st

import charts
from ui import explorer as ex
from ui import explorer_sql as xs
from ui import fmt, roles
from ui import url_state as url
from ui.data import freshness_caption
from ui.filters import sidebar_filters
from ui.i18n import t
from ui.paging import pager

CHART_MAX = 10_000

filters = sidebar_filters()
st.title(t("데이터 탐색", "Explorer"))
if filters is None:
    st.info(t("데이터가 아직 없습니다.", "No data yet."))
    st.stop()
freshness_caption()
if roles.can_download():
    with st.expander(t("SQL 콘솔", "SQL console")):
        from ui import sql_console

        sql_console.render()

marts = list(xs.MARTS)
mart = st.selectbox(t("표", "Table"), marts, key="ex_mart", format_func=ex.mart_name,
                    index=marts.index(url.initial("mart", url.one_of(marts), marts[0])))
url.remember("mart", mart, marts[0])
shared = filters.params()
ex.applied_caption(mart, shared)
allowed = list(ex.visible_columns(mart))
columns = st.multiselect(t("열", "Columns"), allowed, default=allowed, key=f"ex_cols_{mart}") or allowed
col_filters = ex.column_filters(mart)
group_by, measures = ex.grouping(mart)

if ex.count(xs.count_rows(mart)) == 0:
    st.info(t("이 출처에서는 제공되지 않음", "Not available for this source"))
    st.stop()

if group_by:
    total = ex.count(xs.count_groups(mart, group_by, shared, col_filters))
    make = lambda limit, offset: xs.grouped(mart, group_by, measures, shared, col_filters, limit=limit, offset=offset)
else:
    total = ex.count(xs.count_rows(mart, shared, col_filters))
    make = lambda limit, offset: xs.select_rows(mart, columns, shared, col_filters, limit=limit, offset=offset)

st.subheader(t("그룹별 결과", "Grouped result") if group_by else t("행", "Rows"))
st.markdown(t(f"**{fmt.num(total)}**{'개 그룹' if group_by else '행'}",
              f"**{fmt.num(total)}** {'groups' if group_by else 'rows'}"))
if total == 0:
    st.info(t("조건에 맞는 행이 없습니다.", "No rows match the filters."))
    st.stop()
limit, offset = pager(total, "ex")
st.dataframe(ex.fetch(make(limit, offset)), hide_index=True, key="ex_table")
ex.export_buttons(make(ex.EXPORT_MAX_ROWS, 0), total, f"{mart}_{'grouped' if group_by else 'rows'}")

if group_by:
    st.subheader(t("차트", "Chart"))
    left, right = st.columns(2)
    kind = left.segmented_control(t("형태", "Type"), ["bar", "line"], default="bar", key="ex_chart_kind", required=True,
                                  format_func=lambda k: {"bar": t("막대", "Bars"), "line": t("선", "Lines")}[k])
    y = right.selectbox(t("측정값", "Measure"), measures, key=f"ex_chart_y_{mart}", format_func=ex.measure_label)
    grouped = ex.fetch(make(CHART_MAX, 0))
    color = group_by[1] if len(group_by) > 1 else None
    st.plotly_chart(charts.explorer_chart(grouped, group_by[0], y.alias, color, kind, ex.measure_label(y)), key="ex_chart")
    if total > CHART_MAX:
        st.caption(t(f"차트는 처음 {fmt.num(CHART_MAX)}개 그룹만 보여 줍니다.", f"The chart shows the first {fmt.num(CHART_MAX)} groups."))

if len(group_by) >= 2:
    st.subheader(t("피벗", "Pivot"))
    c1, c2, c3 = st.columns(3)
    rows = c1.selectbox(t("행", "Rows"), group_by, key=f"ex_pivot_rows_{mart}")
    cols = c2.selectbox(t("열", "Columns"), [g for g in group_by if g != rows], key=f"ex_pivot_cols_{mart}")
    value = c3.selectbox(t("값", "Value"), measures, key=f"ex_pivot_value_{mart}", format_func=ex.measure_label)
    pairs = ex.fetch(xs.grouped(mart, [rows, cols], [value], shared, col_filters, limit=CHART_MAX, offset=0))
    st.dataframe(xs.pivot(pairs, rows, cols, value.alias), hide_index=True, key="ex_pivot")
    st.caption(t("피벗 열은 최대 50개까지 보여 줍니다.", "The pivot shows at most 50 columns."))
