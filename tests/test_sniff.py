"""warehouse/sniff.py on real bytes: what a file is by its first bytes, and workbooks / HTML tables as CSV.

The reference is the real Seoul daily air file (tests/fixtures/real/seoul_daily_air_2018_cp949.csv: CP949,
1 header + 14,637 rows × 8 columns, read with the csv module). Each disguise is made from those rows the way
the exporting tool makes it, and must come back as exactly the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from warehouse.build import prepare
from warehouse.errors import FileError
from warehouse.profile import load_profile
from warehouse.reference import load_city
from warehouse.sniff import header, sniff
from warehouse.upload import Upload, adapt

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
AIR = REAL / "seoul_daily_air_2018_cp949.csv"


@pytest.fixture(scope="module")
def air_rows() -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(AIR.read_bytes().decode("cp949"))))
    assert len(rows) == 14_638 and {len(r) for r in rows} == {8}
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def korean_portal_xls(rows: list[list[str]]) -> bytes:
    """An 'Excel download' as Korean portals send it: an EUC-KR HTML page named .xls, a title row spanning the
    table, <th> headers, Excel's text-format style on every cell, &nbsp; in empty cells, CRLF line ends."""
    out = [
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">',
        '<head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">',
        "<style>td { mso-number-format:\\@; }</style><title>대기오염도</title></head><body>",
        '<table border="1">',
        f'<tr><td colspan="{len(rows[0])}" align="center"><b>2018년 일별 평균 대기오염도</b></td></tr>',
        "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in rows[0]) + "</tr>",
    ]
    for row in rows[1:]:
        out.append("<tr>" + "".join(f"<td style='mso-number-format:\"\\@\"'>{html.escape(c) if c else '&nbsp;'}</td>"
                                    for c in row) + "</tr>")
    out.append("</table></body></html>")
    return "\r\n".join(out).encode("cp949")


def _number(text: str):
    """A cell as Excel stores what a person typed: numbers as numbers, empty as no cell value."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def test_html_as_xls_in_cp949_reads_as_the_csv(air_rows):
    data = korean_portal_xls(air_rows)
    assert data.lstrip().startswith(b"<html")
    found = sniff(data, "대기오염도.xls")
    assert (found.kind, found.family, found.encoding, found.converted) == ("html", "delimited", "cp949", True)
    assert _csv_rows(found.data) == air_rows  # the title row is dropped, &nbsp; cells are empty
    assert header(found) == air_rows[0]


def test_html_table_in_utf8_with_layout_table_entities_and_line_breaks():
    page = (
        "\ufeff  <!DOCTYPE html><html><body><table><tr><td>"  # a layout table around the data table
        "<table><tr><th>접수번호</th><th>민원 제목</th><th>상태</th></tr>"
        "<tr><td>A&amp;1</td><td>가로등<br>고장 &quot;긴급&quot;</td><td>접수</td></tr>"
        "<tr><td>A-2</td><td>  쓰레기,\n  무단투기 </td><td>완료</td></tr></table>"
        "</td></tr></table></body></html>"
    ).encode("utf-8")
    found = sniff(page, "list.xls")
    assert (found.kind, found.encoding) == ("html", "utf-8")
    assert _csv_rows(found.data) == [
        ["접수번호", "민원 제목", "상태"], ["A&1", '가로등 고장 "긴급"', "접수"], ["A-2", "쓰레기, 무단투기", "완료"],
    ]


def test_html_without_a_table_is_a_clear_error():
    with pytest.raises(FileError, match=r"report\.xls.*no <table> rows"):
        sniff(b"<html><body><p>no data</p></body></html>", "report.xls")


def test_tsv_as_xls_keeps_its_bytes_and_reads_as_the_csv(air_rows, tmp_path):
    data = "\r\n".join("\t".join(r) for r in air_rows).encode("cp949")
    found = sniff(data, "air.xls")
    assert (found.kind, found.delimiter, found.converted, found.encoding) == ("tsv", "\t", False, "cp949")
    assert found.data == data and found.text_format == "tsv"
    assert header(found) == air_rows[0]
    _assert_loads_like_the_csv(tmp_path, data, "air.xls")


def test_excel_unicode_text_utf16_is_reencoded(air_rows):
    data = ("\ufeff" + "\r\n".join("\t".join(r) for r in air_rows[:4])).encode("utf-16-le")
    found = sniff(data, "air.txt")
    assert (found.kind, found.delimiter, found.converted, found.encoding) == ("tsv", "\t", True, "utf-16-le")
    assert found.data.decode("utf-8").split("\r\n")[1] == "\t".join(air_rows[1])


def test_xlsx_from_the_air_rows_reads_as_the_csv(air_rows, tmp_path):
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("2018")
    sheet.write_row(0, 0, air_rows[0])
    for i, row in enumerate(air_rows[1:], start=1):
        for j, cell in enumerate(row):
            value = _number(cell)
            if isinstance(value, str):
                sheet.write_string(i, j, value)
            elif value is not None:
                sheet.write_number(i, j, value)
    book.close()
    data = buf.getvalue()
    assert data.startswith(b"PK\x03\x04")
    found = sniff(data, "air.xlsx")
    assert (found.kind, found.converted, found.encoding) == ("xlsx", True, "utf-8")
    # 20180101 stays 20180101, 0.034 stays 0.034, 34 stays 34 (not 34.0); empty cells stay empty
    assert _csv_rows(found.data) == air_rows
    _assert_loads_like_the_csv(tmp_path, data, "air.xlsx")


def test_xlsx_written_by_openpyxl():
    book = openpyxl.Workbook()
    book.active.append(["측정일시", "측정소명", "미세먼지(㎍/㎥)"])
    book.active.append([20180101, "강남구", 34])
    book.active.append([20180101, "강남대로", None])
    buf = io.BytesIO()
    book.save(buf)
    assert _csv_rows(sniff(buf.getvalue(), "a.xlsx").data) == [
        ["측정일시", "측정소명", "미세먼지(㎍/㎥)"], ["20180101", "강남구", "34"], ["20180101", "강남대로", ""],
    ]


def test_xlsx_title_rows_dates_and_second_sheet():
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet("empty")
    sheet = book.add_worksheet("list")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write(0, 0, "민원 목록 (2025년 3월)")  # a report title, then a blank row, then the header
    sheet.write_row(2, 0, ["번호", "등록일", "처리일", "공감수", "비고"])
    sheet.write_string(3, 0, "D-1")
    sheet.write_datetime(3, 1, dt.datetime(2025, 3, 4, 9, 10), stamp)
    sheet.write_datetime(3, 2, dt.datetime(2025, 3, 5), day)
    sheet.write_number(3, 3, 12)
    sheet.write_string(4, 0, "D-2")
    sheet.write_datetime(4, 1, dt.datetime(2025, 3, 6, 0, 0), stamp)  # midnight in a time format keeps its time
    sheet.write_number(4, 3, 2.5)
    sheet.write_boolean(4, 4, True)
    book.close()
    found = sniff(buf.getvalue(), "list.xlsx")
    assert _csv_rows(found.data) == [
        ["번호", "등록일", "처리일", "공감수", "비고"],
        ["D-1", "2025-03-04 09:10:00", "2025-03-05", "12", ""],
        ["D-2", "2025-03-06 00:00:00", "", "2.5", "TRUE"],
    ]


def test_legacy_binary_xls_says_how_to_convert():
    data = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    with pytest.raises(FileError) as err:
        sniff(data, "2018_대기.xls")
    message = str(err.value)
    assert message.startswith("2018_대기.xls, line 1: a legacy Excel 97–2003 workbook")
    assert "save it as .xlsx or as 'CSV UTF-8'" in message and "--convert-to xlsx" in message


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(FileError, match=r"an OpenDocument spreadsheet \(\.ods\), not an Excel workbook"):
        sniff(buf.getvalue(), "sheet.xlsx")


@pytest.mark.parametrize(("data", "message"), [
    (b"  \r\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
])
def test_empty_and_binary_files(data, message):
    with pytest.raises(FileError, match=message):
        sniff(data, "x.csv")


def test_json_kinds():
    records = sniff(b'[{"id": 1, "where": {"lat": 36.5}}]', "r.json")
    assert (records.kind, records.family, records.text_format) == ("json", "json", "json")
    assert header(records) == ["id", "where.lat"]
    lines = sniff(b'{"id": 1, "s": "open"}\n{"id": 2, "s": "closed"}\n', "r.jsonl")
    assert (lines.kind, lines.family) == ("jsonl", "jsonl")
    assert header(lines) == ["id", "s"]
    things = sniff((Path(__file__).parent / "fixtures" / "sensorthings_observations.json").read_bytes(), "obs.json")
    assert (things.family, things.text_format) == ("sensorthings", "json")
    assert header(things)[:3] == ["observation_id", "phenomenonTime", "result"]


def test_delimiters_and_header_of_real_csv():
    la = sniff((REAL / "la311_2018_sample.csv").read_bytes(), "la.csv")
    assert (la.kind, la.delimiter, la.converted) == ("csv", ",", False)
    assert header(la)[:3] == ["SRNumber", "CreatedDate", "UpdatedDate"]
    semi = sniff("번호;등록일;상태\n1;2025-03-04;접수\n".encode("cp949"), "x.csv")
    assert (semi.delimiter, semi.encoding, header(semi)) == (";", "cp949", ["번호", "등록일", "상태"])


def _assert_loads_like_the_csv(tmp_path: Path, data: bytes, name: str) -> None:
    """The disguised file, made readable and parsed with airkorea, gives the CSV's 85,840 readings exactly."""
    found = sniff(data, name)
    readable = tmp_path / f"{name}.readable"
    readable.write_bytes(found.data)
    upload = Upload(name, readable, readable, found, header(found), "", len(data))
    city = load_city("sejong")
    profile = load_profile("airkorea")
    got = prepare("sensors", [readable], adapt(profile, upload), city)
    want = prepare("sensors", [AIR], profile, city)
    assert got.rows_read == want.rows_read == 85_840
    assert got.quarantine.height == want.quarantine.height == 0
    assert_frame_equal(got.rows, want.rows)
