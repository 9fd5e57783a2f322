"""First start on a fresh clone: build the demo warehouse, with progress, before any page opens."""

from __future__ import annotations

import threading

import streamlit as st

import settings
from ui.i18n import t

_build_lock = threading.Lock()


def ensure_warehouse() -> bool:
    """True when a warehouse is there (building the demo one first if it is missing)."""
    db = settings.db_path()
    if db.exists():
        return True
    with _build_lock:  # a second session arriving mid-build waits instead of building again
        if db.exists():
            return True
        from warehouse.demo_build import build_demo

        label = t("처음 실행: 세종 데모 데이터 창고를 만드는 중…", "First start: building the Sejong demo warehouse…")
        with st.status(label, expanded=True) as status:
            bar = st.progress(0.0)

            def progress(step: str, done: int, total: int) -> None:
                bar.progress(min(done / max(total, 1), 1.0), text=step)

            reports = build_demo(db, progress=progress)
            for r in reports:
                st.write(f"{r.source}: {r.rows_loaded:,} " + t("건 적재", "rows loaded"))
            status.update(label=t("데이터 창고 준비 완료", "Warehouse ready"), state="complete", expanded=False)
    return db.exists()
