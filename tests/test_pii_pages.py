"""No personal data on any page an investor or an analyst can open, nor in any file they can download.

A warehouse is built with the real build from the KPI fixture plus a 민원 export written here whose titles,
texts, agencies and reporter ids carry phone numbers, e-mails, resident and foreigner registration numbers
and unit addresses in many spellings, two of its rows quarantined (so raw records with PII exist). Every page
the role may open is rendered through dashboard.py, everything visible is collected (text, metrics, tables'
values, widget labels and options, chart specs, the URL) together with every download (eager files and
deferred callables, recorded from Streamlit's media file manager) and scanned with regexes written here,
independently of warehouse/pii.py: zero matches. Investors also see no reporter key, and neither role sees
complaint titles or descriptions (marker words in them never show up).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
import streamlit as st
from fixture_warehouse import build_kpi_warehouse
from google.protobuf import text_format
from helpers_warehouse import ingest, query, write_csv
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from ui import roles

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["접수번호", "접수일시", "민원구분", "민원분야", "민원제목", "민원내용", "처리상태", "처리일시", "처리부서",
          "읍면동", "신청경로", "민원인번호", "만족도", "위도", "경도"]
# values put into the export; each must be absent (in any spelling) from what investors and analysts see
PHONES = ["010-4821-7395", "010 5532 9081", "+82-10-2718-4466", "044)862-3051", "０１０－７７４１－２２０９",
          "010ㅡ3388ㅡ1276", "+82 (0)10-6402-1188", "02)734-5521", "010.9921.4410", "044-300-7212"]
EMAILS = ["minsu.kim82@naver.com", "jiyoung_lee @ daum . net", "hong.gd＠korea.kr"]
RRNS = ["850315-2234568", "9203121234561", "920712-5123456", "０３０１０１－３２３４５６７"]
UNITS = ["한누리대로 2130, 101동 1203호", "갈매로 388 204-1502"]
TITLE_MARK, TEXT_MARK = "제목표지", "본문표지"  # marker words: complaint text must not reach analysts or investors
REPORTER_IDS = ["010-4821-7395", "hong.gd@korea.kr", "850315-2234568", "R-PII-1", "R-PII-2"]


def _rows() -> list[list[str | None]]:
    districts = ["보람동", "아름동", "도담동", "조치원읍", "새롬동"]
    texts = [
        f"{TEXT_MARK} 아파트 정문 앞 불법주정차로 통행이 어렵습니다. 결과는 {PHONES[0]}로 문자 주세요",
        f"{TEXT_MARK} 가로등이 꺼져 있어요. 연락처: {PHONES[1]}, 메일 {EMAILS[0]}",
        f"{TEXT_MARK} 외국인등록번호 {RRNS[2]} / 연락처 {PHONES[2]} (영어 가능)",
        f"{TEXT_MARK} 저희 집 주소는 {UNITS[0]} 입니다. 엘리베이터 고장",
        f"{TEXT_MARK} {UNITS[1]} 앞 보도블록 파손, 회신 {EMAILS[1]}",
        f"{TEXT_MARK} 본인 확인용 주민등록번호 {RRNS[0]} 집 전화 {PHONES[3]}",
        f"{TEXT_MARK} 휴대폰 {PHONES[4]} 또는 {PHONES[5]} 번호로 부탁드립니다",
        f"{TEXT_MARK} 번호 {RRNS[1]} 로 접수했던 건 다시 신고 {PHONES[6]}",
        f"{TEXT_MARK} 주민번호 {RRNS[3]} 메일 {EMAILS[2]}",
        f"{TEXT_MARK} 사무실 {PHONES[7]} 으로 연락 주세요",
    ]
    rows = []
    for i in range(20):
        day = 18 + i % 11
        rows.append([
            f"PII-{i:02d}", f"2025-03-{day:02d} {9 + i % 8:02d}:00", "고충민원", ["불법주정차", "가로등", "소음", "도로파손"][i % 4],
            f"{TITLE_MARK} 불편 신고 {PHONES[i % len(PHONES)]}", texts[i % len(texts)],
            "처리완료" if i % 3 else "처리중", f"2025-03-{min(day + 1, 29):02d} 18:00" if i % 3 else None,
            f"도로과 (담당 {PHONES[(i + 1) % len(PHONES)]})" if i % 2 else f"교통과 {EMAILS[i % len(EMAILS)]}",
            districts[i % len(districts)], ["모바일앱", "홈페이지", "전화"][i % 3], REPORTER_IDS[i % len(REPORTER_IDS)],
            str(1 + i % 5) if i % 3 else None, "36.48", "127.26",
        ])
    rows.append(["PII-Q1", "2025-03-25 10:00", "고충민원", "소음", f"{TITLE_MARK} 소음 {PHONES[8]}",
                 f"{TEXT_MARK} 층간소음 {UNITS[0]} 연락 {PHONES[9]} {RRNS[0]}", f"보류 {PHONES[8]}", None,
                 f"환경과 {EMAILS[0]}", "보람동", "전화", REPORTER_IDS[0], None, None, None])  # unknown status
    rows.append(["PII-Q2", "2025-03-26 10:00", "고충민원", "소음", f"{TITLE_MARK} 재신고", f"{TEXT_MARK} {EMAILS[1]} {RRNS[2]}",
                 "처리완료", "2025-03-27 10:00", "환경과", "아름동", "전화", REPORTER_IDS[1], "9", None, None])  # satisfaction 9
    return rows


@pytest.fixture(scope="module")
def pii_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pii_pages")
    db = build_kpi_warehouse(folder / "pii.duckdb")
    export = write_csv(folder / "minwon_pii.csv", HEADER, _rows())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_CITY", "sejong")
        mp.setenv("WAREHOUSE_REPORTER_KEY", "test-key")
        report = ingest("complaints", export, "kr_minwon", db)
    assert (report.rows_loaded, report.rows_quarantined) == (20, 2)
    return db


class Downloads(MediaFileManager):
    """Streamlit's media file manager, also keeping every download file (eager bytes or deferred callable)."""

    files: list[tuple[str, object]] = []

    def add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if is_for_static_download:
            Downloads.files.append((file_name, path_or_data))
        return super().add(path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        Downloads.files.append((file_name, data_callable))
        return super().add_deferred(data_callable, mimetype, coordinates, file_name, element_id=element_id)


@pytest.fixture(autouse=True)
def setting(pii_db, monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_PATH", str(pii_db))
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(tmp_path / "none.yaml"))
    monkeypatch.delenv("DASHBOARD_AUTH", raising=False)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", Downloads)
    Downloads.files = []
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


# --- what is visible ------------------------------------------------------------------------------------


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_flatten(v)]]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _flatten(v)]
    return [] if value is None else [str(value)]


# Streamlit's own identifiers in a proto, which nobody sees: a widget's id (a hex hash of its arguments, some of
# which vary with the date), a deferred download's id (a random UUID) and a media file's URL (a hash of its bytes).
# A run of their hex digits can read as a phone number by chance (029964014 and 020251017 once did).
INTERNAL_IDS = re.compile(r'^\s*(?:id: "\$\$ID-[0-9a-f]+-[^"\n]*"|deferred_file_id: "[0-9a-f]+"'
                          r'|url: "/(?:mock/)?media/[0-9a-f]+\.\w+")$', re.M)


def _node_texts(node) -> list[str]:
    out = []
    for child in getattr(node, "children", {}).values():
        out += _node_texts(child)
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    if kind in ("arrow_data_frame", "dataframe", "table"):
        out.append(node.value.to_csv())  # the values the grid shows (the proto holds Arrow bytes)
    elif kind == "vega_lite_chart":  # the spec, and the rows Streamlit moved out of it into Arrow bytes
        out += _flatten(json.loads(proto.spec))
        if proto.data.data:
            out += _flatten(pa.ipc.open_stream(proto.data.data).read_all().to_pylist())
    elif proto is not None:
        # labels, values, options, help texts; not Streamlit's internal ids
        out.append(INTERNAL_IDS.sub("", text_format.MessageToString(proto, as_utf8=True)))
        for field in ("spec", "json"):  # plotly and pydeck specs: JSON strings, read as data
            if getattr(proto, field, ""):
                out += _flatten(json.loads(getattr(proto, field)))
    return out


def visible(at: AppTest) -> list[str]:
    return _node_texts(at._tree) + _flatten(dict(at.query_params))


PLOTLY_LIBRARY = re.compile(r"<script[^>]*>\s*/\*\*\s*\*\s*plotly\.js v.*?</script>", re.S)


def _download_texts() -> list[str]:
    out = []
    for name, data in Downloads.files:
        data = data() if callable(data) else data
        data = data.encode() if isinstance(data, str) else bytes(data)
        if name.endswith(".parquet"):
            out.append(pl.read_parquet(io.BytesIO(data)).write_csv())
        elif name.endswith(".xlsx"):
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data))
            out += [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c is not None]
        elif name.endswith(".html"):  # the embedded plotly.js library is code, not data (its licence names e-mails)
            out.append(PLOTLY_LIBRARY.sub("", data.decode("utf-8")))
        else:
            out.append(data.decode("cp949" if "cp949" in name else "utf-8-sig"))
    return out


# --- independent detectors -----------------------------------------------------------------------------

SEP = r"[\s.\-‐‑‒–—―−~ㅡᅳ·)(]*"
DETECTORS = {
    "phone": re.compile(rf"(?<![\d.])(?:\+\s*82{SEP}0?{SEP}|00\d*{SEP}82{SEP}|\(?0)(?:1[016-9]|2|[3-6][1-5]|70|50\d?){SEP}"
                        rf"\d{{3,4}}{SEP}\d{{4}}(?!\d)"),
    "email": re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|골뱅이)\s*[\w-]+(?:\s*\.\s*[\w-]+)+"),
    "resident number": re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s*[-–]?\s*[1-8]\d{6}(?!\d)"),
    "unit": re.compile(r"\d+\s*동\s*\d+\s*호|\d+\s*-\s*\d+\s*호|(?<![\d*])\d{3,4}\s*호(?!선)|(?:대로|로|길)\s*\d+,?\s+\d+\s*-\s*\d+"),
}


def _digits_pattern(value: str) -> re.Pattern:
    """The value's digits in order, any separators between them: catches every re-spelling of the number."""
    digits = [c for c in unicodedata.normalize("NFKC", value) if c.isdigit()]
    return re.compile(r"(?<!\d)" + r"[\s.\-‐–—ㅡᅳ)(+]*".join(digits) + r"(?!\d)")


INJECTED = {v: _digits_pattern(v) for v in PHONES + RRNS} | {
    "101동 1203호": re.compile(r"101\s*동\s*1203\s*호"), "204-1502": re.compile(r"(?<!\d)204\s*-\s*1502(?!\d)")}


def findings(texts: list[str]) -> list[tuple[str, str]]:
    blob = "\n".join(unicodedata.normalize("NFKC", t) for t in texts)
    found = [(name, m.group(0)) for name, rx in DETECTORS.items() for m in rx.finditer(blob)]
    found += [("injected", value) for value, rx in INJECTED.items() if rx.search(blob)]
    found += [("e-mail", e) for e in EMAILS if unicodedata.normalize("NFKC", e).split("@")[0].split(" ")[0] in blob]
    return found


def test_the_detectors_find_every_injected_value_in_the_export():
    export = "\n".join(",".join(c or "" for c in row) for row in _rows())
    found = findings([export])
    assert {v for kind, v in found if kind == "injected"} == set(INJECTED)
    kinds = {kind for kind, _ in found}
    assert {"phone", "email", "resident number", "unit", "e-mail"} <= kinds


def test_only_streamlits_internal_ids_are_left_out_of_the_scan():
    proto = ('id: "$$ID-5f2a020251017b9c-ex_csv_encoding"\nlabel: "연락처 010-4821-7395"\n'
             'deferred_file_id: "6ccc1a020251017b4b92ac2a1445ca2e"\nurl: "/media/2debe022eab020251017a6f7.csv"\n'
             'help: "id: 010-5532-9081"\n')
    kept = INTERNAL_IDS.sub("", proto)
    assert "020251017" not in kept
    assert findings([kept]) == [("phone", "010-4821-7395"), ("phone", "010-5532-9081"),
                                ("injected", "010-4821-7395"), ("injected", "010 5532 9081")]


# --- every page, per role -------------------------------------------------------------------------------


def render_everything(role: str) -> tuple[list[str], list[str]]:
    """(visible texts of every page the role may open, downloads) — with a few interactions on the way."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets = {"test": "no [auth] section"}
    at.session_state["demo_role"] = role
    at.run()
    texts = []
    for page in roles.allowed_pages(role):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts += visible(at)
        if page == "investors":
            at.toggle(key="inv_current").set_value(True).run()
            texts += visible(at)
        if page == "explorer":
            at.radio(key="ex_csv_encoding").set_value("cp949").run()  # the eager CP949 file
            texts += visible(at)
            at.multiselect(key="ex_group_fct_complaints").set_value(["agency", "category"]).run()  # grouped, pivot, chart
            assert not at.exception, [e.value for e in at.exception]
            texts += visible(at)
        if page == "data":
            assert [d.value for d in at.dataframe][-1]["line"].tolist()  # the quarantined rows are listed
        if page == "linkage":  # only the open tab runs: open each
            for label in [tab.label for tab in at.tabs][1:]:
                at.session_state["lk_tab_ko"] = label
                at.run()
                assert not at.exception, (label, [e.value for e in at.exception])
                texts += visible(at)
    return texts, _download_texts()


@pytest.mark.parametrize("role", ["investor", "analyst"])
def test_no_personal_data_on_any_page_or_download(role, pii_db):
    texts, downloads = render_everything(role)
    shown = texts + downloads
    assert sum(len(t) for t in texts) > 10_000  # the pages really rendered
    assert findings(shown) == []
    blob = "\n".join(shown)
    for reporter in REPORTER_IDS:
        assert reporter not in blob
    assert TITLE_MARK not in blob and TEXT_MARK not in blob  # no complaint text for analysts or investors
    if role == "analyst":
        assert len(downloads) >= 4  # CSV (UTF-8, CP949), XLSX, Parquet of the explorer
        assert "도로과 (담당 ***-****-****)" in blob  # the agency column is there, masked
    else:
        keys = set(query(pii_db, "select distinct reporter_key from fct_complaints where reporter_key is not null")["reporter_key"])
        assert len(keys) > 20 and not [k for k in keys if k in blob]


def test_the_mayors_office_sees_the_text_masked(pii_db):
    # the scan is not vacuous: the same pages show the marker words and the masks to the mayor's office
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets = {"test": "no [auth] section"}
    at.run()
    at.switch_page("views/explorer.py").run()
    texts = visible(at)
    at.switch_page("views/data.py").run()
    texts += visible(at)
    blob = "\n".join(texts)
    assert TITLE_MARK in blob and TEXT_MARK in blob and "***-****-****" in blob and "******-*******" in blob
    assert "***@***" in blob and "101동" not in blob
    assert findings(texts) == []
