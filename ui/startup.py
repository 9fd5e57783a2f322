"""First start on a fresh clone: build the demo warehouse, with progress, before any page opens."""

from __future__ import annotations

import atexit
import gc
import threading

import streamlit as st

import settings
from ui.i18n import t

_build_lock = threading.Lock()
_freeze_lock = threading.Lock()
_frozen = False


def freeze_imports() -> None:
    """Take what the app imports out of the garbage collector's sight, once per process.

    Streamlit collects garbage after every script run (runner.postScriptGC). A full collection walks every object
    the process tracks, and the modules (plotly, pandas, pyarrow, pydeck, Streamlit's own) are most of them: on the
    bench's city tier that took about 180 ms after every run, holding the interpreter while the server should be
    sending the page's elements. Modules live as long as the process, so they are frozen (gc.freeze) after being
    imported here; the collection after each run then walks only what the runs created, and still frees it.
    """
    global _frozen
    if _frozen:
        return
    with _freeze_lock:
        if _frozen:
            return
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401

        import charts  # noqa: F401  (plotly)
        import maps  # noqa: F401  (pydeck)
        import vega_charts  # noqa: F401

        gc.collect()
        gc.freeze()
        atexit.register(gc.unfreeze)  # at exit, let the last collection free them (DuckDB's bindings check)
        _frozen = True


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
