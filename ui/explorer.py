"""The explorer page's widgets and cached fetches (the SQL itself is assembled only in ui/explorer_sql.py)."""

from __future__ import annotations

import polars as pl
import streamlit as st

import queries
from ui import explorer_sql as xs
from ui import exports, fmt, roles
from ui.i18n import t

EXPORT_MAX_ROWS = 100_000
FILTER_SLOTS = 3
MART_NAMES = {
    "fct_complaints": ("민원 (건별)", "Complaints (one row each)"),
    "fct_sensor_readings": ("센서 측정값 (건별)", "Sensor readings (each)"),
    "agg_complaints_daily": ("민원 일별 집계", "Complaints per day"),
    "agg_sensor_hourly": ("센서 시간별 집계", "Sensor readings per hour"),
    "agg_sensor_daily": ("센서 일별 집계", "Sensor readings per day"),
    "dim_district": ("읍면동", "Districts"),
    "dim_sensor": ("센서 목록", "Sensors"),
}
SHARED_NAMES = {
    "start": ("기간", "period"), "end": None, "district": ("읍면동", "district"), "domain": ("분야", "domain"),
    "category": ("세부 유형", "category"), "kind": ("구분", "kind"),
}
OP_NAMES = {"eq": ("같음", "equals"), "contains": ("포함", "contains"), "range": ("범위", "range")}
AGG_NAMES = {"count": ("건수", "Count"), "sum": ("합계", "Sum"), "mean": ("평균", "Mean"), "min": ("최소", "Min"), "max": ("최대", "Max")}


def visible_columns(mart: str) -> dict[str, str]:
    """The mart's allow-listed columns this role may see: no complaint text (title, description) for analysts."""
    hidden = roles.hidden_columns()
    return {c: kind for c, kind in xs.mart(mart).columns.items() if c not in hidden}


def mart_name(mart: str) -> str:
    return t(*MART_NAMES[mart])


def measure_label(m: xs.Measure) -> str:
    name = t(*AGG_NAMES[m.agg])
    return name if m.column is None else f"{name} · {m.column}"


@st.cache_data(ttl=900, show_spinner=False, max_entries=256)
def _fetch(sql: str, params: tuple, version: tuple) -> pl.DataFrame:
    return xs.run(xs.Query(sql, dict(params)))


def fetch(query: xs.Query) -> pl.DataFrame:
    """The query's rows, cached per warehouse file (a new load shows at once); checked for the role first."""
    roles.check_sql(query.sql)
    return _fetch(query.sql, tuple(sorted(query.params.items())), queries.version())


def count(query: xs.Query) -> int:
    return int(fetch(query)["n"][0])


def applied_caption(mart: str, shared: dict) -> None:
    """Which sidebar filters this mart takes (and which it cannot)."""
    keys = xs.applicable_shared(mart)
    used = [t(*SHARED_NAMES[k]) for k in keys if SHARED_NAMES.get(k) and (shared.get(k) is not None or k == "start")]
    unused = [t(*v) for k, v in SHARED_NAMES.items() if v and k not in keys]
    text = t("적용된 사이드바 필터: ", "Sidebar filters applied: ") + (", ".join(used) or "–")
    if unused:
        text += t(" · 이 표에 없는 항목: ", " · not in this table: ") + ", ".join(unused)
    st.caption(text)


def _value_widget(slot: int, mart: str, column: str, kind: str, op: str):
    key = f"ex_f{slot}_v_{mart}_{column}_{op}"
    label = t("값", "Value")
    if op == "contains":
        return st.text_input(label, key=key)
    if op == "range":
        lo, hi = st.columns(2)
        if kind == xs.NUMBER:
            return (lo.number_input(t("최소", "From"), value=None, key=key + "_lo"),
                    hi.number_input(t("최대", "To"), value=None, key=key + "_hi"))
        return (lo.date_input(t("시작일", "From"), value=None, key=key + "_lo"),
                hi.date_input(t("종료일", "To"), value=None, key=key + "_hi"))
    if kind == xs.NUMBER:
        return st.number_input(label, value=None, key=key)
    if kind in (xs.DATE, xs.TIME):
        return st.date_input(label, value=None, key=key)
    if kind == xs.BOOL:
        return st.selectbox(label, [True, False], index=None, key=key)
    return st.text_input(label, key=key)


def column_filters(mart: str) -> list[xs.ColumnFilter]:
    """Up to three column filters (equals / contains / range) on the mart's allow-listed columns."""
    kinds = visible_columns(mart)
    out = []
    with st.expander(t("열 필터", "Column filters")):
        for slot in range(FILTER_SLOTS):
            c1, c2, c3 = st.columns([1, 1, 2])
            column = c1.selectbox(t("열", "Column"), list(kinds), index=None, key=f"ex_f{slot}_col_{mart}",
                                  placeholder=t("선택 안 함", "None"))
            if column is None:
                continue
            kind = kinds[column]
            ops = ["eq"] + (["contains"] if kind == xs.TEXT else []) + (["range"] if kind in (xs.NUMBER, xs.DATE, xs.TIME) else [])
            op = c2.selectbox(t("조건", "Condition"), ops, key=f"ex_f{slot}_op_{mart}_{column}",
                              format_func=lambda o: t(*OP_NAMES[o]))
            with c3:
                value = _value_widget(slot, mart, column, kind, op)
            if op == "range":
                low, high = (xs.coerce(kind, v) for v in value)
                out.append(xs.ColumnFilter(column, op, low=low, high=high))
            else:
                out.append(xs.ColumnFilter(column, op, value=xs.coerce(kind, value)))
    return out


def grouping(mart: str) -> tuple[list[str], list[xs.Measure]]:
    """Group-by columns and measures (count, or sum/mean/min/max of a numeric column)."""
    columns = list(visible_columns(mart))
    options = [xs.Measure("count")] + [xs.Measure(a, c) for c in xs.numeric_columns(mart) for a in ("sum", "mean", "min", "max")]
    left, right = st.columns(2)
    group_by = left.multiselect(t("그룹 기준 열", "Group by"), columns, key=f"ex_group_{mart}",
                                placeholder=t("그룹 없음 (행 보기)", "No grouping (rows)"))
    measures = right.multiselect(t("측정값", "Measures"), options, default=[options[0]], key=f"ex_measures_{mart}",
                                 format_func=measure_label)
    return group_by, measures or [options[0]]


def export_buttons(query_for_export: xs.Query, total: int, stem: str) -> None:
    """CSV (UTF-8 with BOM, or CP949), XLSX and Parquet of the current result (up to EXPORT_MAX_ROWS rows)."""
    # checked now, in the user's run: the deferred downloads below run later, outside the session
    roles.check_sql(query_for_export.sql)
    if total > EXPORT_MAX_ROWS:
        st.caption(t(f"내려받기는 처음 {fmt.num(EXPORT_MAX_ROWS)}행까지입니다. 필터로 범위를 좁히세요.",
                     f"Downloads hold the first {fmt.num(EXPORT_MAX_ROWS)} rows; narrow the filters for the rest."))
    labels = {"utf-8": "UTF-8 (BOM)", "cp949": t("CP949 (구형 엑셀·행정 시스템)", "CP949 (older Excel, government systems)")}
    encoding = st.radio(t("CSV 인코딩", "CSV encoding"), list(labels), horizontal=True, key="ex_csv_encoding", format_func=labels.get)
    cols = st.columns(3)
    if encoding == "cp949":
        data, replaced = exports.to_cp949_csv_bytes(fetch(query_for_export))
        cols[0].download_button("CSV (CP949)", data, f"{stem}_cp949.csv", "text/csv", key="ex_dl_csv", on_click="ignore")
        if replaced:
            st.warning(t(f"CP949로 표현할 수 없는 문자 {fmt.num(replaced)}개를 '?'로 바꿨습니다.",
                         f"{fmt.num(replaced)} characters CP949 cannot encode were replaced with '?'."))
        else:
            st.caption(t("모든 문자를 CP949로 표현할 수 있습니다.", "Every character fits in CP949."))
    else:
        cols[0].download_button("CSV (UTF-8)", lambda: exports.to_csv_bytes(xs.run(query_for_export)), f"{stem}.csv",
                                "text/csv", key="ex_dl_csv", on_click="ignore")
    cols[1].download_button("XLSX", lambda: exports.to_xlsx_bytes(xs.run(query_for_export)), f"{stem}.xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="ex_dl_xlsx", on_click="ignore")
    cols[2].download_button("Parquet", lambda: exports.to_parquet_bytes(xs.run(query_for_export)), f"{stem}.parquet",
                            "application/vnd.apache.parquet", key="ex_dl_parquet", on_click="ignore")
