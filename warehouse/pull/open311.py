"""Pull an Open311 GeoReport v2 endpoint: services.json once, then requests.json walked in date windows.

GeoReport servers cap an answer (1000 requests by the spec, less with the common `page_size` extension)
without saying there is more, so a window that comes back full is split in two and fetched again, down
to one second; a one-second window that is still full is paged with the `page` extension. start_date and
end_date select on requested_datetime; consecutive windows share their boundary second, and a request
fetched twice is one duplicate in the batch, never two rows.

The watermark is max(updated_datetime) of what was fetched (never past the end of the range asked for).
The next pull starts there (minus `lookback`): new requests always come in; a status change of a request made before that point comes in
only if the lookback reaches back to when it was requested — the spec has no "updated since" filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from warehouse.build import Progress
from warehouse.errors import UsageError
from warehouse.pull import watermark
from warehouse.pull.fetched import PageProgress, PullReport, RunDir, commit
from warehouse.pull.http import Fetcher, Page, RemoteError

SPEC_CAP = 1000                          # GeoReport v2: "first 1000 requests returned"
DEFAULT_SPAN = dt.timedelta(days=90)     # GeoReport v2's default span, for a first pull without --since
MIN_WINDOW = dt.timedelta(seconds=1)     # start_date/end_date carry whole seconds


@dataclass
class Open311Options:
    base_url: str
    jurisdiction: str | None = None
    api_key: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    lookback: dt.timedelta = dt.timedelta(0)
    window: dt.timedelta = dt.timedelta(days=30)
    page_size: int | None = None         # sent as `page_size` when given; the cap that marks a full window
    source: str = "open311"
    country: str | None = None


def _whole_second(value: dt.datetime, up: bool = False) -> dt.datetime:
    floor = value.replace(microsecond=0)
    return floor + dt.timedelta(seconds=1) if up and floor != value else floor


def _windows(since: dt.datetime, until: dt.datetime, size: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
    out, start = [], since
    while start < until:
        end = min(start + size, until)
        out.append((start, end))
        start = end
    return out


def _records(page: Page) -> list[dict]:
    if not isinstance(page.data, list) or not all(isinstance(r, dict) for r in page.data):
        raise RemoteError(page.url, "not a GeoReport v2 requests.json answer (a JSON list of service requests)")
    return page.data


def _request_id(record: dict) -> str | None:
    value = record.get("service_request_id") or record.get("token")
    return None if value is None else str(value)


def newest_update(records: list[dict]) -> dt.datetime | None:
    """max(updated_datetime, else requested_datetime) over the records that have a readable one."""
    newest = None
    for record in records:
        text = record.get("updated_datetime") or record.get("requested_datetime")
        if not isinstance(text, str):
            continue
        try:
            value = watermark.parse_time(text)
        except UsageError:
            continue  # the ingest quarantines the row with its reason
        newest = value if newest is None or value > newest else newest
    return newest


class _Walk:
    """Fetch every window of [since, until], narrowing full ones; keeps the records' pages on disk."""

    def __init__(self, fetcher: Fetcher, url: str, common: dict, cap: int, send_page_size: bool, run: RunDir,
                 on_page: PageProgress | None):
        self.fetcher, self.url, self.common, self.cap = fetcher, url, common, cap
        self.send_page_size, self.run, self.on_page = send_page_size, run, on_page
        self.records, self.requests, self.newest = 0, 0, None

    def _get(self, params: dict) -> tuple[Page, list[dict]]:
        page = self.fetcher.get_json(self.url, params)
        self.requests += 1
        return page, _records(page)

    def _keep(self, page: Page, records: list[dict], **note) -> None:
        if records:
            saved = self.run.save_page(page.content)
            note["file"] = saved.name
            self.records += len(records)
            newest = newest_update(records)
            if newest is not None and (self.newest is None or newest > self.newest):
                self.newest = newest
        self.run.note(page.url, len(records), **note)
        if self.on_page:
            self.on_page(self.requests, self.records)

    def run_all(self, windows: list[tuple[dt.datetime, dt.datetime]]) -> None:
        pending = list(reversed(windows))
        while pending:
            start, end = pending.pop()
            params = {**self.common, "start_date": watermark.format_time(start), "end_date": watermark.format_time(end)}
            if self.send_page_size:
                params["page_size"] = self.cap
            page, records = self._get(params)
            if len(records) >= self.cap and end - start > MIN_WINDOW:
                middle = _whole_second(start + (end - start) / 2)
                self.run.note(page.url, len(records), split=True)
                if self.on_page:
                    self.on_page(self.requests, self.records)
                pending += [(middle, end), (start, middle)]  # earlier half first
                continue
            self._keep(page, records)
            if len(records) >= self.cap:
                self._page_through(params, records)

    def _page_through(self, params: dict, first: list[dict]) -> None:
        """A one-second window still full: ask for page 2, 3 … until a page is not full."""
        seen = {_request_id(r) for r in first}
        records, number = first, 1
        while len(records) >= self.cap:
            number += 1
            page, records = self._get({**params, "page": number})
            ids = {_request_id(r) for r in records}
            if records and ids <= seen:
                raise RemoteError(page.url, f"more than {self.cap} requests within one second and the server ignores "
                                            "`page`: raise --page-size to the server's cap")
            seen |= ids
            self._keep(page, records, page_number=number)


def pull_open311(
    opts: Open311Options, *, db: Path, raw_dir: Path, fetcher: Fetcher,
    on_page: PageProgress | None = None, progress: Progress | None = None, now: dt.datetime | None = None,
) -> PullReport:
    """Fetch what changed since the watermark (or --since), save it, ingest it, advance the watermark."""
    base = opts.base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"BASE_URL must be an http(s) URL, not {base!r}")
    if opts.page_size is not None and opts.page_size < 1:
        raise UsageError("--page-size must be at least 1")
    window = dt.timedelta(seconds=int(opts.window.total_seconds()))  # start_date/end_date carry whole seconds
    if window < MIN_WINDOW:
        raise UsageError("--window must be at least 1s")
    key = watermark.key("open311", base, opts.jurisdiction)
    before = watermark.read(db, key)
    until = _whole_second(opts.until or now or dt.datetime.now(dt.UTC), up=True)
    notes = []
    if opts.since is not None:
        since = opts.since
    elif before is not None:
        since = before - opts.lookback
    else:
        since = until - DEFAULT_SPAN
        notes.append(f"no watermark yet: started {DEFAULT_SPAN.days} days back (give --since to go further)")
    since = _whole_second(since)
    common = {k: v for k, v in (("jurisdiction_id", opts.jurisdiction), ("api_key", opts.api_key)) if v}
    run = RunDir(raw_dir, opts.source)
    walk = _Walk(fetcher, f"{base}/requests.json", common, opts.page_size or SPEC_CAP, opts.page_size is not None,
                 run, on_page)
    try:
        services = fetcher.get_json(f"{base}/services.json", common or None)
        walk.requests += 1
        if not isinstance(services.data, list):
            raise RemoteError(services.url, "not a GeoReport v2 services.json answer (a JSON list of services)")
        services_path = run.save("services.json", services.content)
        run.note(services.url, len(services.data), file=services_path.name)
        walk.run_all(_windows(since, until, window))
    except BaseException as exc:
        run.write_manifest(status="failed", error=str(exc), since=watermark.format_time(since),
                           until=watermark.format_time(until))
        raise
    run.write_manifest(status="fetched", since=watermark.format_time(since), until=watermark.format_time(until))
    report = PullReport(
        kind="open311", source=opts.source, folder=run.path, pages=len(run.pages), records=walk.records,
        requests=walk.requests, since=since, watermark_before=before, watermark_after=before, notes=notes,
    )
    if not run.pages:
        return report
    # never past `until`: a request made after the range asked for, while an older one was being updated,
    # must still be in the next pull's range
    newest = min(walk.newest, until) if walk.newest is not None else (before or since)
    batch, stored = commit(
        "complaints", [services_path, *run.pages], "open311", db, source=opts.source, country=opts.country,
        watermark_key=key, watermark_value=newest, progress=progress,
    )
    report.batch, report.watermark_after = batch, stored
    run.write_manifest(status="ingested", batch_id=batch.batch_id, watermark=watermark.format_time(stored))
    return report
