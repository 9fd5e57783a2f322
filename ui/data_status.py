"""The data page's helpers: the checks' stored results, freshness ages, quarantine filters and the masking of
quarantined raw records."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import streamlit as st

from ui import fmt
from ui.data import load
from ui.i18n import t
from warehouse.pii import mask_text

NOT_AVAILABLE = ("이 출처에서는 제공되지 않음", "not available for this source")
NO_STORED_CHECKS = (
    "저장된 검사 결과가 없습니다 (검사 결과를 저장하기 전에 만든 웨어하우스입니다). "
    "`python -m warehouse check`를 실행하거나 배치를 하나 적재하면 전체 기간을 검사해 결과를 저장합니다.",
    "No stored check results (this warehouse was written before check results were stored). "
    "Run `python -m warehouse check` or load a batch: either checks the whole history and stores the results.",
)


def stored_checks() -> pl.DataFrame | None:
    """The checks' results as the last writes stored them (queries/check_results.sql); the page runs no check.

    None for a warehouse written before results were stored (no check_results table, or no row yet)."""
    try:
        stored = load("check_results")
    except duckdb.CatalogException as error:
        if "check_results" not in str(error):
            raise
        return None
    return None if stored.is_empty() else stored


def _checked_by(batch_id: int | None) -> str:
    return t(f"배치 #{batch_id}", f"batch #{batch_id}") if batch_id is not None else t("검사 명령", "check command")


def _range(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """The days a run looked at ([start, end) on local midnights), or the whole history."""
    if start is None or end is None:
        return t("전체 기간", "whole history")
    return f"{start:%Y-%m-%d} – {end - dt.timedelta(days=1):%Y-%m-%d}"


def checks_table(stored: pl.DataFrame) -> pl.DataFrame:
    """One row per check: result, name, rule, offending rows, when it last ran, by what and on which days."""
    rows = stored.iter_rows(named=True)
    return pl.DataFrame([{
        "status": t("통과", "pass") if r["failures"] == 0 else t("실패", "FAIL"),
        "check": r["check_name"], "rule": r["rule"], "failures": r["failures"], "checked_at": r["checked_at"],
        "checked_by": _checked_by(r["batch_id"]), "range": _range(r["scope_from"], r["scope_to"]),
    } for r in rows], schema={"status": pl.String, "check": pl.String, "rule": pl.String, "failures": pl.Int64,
                              "checked_at": stored.schema["checked_at"], "checked_by": pl.String, "range": pl.String})


def checked_caption(stored: pl.DataFrame) -> str:
    last = stored["checked_at"].max()
    return t(f"검사는 적재할 때마다 그 배치가 바꾼 날짜에 대해 실행되어 저장됩니다. 마지막 검사: {fmt.datetime(last)}",
             f"Checks run inside every load, on the days the batch changed, and are stored. Last checked: {fmt.datetime(last)}")


def sample_frame(sample: str | None) -> pl.DataFrame:
    """A check's stored sample (a JSON array of offending rows) as a frame."""
    return pl.DataFrame(json.loads(sample), infer_schema_length=None) if sample else pl.DataFrame()


def now() -> dt.datetime:
    """The clock ages are measured against, to the minute (so the cached freshness query is reused)."""
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def age_text(hours: float | None) -> str:
    if hours is None:
        return t(*NOT_AVAILABLE)
    return fmt.hours(hours) if hours < 48 else fmt.days(hours / 24)


def with_age(fresh: pl.DataFrame) -> pl.DataFrame:
    return fresh.with_columns(pl.col("age_hours").map_elements(age_text, return_dtype=pl.String).alias("age"))


def masked(rows: pl.DataFrame) -> pl.DataFrame:
    """Quarantined rows with the raw record (and any value quoted in the reason) masked like the marts' text.

    The raw record is only there for the mayor's office (ui/data.load drops it for other roles)."""
    return rows.with_columns(mask_text(pl.col(c)).alias(c) for c in ("raw_record", "reason") if c in rows.columns)


def quarantine_filters(reasons: pl.DataFrame) -> tuple[int | None, str | None, str | None, pl.DataFrame]:
    """Batch, field and reason pickers (each offering what the ones before leave); the counts they select."""
    c1, c2, c3 = st.columns([1, 1, 2])
    sources = {r["batch_id"]: f"#{r['batch_id']} · {r['source']}" for r in reasons.iter_rows(named=True)}
    batch = c1.selectbox(t("배치", "Batch"), sorted(sources), index=None, key="q_batch", format_func=sources.get,
                         placeholder=t("전체", "All"))
    if batch is not None:
        reasons = reasons.filter(pl.col("batch_id") == batch)
    field = c2.selectbox(t("필드", "Field"), sorted(reasons["field"].unique().to_list()), index=None,
                         key=f"q_field_{batch}", placeholder=t("전체", "All"))
    if field is not None:
        reasons = reasons.filter(pl.col("field") == field)
    reason = c3.selectbox(t("사유", "Reason"), reasons["reason"].unique(maintain_order=True).to_list(), index=None,
                          key=f"q_reason_{batch}_{field}", placeholder=t("전체", "All"))
    if reason is not None:
        reasons = reasons.filter(pl.col("reason") == reason)
    return batch, field, reason, reasons


def per_reason(reasons: pl.DataFrame) -> pl.DataFrame:
    """Rows per (generalised) reason, most first."""
    return (reasons.group_by("field", "reason").agg(pl.col("n").sum())
            .sort(["n", "field", "reason"], descending=[True, False, False]))
