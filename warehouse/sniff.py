"""What an uploaded file really is, from its first bytes (not its name), and its table as CSV text.

Korean agencies hand out `.xls` files that are an HTML table or tab-separated text, and Excel's "Unicode
text" is UTF-16 TSV. XLSX workbooks and HTML tables are turned into UTF-8 CSV that the existing readers
and profiles consume; CSV, TSV and JSON keep their bytes. Legacy binary .xls cannot be read here: the
error says how to convert it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

from warehouse.errors import FileError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (BIFF .xls, .doc, .hwp)
ZIP = b"PK\x03\x04"
BOMS = (
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
KOREAN = {"euc-kr", "euckr", "ks_c_5601-1987", "ksc5601", "x-windows-949", "windows-949", "cp949", "uhc", "ms949"}
HEAD = 65536  # bytes looked at to decide the type
LEGACY_XLS = (
    "a legacy Excel 97–2003 workbook (binary .xls), which cannot be read here. Open it in Excel, LibreOffice "
    "or 한셀 and save it as .xlsx or as 'CSV UTF-8', or convert it with "
    "`libreoffice --headless --convert-to xlsx FILE.xls`, then upload that file"
)


@dataclass(frozen=True)
class Sniffed:
    """An uploaded file as the readers will see it."""

    kind: str  # what the bytes are: csv | tsv | json | jsonl | xlsx | html | spreadsheetml
    family: str  # which profile formats fit: delimited | json | jsonl | sensorthings
    delimiter: str  # for delimited text
    data: bytes  # readable bytes: the original, or UTF-8 CSV converted from a workbook, an HTML table or UTF-16
    converted: bool
    encoding: str | None  # the text encoding found (None for a workbook)

    @property
    def text_format(self) -> str:
        """The profile [file] format that reads `data`."""
        if self.family == "delimited":
            return "tsv" if self.delimiter == "\t" else "csv"
        return "json" if self.family == "sensorthings" else self.family


def sniff(data: bytes, name: str) -> Sniffed:
    """Detect the file's real type and make it readable; FileError (naming the file) when it cannot be."""
    if not data.strip():
        raise FileError(name, "empty file: no header and no rows", line=1)
    if data.startswith(OLE):
        raise FileError(name, LEGACY_XLS, line=1)
    if data.startswith(ZIP):
        return _sniffed("xlsx", rows_to_csv(xlsx_rows(data, name)), "utf-8")
    text_head, encoding = _head_text(data)
    if encoding.startswith("utf-16"):  # Excel "Unicode text": re-encoded so the readers get UTF-8
        data = data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    lead = text_head.lstrip("\ufeff \t\r\n").lower()
    if lead.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lead[:4096]:
            return _sniffed("spreadsheetml", rows_to_csv(html_rows(data, name)), encoding)
        if re.match(r"<(!doctype html|html|table|meta|head|body|style|\?xml|!--)", lead) or "<table" in lead:
            return _sniffed("html", rows_to_csv(html_rows(data, name)), encoding)
    if lead.startswith(("[", "{")):
        family = _json_family(data, name)
        return Sniffed(family if family == "jsonl" else "json", family, ",", data, encoding.startswith("utf-16"), encoding)
    if b"\x00" in data[:8192]:
        raise FileError(name, "binary data, not a table (neither CSV, TSV, JSON, XLSX nor an HTML table)", line=1)
    delimiter = _delimiter(text_head)
    kind = "tsv" if delimiter == "\t" else "csv"
    return Sniffed(kind, "delimited", delimiter, data, encoding.startswith("utf-16"), encoding)


def _sniffed(kind: str, csv_bytes: bytes, encoding: str | None) -> Sniffed:
    return Sniffed(kind, "delimited", ",", csv_bytes, True, encoding)


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding): a BOM, else the declared charset, else strict UTF-8, else CP949 (EUC-KR's superset)."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc), enc
    order = [_python_codec(declared)] if declared else []
    order += [e for e in ("utf-8", "cp949") if e not in order]
    for enc in order:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnicodeDecodeError("cp949", data, 0, 1, "neither UTF-8 nor CP949/EUC-KR text")


def _python_codec(charset: str) -> str:
    charset = charset.strip().lower()
    return "cp949" if charset in KOREAN else charset


def _head_text(data: bytes) -> tuple[str, str]:
    """The first bytes as text, and the whole file's encoding guess (judged on the head only)."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            head = data[len(bom): len(bom) + HEAD]
            if enc.startswith("utf-16"):
                head = head[: len(head) // 2 * 2]
            return head.decode(enc, errors="ignore"), enc
    head = data[:HEAD]
    for enc in ("utf-8", "cp949"):
        try:
            return head.decode(enc), enc
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3 and len(data) > HEAD:  # a character cut at the window's end
                return head[: exc.start].decode(enc), enc
    return head.decode("cp949", errors="replace"), "cp949"


def _delimiter(text: str) -> str:
    """Tabs in the first line make it TSV; otherwise the most frequent of , ; | (comma when none)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "\t" in first:
        return "\t"
    counts = {d: first.count(d) for d in (",", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _json_family(data: bytes, name: str) -> str:
    text, _ = decode_text(data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        try:
            for ln in lines[:5]:
                json.loads(ln)
        except json.JSONDecodeError:
            raise FileError(name, f"not JSON: {exc.msg}", line=exc.lineno) from exc
        return "jsonl"
    return "sensorthings" if looks_like_sensorthings(doc) else "json"


def looks_like_sensorthings(doc) -> bool:
    """An OGC SensorThings response: Observations (phenomenonTime + result) or Things with Datastreams."""
    items = doc.get("value") if isinstance(doc, dict) else doc
    first = items[0] if isinstance(items, list) and items else None
    if not isinstance(first, dict):
        return False
    return ("phenomenonTime" in first and "result" in first) or "Datastreams" in first or "Observations" in first


def rows_to_csv(rows: list[list[str]]) -> bytes:
    """Rows as UTF-8 CSV (minimal quoting, \\n line ends): what the existing readers read."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def table_rows(rows: list[list[str]]) -> list[list[str]]:
    """The table under its header: without empty rows and title lines above the header (a report title,
    a blank line), each row as wide as the header (a sheet leaves trailing empty cells out)."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    widest = max((sum(1 for c in r if c.strip()) for r in rows[:20]), default=0)
    start = next((i for i, r in enumerate(rows[:10]) if 2 <= (n := sum(1 for c in r if c.strip())) and n * 2 >= widest), 0)
    rows = rows[start:]
    width = len(_trim(list(rows[0]))) if rows else 0
    out = []
    for row in rows:
        row = list(row)
        while len(row) > width and row[-1] == "":
            row.pop()
        out.append(row + [""] * (width - len(row)))  # a longer row stays longer: the reader quarantines it
    return out


# ------------------------------------------------------------------------------------------------ XLSX


def xlsx_rows(data: bytes, name: str) -> list[list[str]]:
    """The first non-empty sheet of an XLSX workbook as rows of text, values as Excel shows them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise FileError(name, "a damaged ZIP archive, not a readable workbook", line=1) from exc
    if not any(n.startswith("xl/") for n in names):
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else "a ZIP archive"
        raise FileError(name, f"{what}, not an Excel workbook: save it as .xlsx or CSV UTF-8", line=1)
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "workbook contains no default style" and the like
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # some writers store a wrong sheet size; read the rows that are there
            rows = [[_cell_text(c) for c in row] for row in sheet.iter_rows()]
            rows = table_rows(rows)
            if rows:
                return rows
    finally:
        book.close()
    raise FileError(name, "the workbook has no rows", line=1)


def _trim(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row.pop()
    return row


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        fmt = str(getattr(cell, "number_format", "") or "").lower()
        with_time = value.time() != dt.time(0) or "h" in fmt or "s" in fmt
        return value.strftime("%Y-%m-%d %H:%M:%S") if with_time else value.strftime("%Y-%m-%d")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------------------------------ HTML


def html_rows(data: bytes, name: str) -> list[list[str]]:
    """The first data table of an HTML page (or an Excel 2003 XML sheet) as rows of cell text."""
    head = data[:4096].decode("ascii", errors="ignore")
    declared = re.search(r"""(?:charset|encoding)\s*=\s*["']?([\w.:-]+)""", head, re.I)
    try:
        text, _ = decode_text(data, declared.group(1) if declared else None)
    except UnicodeDecodeError as exc:
        raise FileError(name, "an HTML table in neither UTF-8 nor CP949/EUC-KR text", line=1) from exc
    parser = _Tables()
    parser.feed(text)
    parser.close()
    tables = [table_rows(t) for t in parser.tables]
    table = next((t for t in tables if max((len(r) for r in t), default=0) >= 2), None)
    table = table or next((t for t in tables if t), None)
    if not table:
        raise FileError(name, "an HTML page without a table of data (no <table> rows)", line=1)
    return table


class _Tables(HTMLParser):
    """Every <table> as rows of cell text; a nested table is its own table. SpreadsheetML's
    <Row>/<Cell> are read the same way (tag names arrive lower-cased)."""

    ROW, CELL, TABLE = {"tr", "row"}, {"td", "th", "cell"}, {"table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.open: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TABLE:
            self.tables.append([])
            self.open.append({"rows": self.tables[-1], "row": None, "cell": None})
        elif not self.open:
            return
        elif tag in self.ROW:
            self._end_row()
            self.open[-1]["row"] = []
        elif tag in self.CELL:
            top = self._end_cell()
            if top["row"] is None:
                top["row"] = []
            attr = {k.lower(): v for k, v in attrs}
            index = attr.get("ss:index")  # SpreadsheetML skips empty cells by giving the next one's position
            if index and index.isdigit():
                top["row"].extend([""] * max(int(index) - 1 - len(top["row"]), 0))
            span = attr.get("colspan") or "1"
            top["cell"] = {"text": [], "span": int(span) if span.isdigit() else 1}
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            return
        if tag in self.CELL:
            self._end_cell()
        elif tag in self.ROW:
            self._end_row()
        elif tag in self.TABLE:
            self._end_row()
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1]["cell"] is not None:
            self.open[-1]["cell"]["text"].append(data)

    def _end_cell(self) -> dict:
        top = self.open[-1]
        cell = top["cell"]
        if cell is not None:
            text = re.sub(r"\s+", " ", "".join(cell["text"]).replace("\xa0", " ")).strip()
            top["row"].extend([text] + [""] * (cell["span"] - 1))
            top["cell"] = None
        return top

    def _end_row(self) -> None:
        top = self._end_cell()
        if top["row"] is not None:
            if top["row"]:
                top["rows"].append(top["row"])
            top["row"] = None


# ---------------------------------------------------------------------------------------------- header


def header(sniffed: Sniffed) -> list[str]:
    """The file's column names as the readers will see them (for profile suggestions)."""
    if sniffed.family == "delimited":
        first = sniffed.data.split(b"\n", 1)[0]
        text, _ = decode_text(first.rstrip(b"\r")) if first.strip() else ("", "")
        return [c.strip() for c in next(csv.reader([text], delimiter=sniffed.delimiter), [])]
    from warehouse.readers import flatten

    text, _ = decode_text(sniffed.data)
    if sniffed.family == "jsonl":
        line = next(ln for ln in text.splitlines() if ln.strip())
        record = json.loads(line)
        return list(flatten(record)) if isinstance(record, dict) else []
    doc = json.loads(text)
    if sniffed.family == "sensorthings":
        from warehouse.sensorthings import COLUMNS

        return list(COLUMNS)
    record = first_record(doc)
    return list(flatten(record)) if record else []


def first_record(doc) -> dict | None:
    """The first object of a JSON export: a list's first item, or the first list of objects inside a dict."""
    if isinstance(doc, list):
        return doc[0] if doc and isinstance(doc[0], dict) else None
    if isinstance(doc, dict):
        for value in doc.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return value[0]
        return doc
    return None
