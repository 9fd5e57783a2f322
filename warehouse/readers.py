"""Read an export file into a frame of text columns plus `_line`, whatever its encoding and layout.

Every value stays text here; parsing and validation happen per field later so that one bad cell
quarantines one row, not the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path

import polars as pl

from warehouse.errors import FileError
from warehouse.profile import Profile

LINE = "_line"


def decode(path: Path, encoding: str = "auto") -> str:
    """Bytes to text: BOM, then strict UTF-8, then CP949 (a superset of EUC-KR)."""
    return _decode(path, encoding, path.read_bytes())[0]


def _decode(path: Path, encoding: str, data: bytes) -> tuple[str, bytes | None]:
    """(text, the UTF-8 bytes of that text when the file already holds them, else None).

    Handing polars the file's own bytes spares encoding the decoded text back to UTF-8.
    """
    if not data or data.isspace():  # as data.strip() == b"", without copying the file
        raise FileError(path, "empty file: no header and no rows", line=1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(path, "UTF-16/UTF-32 text: save the export as UTF-8 or CP949 (EUC-KR)", line=1)
    if b"\x00" in data[:8192]:
        raise FileError(path, "binary data, not a text export (NUL bytes at the start)", line=1)
    if encoding.lower() in ("auto", ""):
        if data.startswith(b"\xef\xbb\xbf"):
            return _strict(path, data[3:], "utf-8"), data[3:]
        try:
            return data.decode("utf-8"), data
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp949"), None
        except UnicodeDecodeError as exc:
            raise FileError(
                path, "neither UTF-8 nor CP949/EUC-KR text", line=data[: exc.start].count(b"\n") + 1
            ) from exc
    enc = {"euc-kr": "cp949", "euckr": "cp949", "utf8": "utf-8"}.get(encoding.lower(), encoding)
    body = data.removeprefix(b"\xef\xbb\xbf")
    text = _strict(path, body, enc)
    return text, body if codecs.lookup(enc).name == "utf-8" else None


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(path, f"not valid {encoding} text (byte {exc.start})", line=line) from exc


def read_records(path: Path, profile: Profile, data: bytes | None = None) -> pl.DataFrame:
    """All records of one file as text columns, plus `_line` (1-based line or record number).

    `data` is the file's content when the caller has already read it (to hash it), so it is read once.
    """
    data = path.read_bytes() if data is None else data
    if profile.format in ("csv", "tsv"):
        frame = _utf8_delimited(data, profile)
        if frame is not None:
            return frame
    text, utf8 = _decode(path, profile.encoding, data)
    if profile.format in ("csv", "tsv"):
        return _read_delimited(path, text, profile, utf8)
    try:
        return _read_json(path, text, profile)
    except RecursionError as exc:  # json and flatten recurse once per level of nesting
        raise FileError(path, "JSON nested too deeply to be an export", line=1) from exc


def _read_json(path: Path, text: str, profile: Profile) -> pl.DataFrame:
    if profile.format == "jsonl":
        rows, lines = [], []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FileError(path, f"not JSON: {exc.msg}", line=number) from exc
            rows.append(flatten(record) if isinstance(record, dict) else {"value": record})
            lines.append(number)
        return _frame(rows, lines)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(path, f"not JSON: {exc.msg}", line=exc.lineno) from exc
    if profile.format == "sensorthings":
        from warehouse.sensorthings import observations

        return observations(doc, path)
    records = doc
    for key in (profile.records_path or "").split("."):
        if key and isinstance(records, dict):
            records = records.get(key)
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise FileError(path, "JSON has no list of records where the profile expects one", line=1)
    rows = [flatten(r) if isinstance(r, dict) else {"value": r} for r in records]
    return _frame(rows, list(range(1, len(rows) + 1)))


def _frame(rows: list[dict], lines: list[int]) -> pl.DataFrame:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    data = {n: [cell_text(r.get(n)) for r in rows] for n in names}
    frame = pl.DataFrame(data, schema={n: pl.String for n in names})
    return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))


def cell_text(value) -> str | None:
    """A JSON value as the text a CSV cell would hold: true/false, numbers as written, arrays/objects as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flatten(record: dict, prefix: str = "") -> dict:
    """Nested JSON to dotted keys: {"a": {"b": 1}, "c": [{"d": 2}]} → a.b, c.0.d."""
    out: dict = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                out.update(flatten(item, f"{name}.{i}."))
        elif isinstance(value, list) and value and all(not isinstance(v, (dict, list)) for v in value):
            out[name] = value
            for i, item in enumerate(value):
                out[f"{name}.{i}"] = item
        else:
            out[name] = value
    return out


ASCII_SPACE = b" \t\n\r\x0b\x0c"
BARE_CR = re.compile(rb"\r(?!\n)")


def _utf8_delimited(data: bytes, profile: Profile) -> pl.DataFrame | None:
    """The common case (UTF-8, no skipped lines, LF or CRLF, no line break inside a field) without Python text.

    Decoding a file only to check it is UTF-8 costs as much as parsing it, and polars checks every field itself
    (its header names it decodes leniently, so the header line is checked here). None: anything else, for
    read_records' full path, which gives the same frame or the error naming the file and line.
    """
    if profile.skip_rows or not data or data.isspace() or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if b"\x00" in data[:8192]:
        return None
    if profile.encoding.lower() in ("auto", ""):
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    else:
        enc = {"euc-kr": "cp949", "euckr": "cp949", "utf8": "utf-8"}.get(profile.encoding.lower(), profile.encoding)
        try:
            if codecs.lookup(enc).name != "utf-8":
                return None
        except LookupError:
            return None
        body = data.removeprefix(b"\xef\xbb\xbf")
    start = len(body) - len(body.lstrip(ASCII_SPACE))  # text that is all (Unicode) white space is no file
    if start == len(body) or body[start:start + 4].decode("utf-8", errors="replace")[:1].isspace():
        return None
    end = body.find(b"\n")
    header = body if end < 0 else body[:end]
    if b'"' in header:
        return None
    try:
        header.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _bare_cr(body):
        return None
    frame = _polars_csv(body, profile)  # fails on any invalid UTF-8 in a field
    if frame is None or (b'"' in body and _may_span_lines(body, frame, profile) and _has_newlines(frame)):
        return None
    if profile.column_names and not profile.header:
        frame.columns = _named(profile.column_names, frame.width)
    first_data_line = 2 if profile.header else 1
    return frame.with_row_index(LINE, offset=first_data_line).with_columns(pl.col(LINE).cast(pl.Int64))


def _bare_cr(data: bytes) -> bool:
    """Whether a CR ends a line on its own (not as part of CRLF)."""
    return b"\r" in data and BARE_CR.search(data) is not None


def _may_span_lines(body: bytes, frame: pl.DataFrame, profile: Profile) -> bool:
    """False when there are as many lines as records: then no quoted field holds a line break."""
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    return lines != frame.height + (1 if profile.header else 0)


def _read_delimited(path: Path, text: str, profile: Profile, utf8: bytes | None = None) -> pl.DataFrame:
    lines_skipped = profile.skip_rows
    body = text
    if lines_skipped:
        body = "\n".join(text.splitlines()[lines_skipped:])
        utf8 = None
    if not body or body.isspace():  # as not body.strip(), without copying the text
        raise FileError(path, "no header and no rows after the skipped lines", line=lines_skipped + 1)
    first_data_line = lines_skipped + (2 if profile.header else 1)
    raw = body.encode("utf-8") if utf8 is None else utf8
    # polars ends lines at LF only: a bare CR (old Mac, some Excel saves, mixed files) would glue lines
    # together, so such files go to the careful reader, which ends lines at CR too (not inside quotes)
    frame = None if _bare_cr(raw) else _polars_csv(raw, profile)
    # without a quote character, or with as many lines as records, no field holds a line break: no cell scan
    if frame is None or (b'"' in raw and _may_span_lines(raw, frame, profile) and _has_newlines(frame)):
        return _python_csv(path, body, profile, lines_skipped)
    if profile.column_names and not profile.header:
        frame.columns = _named(profile.column_names, frame.width)
    frame = frame.with_row_index(LINE, offset=first_data_line).with_columns(pl.col(LINE).cast(pl.Int64))
    return frame


def _has_newlines(frame: pl.DataFrame) -> bool:
    """A quoted field spanning lines shifts line numbers: then only the careful reader counts right."""
    if frame.height == 0:
        return False
    hits = frame.select(pl.any_horizontal(pl.all().str.contains("\n", literal=True).fill_null(False)).any())
    return bool(hits.item())


def _named(names: list[str], width: int) -> list[str]:
    return [names[i] if i < len(names) else f"column_{i + 1}" for i in range(width)]


def _polars_csv(body: bytes, profile: Profile) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            body,
            has_header=profile.header,
            separator=profile.delimiter,
            infer_schema=False,
            quote_char='"',
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError):
        return None


def _python_csv(path: Path, body: str, profile: Profile, skipped: int) -> pl.DataFrame:
    """The careful reader: exact physical line numbers, ragged rows kept with a `_ragged` marker.

    A record that runs over several lines and has the wrong number of fields comes from an unbalanced
    quote: only its first line is kept (marked ragged) and reading resumes on the next line, so one
    stray quote cannot swallow the rest of the file.
    """
    physical = list(io.StringIO(body, newline=""))
    header: list[str] | None = None
    rows, lines, ragged, notes = [], [], [], []
    width = len(profile.column_names) if profile.column_names and not profile.header else None
    offset, line = 0, skipped + 1  # physical lines before the current reader; first line of the next record
    while offset < len(physical):
        reader = csv.reader(iter(physical[offset:]), delimiter=profile.delimiter)
        resume = None
        try:
            for record in reader:
                start, line = line, skipped + offset + reader.line_num + 1
                if header is None and profile.header:
                    header = [h.strip() for h in record]
                    width = len(header)
                    continue
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                note = None
                if width is not None and len(record) != width and line - start > 1:
                    note = f"unbalanced quote (the quoted field runs on to line {line - 1})"
                    resume, line = start - skipped, start + 1
                    record = next(csv.reader([physical[resume - 1]], delimiter=profile.delimiter), [])
                rows.append(record)
                lines.append(start)
                notes.append(note)
                if resume is not None:
                    break
        except csv.Error as exc:
            raise FileError(path, f"unreadable CSV: {exc}", line=line) from exc
        if resume is None:
            break
        offset = resume
    if header is None:
        width = max((len(r) for r in rows), default=0)
        header = _named(profile.column_names or [], width)
    width = len(header)
    for i, record in enumerate(rows):
        if notes[i] or len(record) != width:
            ragged.append(notes[i] or f"{len(record)} fields where the header has {width}")
            rows[i] = (record + [None] * width)[:width]
        else:
            ragged.append(None)
    data = {name: [r[j] for r in rows] for j, name in enumerate(_dedupe(header))}
    frame = pl.DataFrame(data, schema={n: pl.String for n in data})
    return frame.with_columns(
        pl.Series(LINE, lines, dtype=pl.Int64), pl.Series("_ragged", ragged, dtype=pl.String)
    )


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}_{n + 1}")
    return out
