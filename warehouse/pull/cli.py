"""`python -m warehouse pull {open311,sensorthings} BASE_URL …`: the command line of the live feeds."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from warehouse.errors import DataError, UsageError
from warehouse.pull.schedule import parse_duration

EPILOG = """\
exit codes: 0 ok (also when there was nothing new), 1 remote or data problem (the URL, HTTP status and
body excerpt are printed; the watermark did not move, the next pull resumes), 2 usage error.

Fetched files go to RAW_DIR/<source>/<UTC time>/ (page-0001.json …, manifest.json) and are ingested
as one batch; the watermark is stored in the warehouse's meta table in the same transaction."""


class _Paragraphs(argparse.HelpFormatter):
    """Reflow each blank-line-separated paragraph of a description or epilog on its own."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(_Paragraphs, self)._fill_text(p, width, indent) for p in text.split("\n\n"))


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", help="source name for ids and the raw folder (default: the profile's, open311 or sensorthings)")
    p.add_argument("--raw-dir", type=Path, help="where fetched files are written (default: $WAREHOUSE_RAW_DIR or data/raw)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server on each call (default 30)")
    p.add_argument("--retries", type=int, default=5, help="retries on connection errors, timeouts, 5xx and 429 (default 5)")
    p.add_argument("--backoff", type=float, default=1.0,
                   help="first retry delay in seconds, doubled on each retry up to 60 s (default 1)")
    p.add_argument("--max-wait", type=float, default=300.0, help="longest Retry-After honoured, in seconds (default 300)")
    p.add_argument("--every", metavar="DURATION", help="keep pulling on this schedule, e.g. 10m (30s, 2h, 1d); Ctrl-C stops")
    p.add_argument("--max-runs", type=int, help="with --every: stop after this many runs")


def add_pull_parser(sub, with_db: Callable, progress: Callable) -> None:
    """Register `pull open311` and `pull sensorthings` on the top-level subparsers."""
    pull = sub.add_parser(
        "pull", help="fetch a live feed (Open311, SensorThings) and ingest it",
        description="Fetch what changed since the source's watermark, write it under data/raw/<source>/, "
                    "ingest it with the matching profile and advance the watermark, all or nothing.",
    )
    feeds = pull.add_subparsers(dest="feed", required=True, metavar="{open311,sensorthings}")
    o = with_db(feeds.add_parser(
        "open311", help="an Open311 GeoReport v2 endpoint", epilog=EPILOG, formatter_class=_Paragraphs,
        description="services.json once, then requests.json walked in start_date/end_date windows from --since (default: the "
                    "stored watermark = the newest updated_datetime pulled, minus --lookback) to --until; a window that "
                    "comes back full is split in two and fetched again. Loaded with the open311 profile.",
    ))
    o.add_argument("base_url", metavar="BASE_URL", help="the GeoReport v2 root (services.json and requests.json are under it)")
    o.add_argument("--jurisdiction", metavar="ID", help="jurisdiction_id sent with every request")
    o.add_argument("--api-key", metavar="KEY", default=os.environ.get("WAREHOUSE_OPEN311_API_KEY"),
                   help="api_key sent with every request (default: $WAREHOUSE_OPEN311_API_KEY; never printed)")
    o.add_argument("--since", metavar="ISO", help="start here instead of the watermark (first pull without it: 90 days back)")
    o.add_argument("--until", metavar="ISO", help="end of the range (default: now)")
    o.add_argument("--lookback", metavar="DURATION", default="0s",
                   help="start this long before the watermark, to catch status changes of recent requests (e.g. 7d)")
    o.add_argument("--window", metavar="DURATION", default="30d", help="size of the first date windows (default 30d)")
    o.add_argument("--page-size", type=int, metavar="N",
                   help="send page_size=N; an answer of N requests is a full window (default: not sent, the spec's cap 1000)")
    o.add_argument("--country", help="country whose bounds coordinates must fall in (e.g. US); 'any' to skip (default: the city's)")
    _common(o)
    o.set_defaults(func=lambda args: cmd_pull(args, progress))

    s = with_db(feeds.add_parser(
        "sensorthings", help="an OGC SensorThings API service", epilog=EPILOG, formatter_class=_Paragraphs,
        description="Observations with Datastream, Thing, Locations and ObservedProperty expanded, $filter=phenomenonTime gt "
                    "the watermark (the newest phenomenonTime pulled, minus --lookback) or --since, following @iot.nextLink "
                    "to the end. Loaded with the sensorthings profile.",
    ))
    s.add_argument("base_url", metavar="BASE_URL", help="the service root, e.g. https://host/FROST-Server/v1.1")
    s.add_argument("--since", metavar="ISO", help="start after this time instead of the watermark (first pull without it: everything)")
    s.add_argument("--lookback", metavar="DURATION", default="0s",
                   help="start this long before the watermark, to catch observations that arrive late (e.g. 1h)")
    s.add_argument("--page-size", type=int, metavar="N", help="send $top=N (default: the server's page size)")
    s.add_argument("--orderby", metavar="EXPR", help="send $orderby, e.g. 'phenomenonTime asc' (default: the server's order)")
    _common(s)
    s.set_defaults(func=lambda args: cmd_pull(args, progress))


def _pull_function(args) -> Callable:
    """The configured pull for this command line, validated before anything is fetched."""
    from warehouse.pull import watermark
    from warehouse.pull.open311 import Open311Options, pull_open311
    from warehouse.pull.sensorthings import SensorThingsOptions, pull_sensorthings

    since = watermark.parse_time(args.since, "--since") if args.since else None
    lookback = parse_duration(args.lookback, "--lookback")
    if args.feed == "open311":
        opts = Open311Options(
            base_url=args.base_url, jurisdiction=args.jurisdiction, api_key=args.api_key, since=since,
            until=watermark.parse_time(args.until, "--until") if args.until else None, lookback=lookback,
            window=parse_duration(args.window, "--window"), page_size=args.page_size,
            source=args.source or "open311", country=args.country,
        )
        return lambda **kw: pull_open311(opts, **kw)
    opts = SensorThingsOptions(
        base_url=args.base_url, since=since, lookback=lookback, page_size=args.page_size, orderby=args.orderby,
        source=args.source or "sensorthings",
    )
    return lambda **kw: pull_sensorthings(opts, **kw)


def cmd_pull(args, progress: Callable) -> int:
    import requests
    from tqdm import tqdm

    from settings import raw_dir
    from warehouse.pull.http import Fetcher
    from warehouse.pull.schedule import every

    if args.max_runs is not None and not args.every:
        raise UsageError("--max-runs needs --every")
    interval = parse_duration(args.every, "--every") if args.every else None
    pull = _pull_function(args)
    session = requests.Session()
    fetcher = Fetcher(
        session, timeout=args.timeout, retries=args.retries, backoff=args.backoff, max_wait=args.max_wait,
        log=lambda message: tqdm.write(message, file=sys.stderr),
    )
    raw = args.raw_dir or raw_dir()

    def once() -> int:
        bar = tqdm(desc=f"pull {args.feed}", unit="page", file=sys.stderr, leave=False, disable=None)

        def on_page(pages: int, records: int) -> None:
            bar.n = pages
            bar.set_postfix_str(f"{records:,} records")
            bar.refresh()

        try:
            report = pull(db=args.db, raw_dir=raw, fetcher=fetcher, on_page=on_page, progress=progress())
        finally:
            bar.close()
        print(report.summary(), flush=True)
        return 0

    def scheduled() -> int:
        try:
            return once()
        except DataError as exc:  # reported; the watermark did not move and the next run resumes
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return 1

    with session:
        if interval is None:
            return once()
        return every(interval, scheduled, max_runs=args.max_runs, log=lambda m: print(m, file=sys.stderr, flush=True))
