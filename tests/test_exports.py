"""ui/exports.py without Streamlit: BOM, Korean, CP949 replacement counts, formula escaping in CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from ui.exports import (
    BOM,
    cp949_unencodable,
    escape_formula,
    to_cp949_csv_bytes,
    to_csv_bytes,
    to_parquet_bytes,
    to_xlsx_bytes,
)

KST = dt.timezone(dt.timedelta(hours=9))


def frame() -> pl.DataFrame:
    return pl.DataFrame({
        "n": [-5, 7],
        "text": ["-cmd", "세종시 아름동 불법주정차"],
        "formula": ["=SUM(A1)", "plain"],
        "other": ["+1", "@home"],
        "ws": ["\t=1", "\r=2"],
        "x": [1.5, None],
        "day": [dt.date(2025, 3, 16), None],
        "at": [dt.datetime(2025, 3, 16, 9, 30, tzinfo=KST), None],
    }).with_columns(pl.col("at").dt.convert_time_zone("Asia/Seoul"))


@pytest.mark.parametrize(("value", "expected"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-cmd", "'-cmd"), ("@home", "'@home"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("a=b", "a=b"), ("", ""), (-5, -5), (3.5, 3.5), (None, None),
])
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


def test_csv_has_bom_keeps_korean_and_escapes_text_not_numbers():
    data = to_csv_bytes(frame())
    assert data.startswith(BOM) and data[:3] == b"\xef\xbb\xbf"
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "n,text,formula,other,ws,x,day,at"
    # -5 is a number: written as -5; "-cmd" is text: escaped. Times carry their offset.
    assert lines[1] == "-5,'-cmd,'=SUM(A1),'+1,'\t=1,1.5,2025-03-16,2025-03-16 09:30:00+09:00"
    assert "세종시 아름동 불법주정차" in lines[2]
    back = pl.read_csv(io.BytesIO(data))  # polars skips the BOM: the Korean text round-trips
    assert back["text"].to_list() == ["'-cmd", "세종시 아름동 불법주정차"]
    assert back["n"].to_list() == [-5, 7]


def test_csv_escapes_header_names_too():
    data = to_csv_bytes(pl.DataFrame({"=cmd": [1], "구분": ["a"]}))
    assert data.decode("utf-8-sig").splitlines()[0] == "'=cmd,구분"


def test_cp949_csv_replaces_what_cp949_cannot_hold_and_counts_it():
    data, replaced = to_cp949_csv_bytes(pl.DataFrame({"t": ["세종 민원", "😀 이모지 😀", "=1"]}))
    assert replaced == 2
    assert data.decode("cp949").splitlines() == ["t", "세종 민원", "? 이모지 ?", "'=1"]
    assert not data.startswith(BOM)
    assert cp949_unencodable("세종") == 0 and cp949_unencodable("€😀😀") == 2


def test_xlsx_escapes_text_keeps_numbers_and_korean():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame())))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("n", "text", "formula", "other", "ws", "x", "day", "at")
    assert rows[1] == (-5, "'-cmd", "'=SUM(A1)", "'+1", "'\t=1", 1.5, dt.datetime(2025, 3, 16), dt.datetime(2025, 3, 16, 9, 30))
    # xlsxwriter stores a CR as the OOXML escape _x000D_ (Excel shows a CR; openpyxl returns it as written)
    assert rows[2] == (7, "세종시 아름동 불법주정차", "plain", "'@home", "'_x000D_=2", None, None, None)
    cell = book.active["C2"]
    assert cell.data_type == "s"  # a string, never a formula


def test_parquet_round_trips_untouched():
    back = pl.read_parquet(io.BytesIO(to_parquet_bytes(frame())))
    assert back.equals(frame())
    assert back["formula"][0] == "=SUM(A1)"


def test_list_and_struct_columns_become_text():
    data = to_csv_bytes(pl.DataFrame({"files": [["a.csv", "b.csv"]], "s": [{"k": "v"}]}))
    assert data.decode("utf-8-sig").splitlines()[1] == '"a.csv, b.csv","{""k"":""v""}"'
