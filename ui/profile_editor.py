"""The mapping editor of the upload section: for a file no profile fits, map its columns onto our fields
and save the mapping as a profile TOML (data/profiles/<name>.toml) that the CLI accepts by name too."""

from __future__ import annotations

import re
import zoneinfo

import polars as pl
import streamlit as st

from ui.i18n import t
from warehouse import catalog
from warehouse.errors import DataError, ProfileError
from warehouse.profile import list_profiles, normalize_name, normalize_value
from warehouse.profile_writer import STATUSES, profile_doc, save_profile
from warehouse.suggest import Suggestion
from warehouse.timeparse import parse_series
from warehouse.upload import Upload, table

FIELDS = {
    "complaints": [
        "source_id", "requested_at", "status", "closed_at", "category", "title", "description", "district", "kind",
        "channel", "first_response_at", "due_at", "updated_at", "agency", "lat", "lon", "reporter", "votes", "adopted",
        "satisfaction", "service_code", "domain",
    ],
    "sensors_wide": ["measured_at", "station", "station_name", "district", "lat", "lon", "status", "domain"],
    "sensors_long": ["measured_at", "station", "station_name", "metric", "value", "unit", "district", "lat", "lon", "status", "domain"],
}
REQUIRED = {"source_id", "requested_at", "measured_at", "station", "metric", "value"}
TIME_FIELD = {"complaints": "requested_at", "sensors": "measured_at"}
FORMATS = [
    "iso", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y/%m/%d %H:%M:%S", "%Y%m%d%H%M%S", "%Y%m%d%H", "%Y%m%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M",
]
OTHER = "__other__"
ZONES = ["Asia/Seoul", "UTC", "America/Los_Angeles", "America/New_York", "America/Chicago", "Europe/London", "Asia/Tokyo"]
MAX_STATUS_VALUES = 30


def render(upload: Upload, best: Suggestion | None) -> None:
    """The editor for this upload; on save the new profile is picked and the page reruns."""
    p = f"pe_{upload.sha256[:8]}_"
    with st.container(border=True):
        st.markdown(t("**새 매핑** — 파일의 열을 우리 필드에 연결하세요.", "**New mapping** — map the file's columns onto our fields."))
        c1, c2 = st.columns(2)
        dataset = c1.radio(t("데이터", "Dataset"), ["complaints", "sensors"], key=p + "dataset", horizontal=True,
                           index=0 if best is None or best.profile.dataset == "complaints" else 1,
                           format_func={"complaints": t("민원", "Complaints"), "sensors": t("센서", "Sensors")}.get)
        layout = "long"
        if dataset == "sensors":
            layout = c2.radio(t("형태", "Layout"), ["wide", "long"], key=p + "layout", horizontal=True,
                              format_func={"wide": t("넓은 표 (지표마다 열)", "wide (a column per metric)"),
                                           "long": t("긴 표 (지표·값 열)", "long (metric and value columns)")}.get)
        fields = FIELDS["complaints" if dataset == "complaints" else f"sensors_{layout}"]
        guess = _guesses(upload.header, best, dataset)
        columns = _column_pickers(upload.header, fields, guess, p + f"{dataset}_{layout}_")
        formats, timezone = _time_pickers(upload, columns.get(TIME_FIELD[dataset]), p)
        status_map = _status_pickers(upload, columns.get("status"), p) if dataset == "complaints" else {}
        metrics = _metric_pickers(upload.header, set(columns.values()), p) if layout == "wide" else {}
        c1, c2, c3 = st.columns(3)
        country = c1.selectbox(t("좌표 국가", "Coordinates country"), [None, "KR", "US", "any"], key=p + "country",
                               format_func={None: t("도시의 국가", "the city's"), "KR": "KR", "US": "US", "any": "any"}.get)
        missing = c2.text_input(t("빈 값 표시 (쉼표로 구분)", "Missing-value markers (comma-separated)"), "-", key=p + "missing")
        name = c3.text_input(t("프로파일 이름 (a-z, 0-9, _)", "Profile name (a-z, 0-9, _)"), key=p + "name").strip()
        overwrite = st.checkbox(t("같은 이름의 저장된 프로파일 덮어쓰기", "Overwrite a saved profile of the same name"),
                                key=p + "overwrite")
        if st.button(t("프로파일 저장", "Save profile"), key=p + "save"):
            try:
                doc = profile_doc(
                    name=name, dataset=dataset, columns=columns, timestamp_formats=formats, timezone=timezone,
                    file_format=upload.sniffed.text_format, delimiter=upload.sniffed.delimiter,
                    description=t(f"{upload.name}에서 만든 매핑", f"mapping made from {upload.name}"),
                    status_map=status_map, metrics=metrics, country=country,
                    missing=[""] + [m.strip() for m in missing.split(",") if m.strip()],
                )
                path = save_profile(doc, overwrite=overwrite)
            except ProfileError as exc:
                st.error(str(exc))
                return
            st.session_state["upload_pick"] = name
            st.session_state["upload_notice"] = t(
                f"프로파일 '{name}' 저장: {path}. CLI: python -m warehouse ingest {dataset} {upload.readable} --profile {name}",
                f"Profile '{name}' saved: {path}. CLI: python -m warehouse ingest {dataset} {upload.readable} --profile {name}",
            )
            st.rerun()


def _guesses(header: list[str], best: Suggestion | None, dataset: str) -> dict[str, str]:
    """Field → column to start from: a same-named column, else what the closest profile matched."""
    by_norm = {normalize_name(c): c for c in header}
    guess = {f: by_norm[normalize_name(f)] for fs in FIELDS.values() for f in fs if normalize_name(f) in by_norm}
    if best is not None and best.profile.dataset == dataset:
        guess.update({f: c for f, c in best.matched.items() if not f.startswith("metric:")})
    return guess


def _column_pickers(header: list[str], fields: list[str], guess: dict[str, str], p: str) -> dict[str, str]:
    st.caption(t("필드마다 파일의 열 (* 필수)", "A column of the file for each field (* required)"))
    cols = st.columns(3)
    chosen = {}
    for i, field in enumerate(fields):
        options = [None, *header]
        default = options.index(guess[field]) if field in guess and guess[field] in options else 0
        label = field + (" *" if field in REQUIRED else "")
        value = cols[i % 3].selectbox(label, options, index=default, key=p + field, format_func=lambda v: "–" if v is None else v)
        if value:
            chosen[field] = value
    return chosen


def _time_pickers(upload: Upload, time_column: str | None, p: str) -> tuple[list[str], str]:
    c1, c2, c3 = st.columns(3)
    other = t("직접 입력…", "other…")
    fmt = c1.selectbox(t("시각 형식", "Timestamp format"), [*FORMATS, OTHER], key=p + "format",
                       format_func=lambda v: other if v == OTHER else v)
    if fmt == OTHER:
        fmt = c2.text_input(t("형식 (strftime, 예: %Y년 %m월 %d일)", "Format (strftime, e.g. %d/%m/%Y %H:%M)"),
                            key=p + "format_text").strip()
    zones = [*ZONES, *sorted(zoneinfo.available_timezones() - set(ZONES))]
    timezone = c3.selectbox(t("시간대", "Time zone"), zones, key=p + "timezone")
    if time_column and fmt:
        sample = _values(upload, time_column).head(5)
        parsed = parse_series(sample, [fmt], timezone)
        ok = int(parsed.is_not_null().sum())
        st.caption(t(f"'{time_column}' 처음 값 {len(sample)}개 중 {ok}개를 이 형식으로 읽음: ",
                     f"{ok} of the first {len(sample)} values of '{time_column}' read with this format: ") + ", ".join(sample.to_list()))
    return ([fmt] if fmt else []), timezone


def _status_pickers(upload: Upload, column: str | None, p: str) -> dict[str, str]:
    """Each distinct value of the status column → open / in_progress / closed (unmapped ones are quarantined)."""
    if not column:
        return {}
    known = {}
    for profile in list_profiles():
        known.update({k: v for k, v in profile.values.get("status", {}).items() if v in STATUSES})
    counts = _values(upload, column).value_counts()
    values = counts.sort(["count", column], descending=[True, False]).head(MAX_STATUS_VALUES)[column].to_list()
    st.caption(t(f"'{column}'의 값마다 상태 (정하지 않은 값의 행은 격리)",
                 f"A status for each value of '{column}' (rows with an unmapped value are quarantined)"))
    cols = st.columns(3)
    out = {}
    for i, value in enumerate(values):
        options = [None, *STATUSES]
        default = options.index(known[normalize_value(value)]) if normalize_value(value) in known else 0
        picked = cols[i % 3].selectbox(value, options, index=default, key=f"{p}status_{column}_{i}",
                                       format_func=lambda v: "–" if v is None else v)
        if picked:
            out[value] = picked
    return out


def _metric_pickers(header: list[str], used: set[str], p: str) -> dict[str, dict]:
    """Wide sensor files: which columns are metrics, each with its catalogue metric and the column's unit."""
    free = [c for c in header if c not in used]
    default = [c for c in free if _metric_of(c)]
    picked = st.multiselect(t("지표 열", "Metric columns"), free, default=default, key=p + "metric_columns")
    names = list(catalog.metrics())
    out: dict[str, dict] = {}
    for column in picked:
        c1, c2 = st.columns(2)
        guess = _metric_of(column)
        metric = c1.selectbox(f"{column} → " + t("지표", "metric"), names, index=names.index(guess) if guess else 0,
                              key=f"{p}metric_{column}")
        unit_guess = _unit_in(column) or catalog.metrics()[metric]["unit"]
        unit = c2.text_input(f"{column} · " + t("단위", "unit"), unit_guess, key=f"{p}unit_{column}_{metric}").strip()
        if catalog.factor(metric, unit) is None:
            st.warning(t(f"{unit}는 {metric}의 단위 {catalog.metrics()[metric]['unit']}로 바꿀 수 없습니다.",
                         f"{unit} cannot be converted to {metric}'s unit {catalog.metrics()[metric]['unit']}."))
        if metric in out:
            first = out[metric]["column"]
            st.warning(t(f"{metric}에 열이 둘: {first}만 씁니다.", f"Two columns for {metric}: only {first} is used."))
            continue
        out[metric] = {"column": column, "unit": unit}
    return out


def _metric_of(column: str) -> str | None:
    """The catalogue metric a column name means (미세먼지농도(㎍/㎥) → pm10), if any."""
    aliases = catalog.alias_map()
    name = normalize_name(column)
    return aliases.get(name) or aliases.get(re.sub(r"(농도|value|값)$", "", name))


def _unit_in(column: str) -> str | None:
    found = re.search(r"[(\[]([^)\]]+)[)\]]\s*$", column)
    return catalog.canonical_unit(found.group(1)) if found else None


def _values(upload: Upload, column: str) -> pl.Series:
    """The non-empty values of one column of the file (the file is read once per session)."""
    key = ("pe_table", upload.sha256)
    if st.session_state.get("pe_table_key") != key:
        try:
            st.session_state["pe_table"] = table(upload)
        except DataError as exc:
            st.error(str(exc))
            st.session_state["pe_table"] = pl.DataFrame()
        st.session_state["pe_table_key"] = key
    frame = st.session_state["pe_table"]
    if column not in frame.columns:
        return pl.Series(column, [], dtype=pl.String)
    values = frame[column].drop_nulls().str.strip_chars()
    return values.filter(values != "")
