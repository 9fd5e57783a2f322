"""The shared sidebar filters (period, district, domain, category, kind), kept in the URL query string
so any view can be shared as a link and reopens exactly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import streamlit as st

from ui import url_state as url
from ui.data import as_of, load
from ui.i18n import lang, t

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
DOMAINS = ("transport", "safety", "disaster", "energy", "environment", "other")
DOMAIN_NAMES = {
    "transport": ("교통", "Transport"), "safety": ("안전·방범", "Safety"), "disaster": ("재난·방재", "Disaster"),
    "energy": ("에너지", "Energy"), "environment": ("환경", "Environment"), "other": ("기타", "Other"),
}
KINDS = ("complaint", "proposal", "inquiry")
KIND_NAMES = {"complaint": ("민원", "Complaint"), "proposal": ("제안", "Proposal"), "inquiry": ("질의", "Inquiry")}


def domain_name(code: str | None) -> str:
    ko, en = DOMAIN_NAMES.get(code, (code or "–", code or "–"))
    return t(ko, en)


def kind_name(code: str | None) -> str:
    ko, en = KIND_NAMES.get(code, (code or "–", code or "–"))
    return t(ko, en)


@dataclass(frozen=True)
class Filters:
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    district: str | None = None
    domain: str | None = None
    category: str | None = None
    kind: str | None = None

    def params(self) -> dict:
        return {
            "start": self.start, "end": self.end, "as_of": self.as_of, "district": self.district,
            "domain": self.domain, "category": self.category, "kind": self.kind,
        }

    def previous(self) -> Filters:
        """The period of equal length just before this one (for deltas)."""
        length = self.end - self.start
        return replace(self, start=self.start - length, end=self.start)


def district_names() -> dict[str, str]:
    col = "name_ko" if lang() == "ko" else "name_en"
    frame = load("districts")
    return {r["district_code"]: r[col] or r["name_ko"] for r in frame.iter_rows(named=True)}


def _pick(side, label: str, options, key: str, show) -> str | None:
    """A single-choice filter whose empty choice means "all", kept in the URL."""
    options = list(options)
    chosen = url.initial(key, url.one_of(options))
    value = side.selectbox(label, options, index=options.index(chosen) if chosen in options else None, key=key,
                           format_func=show, placeholder=t("전체", "All"))
    url.remember(key, value)
    return value


def sidebar_filters() -> Filters | None:
    """Render the filters (every widget keyed and bound to the URL) and return the chosen values."""
    now = as_of()
    if now is None:
        return None
    side = st.sidebar
    side.header(t("필터", "Filters"))
    labels = {"7d": t("최근 7일", "Last 7 days"), "30d": t("최근 30일", "Last 30 days"),
              "90d": t("최근 90일", "Last 90 days"), "365d": t("최근 1년", "Last year"), "custom": t("직접 지정", "Custom")}
    period = side.selectbox(t("기간", "Period"), list(labels), key="period", format_func=labels.get,
                            index=list(labels).index(url.initial("period", url.one_of(labels), "30d")))
    url.remember("period", period, "30d")
    tz = now.tzinfo
    end_day = now.date() + dt.timedelta(days=1)
    if period == "custom":
        first = side.date_input(t("시작일", "From"), key="from",
                                value=url.initial("from", url.iso_date, end_day - dt.timedelta(days=30)))
        last = side.date_input(t("종료일", "To"), key="to", value=url.initial("to", url.iso_date, now.date()))
        url.remember("from", first)
        url.remember("to", last)
        start_day, end_day = first, max(last, first) + dt.timedelta(days=1)
    else:
        start_day = end_day - dt.timedelta(days=PERIODS[period])
    names = district_names()
    district = _pick(side, t("읍면동", "District"), list(names), "district", lambda c: names.get(c, c))
    domain = _pick(side, t("분야", "Domain"), DOMAINS, "domain", domain_name)
    category = _pick(side, t("세부 유형", "Category"), load("categories", domain=domain)["category"].to_list(), "category", str)
    kind = _pick(side, t("구분", "Kind"), KINDS, "kind", kind_name)
    url.write_url()
    start = dt.datetime.combine(start_day, dt.time(), tz)
    end = dt.datetime.combine(end_day, dt.time(), tz)
    return Filters(start=start, end=end, as_of=now, district=district, domain=domain, category=category, kind=kind)
