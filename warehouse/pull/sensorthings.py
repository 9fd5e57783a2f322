"""Pull an OGC SensorThings API service: Observations after the watermark, following @iot.nextLink to the end.

One query, `Observations?$expand=Datastream($expand=Thing($expand=Locations),ObservedProperty)` with
`$filter=phenomenonTime gt <watermark>`, is the shape the `sensorthings` profile reads. No `$orderby` and no
`$top` are sent unless asked for: servers page in their own (id) order and cap `$top` at their own maximum
(some reject a larger one), and the order does not matter because the watermark, max(phenomenonTime), is
taken over the whole pull and stored only when all of it is ingested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from requests.utils import requote_uri

from warehouse.build import Progress
from warehouse.errors import UsageError
from warehouse.pull import watermark
from warehouse.pull.fetched import PageProgress, PullReport, RunDir, commit
from warehouse.pull.http import Fetcher, Page, RemoteError

EXPAND = "Datastream($expand=Thing($expand=Locations),ObservedProperty)"
MAX_PAGES = 100_000  # a server whose nextLink never ends is stopped here rather than looping forever


@dataclass
class SensorThingsOptions:
    base_url: str
    since: dt.datetime | None = None
    lookback: dt.timedelta = dt.timedelta(0)
    page_size: int | None = None   # sent as $top when given
    orderby: str | None = None     # sent as $orderby when given, e.g. "phenomenonTime asc"
    source: str = "sensorthings"


def _values(page: Page) -> list:
    data = page.data
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise RemoteError(page.url, "not a SensorThings collection answer (a JSON object with a 'value' list)")
    return data["value"]


def newest_phenomenon(observations: list) -> dt.datetime | None:
    """max(phenomenonTime) (the start of an interval) over the observations that have a readable one."""
    newest = None
    for obs in observations:
        text = obs.get("phenomenonTime") if isinstance(obs, dict) else None
        if not isinstance(text, str):
            continue
        try:
            value = watermark.parse_time(text.split("/")[0])
        except UsageError:
            continue  # the ingest quarantines the row with its reason
        newest = value if newest is None or value > newest else newest
    return newest


def query(since: dt.datetime | None, page_size: int | None, orderby: str | None) -> dict:
    """The first request's OData query options."""
    params = {"$expand": EXPAND}
    if since is not None:
        params["$filter"] = f"phenomenonTime gt {watermark.format_time(since)}"
    if orderby:
        params["$orderby"] = orderby
    if page_size:
        params["$top"] = str(page_size)
    return params


def pull_sensorthings(
    opts: SensorThingsOptions, *, db: Path, raw_dir: Path, fetcher: Fetcher,
    on_page: PageProgress | None = None, progress: Progress | None = None,
) -> PullReport:
    """Fetch the Observations after the watermark (or --since), save them, ingest them, advance the watermark."""
    base = opts.base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"BASE_URL must be an http(s) URL, not {base!r}")
    if opts.page_size is not None and opts.page_size < 1:
        raise UsageError("--page-size must be at least 1")
    key = watermark.key("sensorthings", base)
    before = watermark.read(db, key)
    since = opts.since if opts.since is not None else (before - opts.lookback if before is not None else None)
    run = RunDir(raw_dir, opts.source)
    url, params = f"{base}/Observations", query(since, opts.page_size, opts.orderby)
    requests = records = 0
    newest = None
    visited: set[str] = set()
    try:
        while url is not None:
            if requests >= MAX_PAGES:
                raise RemoteError(url, f"still an @iot.nextLink after {MAX_PAGES:,} pages")
            page = fetcher.get_json(url, params)
            requests += 1
            values = _values(page)
            visited.add(page.url)
            link = page.data.get("@iot.nextLink")
            if values:
                saved = run.save_page(page.content)
                records += len(values)
                page_newest = newest_phenomenon(values)
                if page_newest is not None and (newest is None or page_newest > newest):
                    newest = page_newest
                run.note(page.url, len(values), file=saved.name)
            else:
                run.note(page.url, 0)
            if on_page:
                on_page(requests, records)
            url, params = (requote_uri(urljoin(page.url, link)), None) if isinstance(link, str) and link else (None, None)
            if url is not None and url in visited:
                raise RemoteError(page.url, f"@iot.nextLink points back to a page already fetched: {url}")
    except BaseException as exc:
        run.write_manifest(status="failed", error=str(exc), since=watermark.format_time(since) if since else None)
        raise
    run.write_manifest(status="fetched", since=watermark.format_time(since) if since else None)
    report = PullReport(
        kind="sensorthings", source=opts.source, folder=run.path, pages=len(run.pages), records=records,
        requests=requests, since=since, watermark_before=before, watermark_after=before,
    )
    if not run.pages:
        return report
    fallback = before or since or dt.datetime.min.replace(tzinfo=dt.UTC)
    batch, stored = commit(
        "sensors", run.pages, "sensorthings", db, source=opts.source, country=None,
        watermark_key=key, watermark_value=newest or fallback, progress=progress,
    )
    report.batch, report.watermark_after = batch, stored
    run.write_manifest(status="ingested", batch_id=batch.batch_id, watermark=watermark.format_time(stored))
    return report
