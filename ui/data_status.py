"""The data page's helpers: quality checks on the dashboard's own connection, freshness ages, quarantine
filters and the masking of quarantined raw records."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

import queries
from ui import fmt
from ui.i18n import t
from warehouse import check
from warehouse.pii import mask_text

NOT_AVAILABLE = ("이 출처에서는 제공되지 않음", "not available for this source")


@st.cache_data(ttl=900, show_spinner=False, max_entries=8)
def _checks(version: tuple) -> list[check.CheckResult]:
    cur = queries.cursor()  # the shared read-only connection: no second handle on the same file
    try:
        return check.run_checks_on(cur)
    finally:
        cur.close()


def checks() -> list[check.CheckResult]:
    """warehouse/checks/*.sql run once per warehouse file."""
    return _checks(queries.version())


def checks_table(results: list[check.CheckResult]) -> pl.DataFrame:
    return pl.DataFrame({
        "status": [t("통과", "pass") if r.failures == 0 else t("실패", "FAIL") for r in results],
        "check": [r.name for r in results],
        "rule": [r.rule for r in results],
        "failures": [r.failures for r in results],
    }, schema={"status": pl.String, "check": pl.String, "rule": pl.String, "failures": pl.Int64})


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
