"""An Open311 GeoReport v2 endpoint: services.json as given, requests.json selected the way servers do it.

requests.json: start_date ≤ requested_datetime ≤ end_date (both inclusive, as the spec's "range"), newest
first (like Bloomington's), at most min(page_size, cap) per answer, `page` (1-based) for the rest — the
common `page_size`/`page` extension. jurisdiction_id and api_key are checked when the server has them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from servers.base import Response, json_response

ROOT_PATH = "/open311/v2"
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
BLOOMINGTON_REQUESTS = REAL / "open311_bloomington_requests.json"
BLOOMINGTON_SERVICES = REAL / "open311_bloomington_services.json"


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _error(status: int, description: str) -> Response:
    return json_response([{"code": status, "description": description}], status)


class Open311App:
    """The endpoint's data (a list of request dicts, mutable between pulls) and its answers."""

    def __init__(self, requests: list[dict], services: bytes, *, cap: int = 1000, jurisdiction: str | None = None,
                 api_key: str | None = None):
        self.requests, self.services, self.cap = requests, services, cap
        self.jurisdiction, self.api_key = jurisdiction, api_key

    @classmethod
    def bloomington(cls, extra: list[dict] | None = None, **kw) -> Open311App:
        """The real Bloomington services.json and requests.json (21 requests), plus generated ones."""
        requests = json.loads(BLOOMINGTON_REQUESTS.read_text(encoding="utf-8")) + (extra or [])
        return cls(requests, BLOOMINGTON_SERVICES.read_bytes(), **kw)

    def __call__(self, path: str, query: dict[str, str]) -> Response:
        if not path.startswith(ROOT_PATH + "/"):
            return _error(404, f"no such resource: {path}")
        if self.jurisdiction and query.get("jurisdiction_id") != self.jurisdiction:
            return _error(404, "jurisdiction_id not provided or not served here")
        if self.api_key and query.get("api_key") != self.api_key:
            return _error(403, "api_key missing or wrong")
        resource = path[len(ROOT_PATH) + 1:]
        if resource == "services.json":
            return 200, {"Content-Type": "application/json; charset=utf-8"}, self.services
        if resource != "requests.json":
            return _error(404, f"no such resource: {resource}")
        try:
            start = _time(query["start_date"]) if "start_date" in query else None
            end = _time(query["end_date"]) if "end_date" in query else None
            size = min(int(query.get("page_size", self.cap)), self.cap)
            page = int(query.get("page", "1"))
        except ValueError as exc:
            return _error(400, f"bad parameter: {exc}")
        chosen = [
            r for r in self.requests
            if (start is None or _time(r["requested_datetime"]) >= start) and (end is None or _time(r["requested_datetime"]) <= end)
        ]
        chosen.sort(key=lambda r: _time(r["requested_datetime"]), reverse=True)
        return json_response(chosen[(page - 1) * size: page * size])
