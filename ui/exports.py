"""Download files for analysts: CSV (UTF-8 with BOM, or CP949 for older Korean systems), XLSX and Parquet.

Spreadsheets run a cell that starts with = + - @ (or a tab/CR before one) as a formula, so text cells and
column names that start that way get a leading apostrophe (CSV and XLSX). Numbers are written as
numbers and never escaped: -5 stays -5. Parquet is typed and is written as it is.
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
BOM = "\ufeff".encode()



def escape_formula(value):
    """Text starting like a formula gets a leading apostrophe; anything that is not text is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _escaped(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns escaped, nested/odd columns written as text, column names escaped."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype in (pl.Categorical, pl.Enum) or isinstance(dtype, pl.Object):
            col = col.cast(pl.String)
            dtype = pl.String
        elif isinstance(dtype, pl.List | pl.Array):
            col = col.cast(pl.List(pl.String)).list.join(", ")
            dtype = pl.String
        elif isinstance(dtype, pl.Struct):
            col = col.struct.json_encode()
            dtype = pl.String
        if dtype == pl.String:
            col = pl.when(col.str.contains(_FORMULA_RE)).then(pl.lit("'") + col).otherwise(col)
        exprs.append(col.alias(escape_formula(name)))
    return frame.select(exprs)


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Times as `2025-03-04 09:15:00+09:00` (with the offset when the column has a time zone)."""
    return frame.with_columns(
        pl.col(c).dt.to_string("%Y-%m-%d %H:%M:%S%:z" if dtype.time_zone else "%Y-%m-%d %H:%M:%S")
        for c, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)
    )


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens Korean text correctly."""
    return BOM + _csv_ready(_escaped(frame)).write_csv().encode("utf-8")


def to_cp949_csv_bytes(frame: pl.DataFrame) -> tuple[bytes, int]:
    """CP949 CSV (older Excel, government systems) and how many characters CP949 could not hold ('?')."""
    text = _csv_ready(_escaped(frame)).write_csv()
    return text.encode("cp949", errors="replace"), cp949_unencodable(text)


def cp949_unencodable(text: str) -> int:
    """How many characters of `text` CP949 cannot encode."""
    bad = 0
    for ch in set(text):
        try:
            ch.encode("cp949")
        except UnicodeEncodeError:
            bad += text.count(ch)
    return bad


def to_parquet_bytes(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def _excel_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Time-zone-aware times as local wall-clock times (Excel has no time zones)."""
    return frame.with_columns(
        pl.col(c).dt.replace_time_zone(None)
        for c, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime) and dtype.time_zone
    )


def to_xlsx_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    """One sheet: header row, then the rows; text never turns into a formula or a link."""
    frame = _excel_ready(_escaped(frame))
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd hh:mm:ss",
    })
    day_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(sheet[:31])
    header = book.add_format({"bold": True})
    for j, name in enumerate(frame.columns):
        ws.write_string(0, j, name, header)
    dates = {j for j, dtype in enumerate(frame.dtypes) if dtype == pl.Date}
    for i, row in enumerate(frame.iter_rows(), start=1):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(i, j, value)
            elif j in dates:
                ws.write_datetime(i, j, value, day_format)
            else:
                ws.write(i, j, value)
    book.close()
    return buf.getvalue()
