"""A second small warehouse for the quarantine browser: one canonical complaint CSV with three bad rows
(two satisfaction defects, one votes defect) whose raw records hold a phone number and an e-mail address.

Lines count the header as line 1, so S-2 is line 3, S-3 line 4, S-4 line 5.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

HEADER = [
    "source_id", "kind", "category", "domain", "district", "channel", "status", "requested_at", "first_response_at",
    "closed_at", "due_at", "updated_at", "lat", "lon", "reporter", "votes", "adopted", "satisfaction", "agency",
    "title", "description",
]
ROWS = [
    ["S-1", "complaint", "주정차", "transport", "아름동", "app", "closed", "2025-03-04 09:15:00", "", "2025-03-05 18:00:00",
     "", "", "", "", "R1", "", "", "4", "교통과", "불법주정차", "차량 이동 요청"],
    ["S-2", "complaint", "소음", "environment", "보람동", "phone", "closed", "2025-03-05 10:00:00", "", "2025-03-06 10:00:00",
     "", "", "", "", "R2", "", "", "7", "환경정책과", "공사 소음", "연락처 010-9876-5432 로 연락 주세요"],
    ["S-3", "proposal", "공원", "environment", "아름동", "web", "open", "2025-03-06 11:00:00", "", "",
     "", "", "", "", "R3", "-3", "", "", "공원과", "벤치 설치", "답장은 someone@example.com 으로"],
    ["S-4", "complaint", "가로등", "safety", "조치원읍", "app", "closed", "2025-03-07 12:00:00", "", "2025-03-08 12:00:00",
     "", "", "", "", "R4", "", "", "0", "안전총괄과", "가로등 고장", "가로등이 꺼져 있습니다"],
]
FILE = "bad.csv"
PHONE, EMAIL = "010-9876-5432", "someone@example.com"


def build_quarantine_warehouse(directory: Path) -> Path:
    """Ingest the CSV above (profile complaints_csv, city Sejong) into directory/q.duckdb."""
    from warehouse.build import ingest

    directory = Path(directory)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([HEADER, *ROWS])
    (directory / FILE).write_text(buf.getvalue(), encoding="utf-8")
    db = directory / "q.duckdb"
    old = os.environ.get("WAREHOUSE_CITY")
    os.environ["WAREHOUSE_CITY"] = "sejong"
    try:
        ingest("complaints", [directory / FILE], "complaints_csv", db)
    finally:
        if old is None:
            os.environ.pop("WAREHOUSE_CITY", None)
        else:
            os.environ["WAREHOUSE_CITY"] = old
    return db
