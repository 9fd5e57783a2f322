"""Paging for long tables: a page-size selector and a page number, as `limit` and `offset`."""

from __future__ import annotations

import math

import streamlit as st

from ui import fmt
from ui.i18n import t

PAGE_SIZES = (100, 1_000, 10_000)  # at most 10,000 rows are ever rendered at once


def pager(total: int, key: str, default_size: int = 1_000) -> tuple[int, int]:
    """(limit, offset) for the page the user chose; the page number is kept within the pages there are."""
    left, mid, right = st.columns([1, 1, 2], vertical_alignment="bottom")
    size = left.selectbox(t("페이지당 행 수", "Rows per page"), PAGE_SIZES, index=PAGE_SIZES.index(default_size),
                          key=f"{key}_size", format_func=fmt.num)
    pages = max(1, math.ceil(total / size))
    page_key = f"{key}_page"
    if st.session_state.get(page_key, 1) > pages:
        st.session_state[page_key] = pages
    page = int(mid.number_input(t("페이지", "Page"), min_value=1, max_value=pages, step=1, key=page_key))
    offset = (page - 1) * size
    shown = f"{fmt.num(offset + 1 if total else 0)}–{fmt.num(min(offset + size, total))}"
    right.caption(t(f"{fmt.num(total)}행 중 {shown}행 · {fmt.num(pages)}쪽", f"Rows {shown} of {fmt.num(total)} · {fmt.num(pages)} pages"))
    return size, offset
