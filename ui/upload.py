"""Upload (Data view): a file → the profile that fits → a preview of the mapped rows and of what would be
quarantined → load on confirmation, with progress → the batch's quality report.

`render()` draws the uploader; everything after it is `handle(data, name)`, which takes the bytes and the
file's name. The steps themselves are warehouse/upload.py (no Streamlit there).
"""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

import settings
from ui import fmt, profile_editor
from ui.data import load
from ui.i18n import t
from ui.roles import can_upload, sees_text
from warehouse import upload as up
from warehouse.errors import DataError, UsageError
from warehouse.pii import mask_text
from warehouse.profile import Profile
from warehouse.suggest import Suggestion, candidates, suggest

TYPES = ["csv", "tsv", "txt", "json", "jsonl", "xlsx", "xls", "htm", "html"]
NEW = "__new__"
DATASETS = {"complaints": ("민원", "complaints"), "sensors": ("센서", "sensors")}


def render() -> None:
    """The upload section of the Data view (the mayor's office and analysts only)."""
    if not can_upload():
        return
    st.subheader(t("파일 올리기", "Upload a file"))
    limit = settings.upload_limit_mb()
    st.caption(t(
        f"CSV, TSV, JSON, XLSX 또는 .xls(실제로는 HTML 표나 TSV인 파일) · 최대 {_mb(limit)} MB · "
        "확인 전에는 아무것도 적재하지 않습니다.",
        f"CSV, TSV, JSON, XLSX or .xls (files that are really an HTML table or TSV) · up to {_mb(limit)} MB · "
        "nothing is loaded before you confirm.",
    ))
    file = st.file_uploader(t("내보내기 파일", "Export file"), type=TYPES, key="upload_file")
    if file is not None:
        handle(file.getvalue(), file.name)


def handle(data: bytes, name: str) -> None:
    """Everything after the uploader, for one file's bytes."""
    limit = settings.upload_limit_mb()
    if up.too_large(len(data), limit):
        size = _mb(len(data) / up.MB)
        st.error(t(
            f"'{name}' 파일은 {size} MB로 업로드 한도 {_mb(limit)} MB를 넘습니다. 파일을 나누거나 CLI로 적재하세요 "
            "(python -m warehouse ingest).",
            f"'{name}' is {size} MB, over the upload limit of {_mb(limit)} MB. Split the file or load it with "
            "the CLI (python -m warehouse ingest).",
        ))
        return
    upload = _staged(data, name)
    if upload is None:
        return
    notice = st.session_state.pop("upload_notice", None)
    if notice:
        st.success(notice)
    ranked = _suggestions(upload)
    profile = _choose_profile(upload, ranked)
    if profile is None:
        best = ranked[0] if ranked and ranked[0].matched else None  # a starting point only if it matched something
        profile_editor.render(upload, best)
        return
    batch = _prepared(upload, profile)
    if batch is None:
        return
    done_key = (upload.sha256, profile.name)
    if st.session_state.get("upload_done", {}).get("key") != done_key:
        slot = st.empty()  # the preview gives way to the progress bar and the report once confirmed
        with slot.container():
            _preview(batch)
            confirmed = st.button(t("확인: 데이터 창고에 적재", "Confirm: load into the warehouse"), key="upload_confirm",
                                  type="primary")
        if not confirmed:
            return
        slot.empty()
        batch_id = _ingest(batch)
        if batch_id is None:
            return
        st.session_state["upload_done"] = {"key": done_key, "batch_id": batch_id}
    report(st.session_state["upload_done"]["batch_id"])


def _mb(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def _staged(data: bytes, name: str) -> up.Upload | None:
    """The upload kept on disk once per file (reruns reuse it); None after showing why it cannot be read."""
    key = (up.safe_name(name), hashlib.sha256(data).hexdigest())
    cached = st.session_state.get("upload_staged")
    if not cached or cached["key"] != key:
        try:
            cached = {"key": key, "upload": up.stage(data, name, settings.uploads_dir()), "error": None}
        except DataError as exc:
            cached = {"key": key, "upload": None, "error": str(exc)}
        st.session_state["upload_staged"] = cached
    if cached["error"]:
        st.error(cached["error"])
        return None
    upload = cached["upload"]
    kinds = {"xlsx": "XLSX", "html": t("HTML 표", "HTML table"), "spreadsheetml": "Excel XML", "tsv": "TSV", "csv": "CSV",
             "json": "JSON", "jsonl": "JSON Lines"}
    converted = t(" → CSV로 변환", " → converted to CSV") if upload.sniffed.converted else ""
    st.caption(f"{upload.name}: {kinds.get(upload.sniffed.kind, upload.sniffed.kind)}{converted} · "
               + t(f"열 {len(upload.header)}개", f"{len(upload.header)} columns") + f" · {fmt.num(upload.size / 1024, 1)} KB")
    return upload


def _suggestions(upload: up.Upload) -> list[Suggestion]:
    profiles, problems = candidates()
    for problem in problems:
        st.warning(problem)
    return suggest(upload.header, family=upload.sniffed.family, profiles=profiles)


def _choose_profile(upload: up.Upload, ranked: list[Suggestion]) -> Profile | None:
    """The profile picker, the best fit first; None when the user makes a new mapping."""
    by_name = {s.name: s for s in ranked}
    options = [s.name for s in ranked if s.format_ok] + [NEW]
    key = f"upload_profile_{upload.sha256[:8]}"
    if st.session_state.get("upload_pick") in options:  # a profile just saved in the editor
        st.session_state[key] = st.session_state.pop("upload_pick")

    def label(name: str) -> str:
        if name == NEW:
            return t("새 매핑 만들기…", "New mapping…")
        s = by_name[name]
        mark = "✓" if s.fits else "✗"
        saved = t(" · 저장됨", " · saved") if s.saved else ""
        total = len(s.matched) + len(s.missing) + len(s.unmatched)
        return f"{mark} {name} · {t(*DATASETS[s.profile.dataset])} · {len(s.matched)}/{total}{saved}"

    index = 0 if ranked and ranked[0].fits else len(options) - 1
    labels = {name: label(name) for name in options}  # made now: format_func may run outside this script run
    choice = st.selectbox(t("프로파일 (제안 순)", "Profile (best match first)"), options, index=index, key=key, format_func=labels.get)
    if choice == NEW:
        if not (ranked and ranked[0].fits):
            st.info(t("맞는 프로파일이 없습니다. 파일의 열을 우리 필드에 연결해 새 프로파일을 만드세요.",
                      "No profile fits this file. Map its columns onto our fields to make a new profile."))
        return None
    s = by_name[choice]
    pairs = ", ".join(f"{f} ← {c}" for f, c in s.matched.items())
    st.caption(t("연결된 필드: ", "Matched fields: ") + (pairs or "–"))
    if s.missing:
        st.warning(t("이 파일에 없는 필수 필드: ", "Required fields this file lacks: ") + ", ".join(s.missing))
    return s.profile


def _prepared(upload: up.Upload, profile: Profile):
    """The previewed batch (parsed once per file and profile); None after showing why it cannot be."""
    mtime = profile.path.stat().st_mtime if profile.path.exists() else 0
    key = (upload.sha256, profile.name, str(profile.path), mtime)
    cached = st.session_state.get("upload_prepared")
    if not cached or cached["key"] != key:
        with st.spinner(t("파일을 읽고 검사하는 중…", "Reading and checking the file…")):
            try:
                cached = {"key": key, "batch": up.preview(upload, profile, settings.db_path()), "error": None}
            except (DataError, UsageError) as exc:
                cached = {"key": key, "batch": None, "error": str(exc)}
        st.session_state["upload_prepared"] = cached
    if cached["error"]:
        st.error(cached["error"])
    return cached["batch"]


def _preview(batch) -> None:
    n = up.accounting(batch)
    st.markdown(t(
        f"미리 보기: 읽은 행 **{fmt.num(n['read'])}** = 적재 가능 **{fmt.num(n['valid'])}** + 격리 예정 **{fmt.num(n['quarantined'])}** "
        f"· 파일 안 중복 {fmt.num(n['duplicate_in_file'])}",
        f"Preview: rows read **{fmt.num(n['read'])}** = valid **{fmt.num(n['valid'])}** + to quarantine "
        f"**{fmt.num(n['quarantined'])}** · duplicates within the file {fmt.num(n['duplicate_in_file'])}",
    ))
    st.caption(t("처음 20행을 우리 필드로 옮긴 모습 (시각은 한국 시간)", "The first 20 rows on our fields (times in Korean time)"))
    rows = up.mapped_rows(batch, with_text=sees_text())
    when = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
    st.dataframe(rows, hide_index=True, key="upload_preview_rows",
                 column_config={c: when for c, dtype in rows.schema.items() if dtype.is_temporal()})
    q = up.quarantine_preview(batch)
    if q.is_empty():
        st.success(t("격리될 행이 없습니다.", "No row would be quarantined."))
        return
    st.caption(t("격리될 행 (사유별, 처음 줄 번호)", "Rows that would be quarantined (per reason, first line numbers)"))
    q = q.with_columns(mask_text(pl.col("example")).alias("example"))  # a quoted value may be a phone number
    st.dataframe(q, hide_index=True, key="upload_preview_quarantine", column_config={
        "field": t("필드", "Field"), "reason": t("사유", "Reason"), "rows": t("행 수", "Rows"),
        "lines": t("줄", "Lines"), "example": t("예", "Example"),
    })


def _ingest(batch) -> int | None:
    """Load the previewed batch with a progress bar; clear cached query results so every page shows it."""
    bar = st.progress(0.0, text=t("적재 중…", "Loading…"))
    shown = [0.0]

    def progress(step: str, done: int, total: int) -> None:
        # each step counts from 0 (the models, then the data checks): one batch's bar only moves forward
        shown[0] = max(shown[0], min(done / max(total, 1), 1.0))
        bar.progress(shown[0], text=step)

    try:
        result = up.commit(batch, settings.db_path(), progress=progress)
    except (DataError, UsageError) as exc:
        st.error(str(exc))
        return None
    bar.progress(1.0, text=t("적재 완료", "Loaded"))
    st.cache_data.clear()
    return result.batch_id


def report(batch_id: int) -> None:
    """The batch's quality report from the warehouse: its row accounting and its quarantine reasons."""
    row = load("batches").filter(pl.col("batch_id") == batch_id)
    if row.is_empty():
        st.warning(t(f"배치 {batch_id}가 데이터 창고에 없습니다.", f"Batch {batch_id} is not in the warehouse."))
        return
    b = row.row(0, named=True)
    st.success(t(
        f"배치 {batch_id} 적재 완료: 읽은 행 {fmt.num(b['rows_read'])} = 신규 {fmt.num(b['rows_loaded'])} + 갱신 "
        f"{fmt.num(b['rows_updated'])} + 중복 {fmt.num(b['rows_duplicate'])} + 격리 {fmt.num(b['rows_quarantined'])}",
        f"Batch {batch_id} loaded: {fmt.num(b['rows_read'])} rows read = {fmt.num(b['rows_loaded'])} loaded + "
        f"{fmt.num(b['rows_updated'])} updated + {fmt.num(b['rows_duplicate'])} duplicate + {fmt.num(b['rows_quarantined'])} quarantined",
    ))
    number = st.column_config.NumberColumn
    st.dataframe(row.select("batch_id", "dataset", "source", "profile", "files", "rows_read", "rows_loaded", "rows_updated",
                            "rows_duplicate", "rows_quarantined", "status"), hide_index=True, key="upload_batch_table", column_config={
        "batch_id": number(t("배치", "Batch"), format="%d"), "dataset": t("데이터", "Dataset"), "source": t("출처", "Source"),
        "profile": t("프로파일", "Profile"), "files": t("파일", "Files"),
        "rows_read": number(t("읽음", "Read"), format="localized"), "rows_loaded": number(t("신규", "Loaded"), format="localized"),
        "rows_updated": number(t("갱신", "Updated"), format="localized"),
        "rows_duplicate": number(t("중복", "Duplicate"), format="localized"),
        "rows_quarantined": number(t("격리", "Quarantined"), format="localized"), "status": t("상태", "Status"),
    })
    reasons = load("quarantine_reasons").filter(pl.col("batch_id") == batch_id)
    if not reasons.is_empty():
        st.dataframe(reasons.select("field", "reason", "n"), hide_index=True, key="upload_batch_reasons", column_config={
            "field": t("필드", "Field"), "reason": t("사유 (값은 …, 숫자는 #)", "Reason (values …, numbers #)"),
            "n": t("행 수", "Rows"),
        })
