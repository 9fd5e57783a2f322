"""The investor brief: the Investors view as one self-contained HTML page to download and forward.

Self-contained means offline-safe: plotly.js is embedded once (to_html(include_plotlyjs=True)), styles are inline,
nothing is linked or fetched. The brief shows what the view shows, built by the same queries, chart builders and
small-group suppression (ui/investors.display: any group under 5 reads "<5"); aggregates only.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
import streamlit as st

import charts
from ui import fmt
from ui import investors as inv
from ui.data import load
from ui.glossary import BY_KEY
from ui.i18n import lang, t


@dataclass
class Section:
    heading: str
    figure: go.Figure | None = None
    table: pl.DataFrame | None = None  # already text, as the view shows it ("<5" where suppressed)
    note: str = ""


def html(title: str, subtitle: str, cards: list[tuple[str, str, str | None]], sections: list[Section],
         language: str = "ko") -> str:
    """The brief as one HTML document: title, the headline cards (label, value, change), then each section's chart
    and table. The first chart carries plotly.js inline; nothing refers to another file or address."""
    esc = html_lib.escape
    out = [f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{esc(title)}</title></head>',
           '<body style="font-family:sans-serif;color:#1f2933;max-width:1100px;margin:auto;padding:16px">',
           f'<h1 style="color:#0b5ca8;font-size:24px">{esc(title)}</h1>', f'<p style="color:#52606d">{esc(subtitle)}</p>',
           '<div style="display:flex;gap:12px;flex-wrap:wrap">']
    for label, value, delta in cards:
        out.append('<div style="border:1px solid #d9e2ec;border-radius:8px;padding:10px 16px;min-width:150px">'
                   f'<div style="color:#52606d;font-size:13px">{esc(label)}</div>'
                   f'<div style="font-size:26px;font-weight:bold">{esc(value)}</div>'
                   + (f'<div style="color:#52606d;font-size:13px">{esc(delta)}</div>' if delta else "") + "</div>")
    out.append("</div>")
    plotly_included = False
    cell = "padding:3px 8px;border-bottom:1px solid #e0e4e8;text-align:right"
    for number, section in enumerate(sections, 1):
        out.append(f'<h2 style="font-size:18px;margin-top:28px">{esc(section.heading)}</h2>')
        if section.figure is not None:
            # a fixed id, not plotly's random UUID: the same numbers give the same file (its hex digits once
            # read as a phone number to the PII scan of the downloads)
            out.append(section.figure.to_html(full_html=False, include_plotlyjs=not plotly_included,
                                              div_id=f"brief-chart-{number}",
                                              config={"displaylogo": False, "displayModeBar": False}))
            plotly_included = True
        if section.table is not None and section.table.height:
            head = "".join(f'<th style="{cell};background:#f3f6f9">{esc(c)}</th>' for c in section.table.columns)
            rows = "".join("<tr>" + "".join(f'<td style="{cell}">{esc(str(v))}</td>' for v in r) + "</tr>"
                           for r in section.table.iter_rows())
            out.append(f'<table style="border-collapse:collapse;font-size:13px"><tr>{head}</tr>{rows}</table>')
        if section.note:
            out.append(f'<p style="color:#52606d;font-size:12px">{esc(section.note)}</p>')
    out.append("</body></html>")
    return "\n".join(out)


def investor_content(params: dict, reporters: bool, proposals: bool) -> tuple[list, list[Section]]:
    """The Investors view's cards and sections, loaded and worded here in the script thread (the download runs
    its callable without a session, where the language and the cache are unknown)."""
    engagement = load("engagement_monthly", **params)
    counts = [("active_participants", BY_KEY["active_participants"].name, reporters),
              ("submissions", t("신청 건수", "Submissions"), True),
              ("proposals", t("제안", "Proposals"), proposals), ("votes", t("공감(투표)", "Votes"), proposals)]
    cards = [(label, *inv.month_delta(engagement, column)) if ok else (label, fmt.DASH, None)
             for column, label, ok in counts]
    panels = [(c, label, "count") for c, label, ok in counts if ok]
    month_col = {"month": (t("월", "Month"), inv.month_label)}
    sections = [Section(t("월별 참여", "Engagement by month"), charts.monthly_panels(engagement, "month", panels),
                        inv.display(engagement, month_col | {c: (label, fmt.num) for c, label, _ in panels}))]
    if reporters:
        retention = load("cohort_retention", **params)
        sections.append(Section(BY_KEY["cohort_retention"].name, charts.retention_heatmap(
            retention, "", t("첫 신청 후 개월", "Months since first item"), t("코호트 (첫 신청 월)", "Cohort (month of first item)")),
            note=BY_KEY["cohort_retention"].definition))
        stages = load("investor_funnel", **params)
        names = {"reporters": t("신청인", "Reporters"), "repeat": t("재참여", "Repeat"),
                 "proposer": t("제안자", "Proposers"), "adopted_proposer": t("채택된 제안자", "Adopted proposers")}
        texts = [inv.SUPPRESSED if s else f"{n:,} ({fmt.pct(p, 0)})"
                 for n, p, s in zip(stages["reporters"], stages["share"], stages["suppressed"], strict=True)]
        sections.append(Section(BY_KEY["engagement_funnel"].name, charts.funnel(
            [names[s] for s in stages["stage"]], stages["reporters"].to_list(), texts, ""),
            note=BY_KEY["engagement_funnel"].definition))
    performance = load("performance_monthly", **params)
    perf = [("received", BY_KEY["received"].name, "count", fmt.num), ("resolution_rate", BY_KEY["resolution_rate"].name, "pct", fmt.pct),
            ("median_days_to_close", BY_KEY["median_days_to_close"].name, "days", fmt.days),
            ("on_time_rate", BY_KEY["on_time_rate"].name, "pct", fmt.pct)]
    sections.append(Section(t("응답 성과 (접수 월 기준)", "Response performance (by month of receipt)"),
                            charts.monthly_panels(performance, "month", [p[:3] for p in perf]),
                            inv.display(performance, month_col | {c: (label, show) for c, label, _, show in perf}),
                            BY_KEY["small_group_suppression"].definition))
    return cards, sections


def download_button(params: dict, start: dt.datetime, end: dt.datetime, reporters: bool, proposals: bool) -> None:
    """The view's download button; the HTML (plotly.js included, ~5 MB) is only built when it is clicked."""
    cards, sections = investor_content(params, reporters, proposals)
    window = f"{inv.month_label(start)} – {inv.month_label(end - dt.timedelta(days=1))}"
    title = t("세종 스마트시티 참여 성장 브리프", "Sejong smart city engagement brief")
    subtitle = window + " · " + t("집계만 표시, 5 미만 집단은 '<5'", "aggregates only; groups under 5 read \"<5\"")
    language = lang()
    st.download_button(t("투자자 브리프 내려받기 (HTML)", "Download the investor brief (HTML)"),
                       data=lambda: html(title, subtitle, cards, sections, language).encode("utf-8"),
                       file_name=f"investor-brief-{start:%Y%m}-{end - dt.timedelta(days=1):%Y%m}.html",
                       mime="text/html", key="inv_brief", on_click="ignore", icon=":material/download:")
