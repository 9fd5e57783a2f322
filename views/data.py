"""Data (operators, analysts): sources and load batches, freshness per source, the quality checks (as the writes
stored them) and the quarantine browser (raw records shown masked, and to the mayor's office only: analysts see field and reason)."""

import polars as pl
import streamlit as st

from ui import data_status as ds
from ui import fmt, upload
from ui.data import freshness_caption, load
from ui.i18n import t
from ui.paging import pager
from ui.roles import can_upload, sees_text, visible

st.title(t("데이터 현황", "Data status"))
freshness_caption()

if can_upload():  # the mayor's office and analysts: upload a file, preview it, load it
    upload.render()

st.subheader(t("출처와 적재 배치", "Sources and load batches"))
batches = load("batches")
if batches.is_empty():
    st.info(t("아직 적재된 배치가 없습니다.", "No batch has been loaded yet."))
    st.stop()
number = st.column_config.NumberColumn
st.dataframe(batches, hide_index=True, key="batches_table", column_config={
    "batch_id": st.column_config.NumberColumn(t("배치", "Batch"), format="%d"),
    "dataset": t("데이터", "Dataset"), "source": t("출처", "Source"), "profile": t("프로파일", "Profile"),
    "files": t("파일", "Files"), "started_at": t("시작", "Started"), "finished_at": t("종료", "Finished"),
    "rows_read": number(t("읽음", "Read"), format="localized"), "rows_loaded": number(t("신규", "Loaded"), format="localized"),
    "rows_updated": number(t("갱신", "Updated"), format="localized"),
    "rows_duplicate": number(t("중복", "Duplicate"), format="localized"),
    "rows_quarantined": number(t("격리", "Quarantined"), format="localized"),
    "status": t("상태", "Status"), "message": t("메시지", "Message"),
})
st.caption(t("읽은 행 = 신규 + 갱신 + 중복 + 격리", "Rows read = loaded + updated + duplicate + quarantined"))

st.subheader(t("출처별 최신성", "Freshness per source"))
fresh = ds.with_age(load("source_freshness", now=ds.now()))
st.dataframe(fresh.select("dataset", "source", "latest_record", "last_loaded_at", "age", "records", "batches"),
             hide_index=True, key="freshness_table", column_config={
    "dataset": t("데이터", "Dataset"), "source": t("출처", "Source"), "latest_record": t("최신 기록", "Latest record"),
    "last_loaded_at": t("마지막 적재", "Last load"), "age": t("최신 기록 경과", "Age of latest record"),
    "records": number(t("기록 수", "Records"), format="localized"), "batches": t("배치 수", "Batches"),
})

st.subheader(t("품질 검사", "Quality checks"))
stored = ds.stored_checks()  # stored by the writes: the page runs no check
if stored is None:
    st.info(t(*ds.NO_STORED_CHECKS))
else:
    failed = stored.filter(pl.col("failures") > 0)
    st.markdown(t(f"검사 {stored.height}개 중 **{stored.height - failed.height}개 통과**",
                  f"**{stored.height - failed.height} of {stored.height} checks passed**"))
    st.caption(ds.checked_caption(stored))
    st.dataframe(ds.checks_table(stored), hide_index=True, key="checks_table", column_config={
        "status": t("결과", "Result"), "check": t("검사", "Check"), "rule": t("규칙", "Rule"),
        "failures": number(t("위반 행", "Offending rows"), format="localized"),
        "checked_at": st.column_config.DatetimeColumn(t("검사 시각", "Checked at"), format="YYYY-MM-DD HH:mm"),
        "checked_by": t("검사 계기", "Checked by"), "range": t("검사한 날짜", "Days checked"),
    })
    for r in failed.iter_rows(named=True):
        with st.expander(f"{r['check_name']}: {fmt.num(r['failures'])} " + t("행 위반 (예시)", "offending rows (sample)")):
            st.dataframe(visible(ds.sample_frame(r["sample"])), hide_index=True, key=f"check_sample_{r['check_name']}")

st.subheader(t("격리된 행", "Quarantined rows"))
reasons = load("quarantine_reasons")
if reasons.is_empty():
    st.success(t("격리된 행이 없습니다.", "No quarantined rows."))
    st.stop()
batch, field, reason, chosen = ds.quarantine_filters(reasons)
counts = ds.per_reason(chosen)
total = int(counts["n"].sum())
st.markdown(t(f"격리된 행 **{fmt.num(total)}**개 · 사유별", f"**{fmt.num(total)}** quarantined rows · per reason"))
st.dataframe(counts, hide_index=True, key="q_reasons_table", column_config={
    "field": t("필드", "Field"), "reason": t("사유 (값은 …, 숫자는 #)", "Reason (values …, numbers #)"),
    "n": number(t("행 수", "Rows"), format="localized"),
})
limit, offset = pager(total, "q", default_size=100)
rows = load("quarantine_rows", batch_id=batch, field=field, reason=reason, limit=limit, offset=offset)
st.dataframe(ds.masked(rows), hide_index=True, key="q_rows_table", column_config={
    "batch_id": t("배치", "Batch"), "file": t("파일", "File"), "line": t("줄", "Line"), "field": t("필드", "Field"),
    "reason": t("사유", "Reason"), "raw_record": t("원본 행 (마스킹)", "Raw record (masked)"),
})
if sees_text():
    st.caption(t("원본 행은 전화번호·이메일·주민등록번호·상세주소·차량번호·계좌번호·이름을 가린 뒤에만 보여 줍니다.",
                 "Raw records are shown only with phone numbers, e-mails, resident numbers, unit numbers, vehicle "
                 "plates, bank accounts and names masked."))
else:
    st.caption(t("원본 행(민원 내용 포함)은 시장실만 볼 수 있습니다. 필드와 사유로 원인을 찾으세요.",
                 "Raw records (complaint text included) are for the mayor's office only: field and reason tell the cause."))
