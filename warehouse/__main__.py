"""Command line: python -m warehouse {build,ingest,pull,digest,profiles,check} — exit 0 ok, 1 data problem, 2 usage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from settings import db_path
from warehouse.digest import add_digest_parser
from warehouse.errors import DataError, UsageError
from warehouse.pull.cli import add_pull_parser


def _progress():
    """A progress bar on stderr: one bar per step name, advanced as the build reports."""
    from tqdm import tqdm

    state: dict = {"bar": None, "step": None}

    def report(step: str, done: int, total: int) -> None:
        key = step.split(" ")[0]
        if state["step"] != key:
            if state["bar"] is not None:
                state["bar"].close()
            state["bar"] = tqdm(total=total, desc=key, file=sys.stderr, leave=False, disable=None)
            state["step"] = key
        bar = state["bar"]
        bar.set_postfix_str(step[len(key):].strip()[:40])
        bar.n = done
        bar.refresh()

    return report


def cmd_build(args) -> int:
    if not args.demo:
        raise UsageError("build needs --demo (real exports are loaded with `ingest`)")
    from warehouse.demo_build import build_demo

    reports = build_demo(args.db, scale=args.scale, seed=args.seed, progress=_progress())
    for report in reports:
        print(report.summary())
    print(f"warehouse written: {args.db}")
    return 0


def cmd_ingest(args) -> int:
    from warehouse.build import ingest

    report = ingest(
        args.dataset, [Path(p) for p in args.paths], args.profile, args.db,
        source=args.source, country=args.country, progress=_progress(),
    )
    print(report.summary())
    return 0


def cmd_profiles(args) -> int:
    from warehouse.profile import list_profiles

    for p in list_profiles():
        print(f"{p.name:<16} {p.dataset:<11} {p.description}")
    return 0


def cmd_check(args) -> int:
    import os

    from warehouse import store
    from warehouse.check import record_checks, report, run_checks

    if not args.db.exists():
        raise UsageError(f"no warehouse at {args.db} (build one with `python -m warehouse build --demo`)")
    writable = os.access(args.db, os.W_OK) and os.access(args.db.parent, os.W_OK)
    if args.read_only or not writable:
        if not args.read_only:
            print(f"no write access to {args.db}: checking without storing the results", file=sys.stderr)
        results = run_checks(args.db)
    else:
        with store.writing(args.db) as con:  # the whole history, stored for the Data page (a write like any other)
            results = record_checks(con)
    print(report(args.db, results))
    return 1 if any(r.failures for r in results) else 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m warehouse",
        description="Build and maintain the smart-city DuckDB warehouse from complaint and sensor exports.",
    )
    sub = top.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, default=db_path(),
                       help="warehouse file (default: $WAREHOUSE_PATH or data/warehouse.duckdb)")
        return p

    b = with_db(sub.add_parser(
        "build", help="build the warehouse from scratch",
        description="Generate the bundled Sejong demo exports (if not there) and build the warehouse from scratch."))
    b.add_argument("--demo", action="store_true", help="use the bundled Sejong demo exports")
    b.add_argument("--scale", type=float, default=1.0, help="demo size factor (complaints and sensors), default 1")
    b.add_argument("--seed", type=int, default=20250101, help="demo random seed")
    b.set_defaults(func=cmd_build)

    i = with_db(sub.add_parser(
        "ingest", help="load export files as one batch",
        description="Load one or more export files as one batch: parsed with the profile, bad rows quarantined "
                    "with their reason, merged idempotently, all or nothing."))
    i.add_argument("dataset", choices=["complaints", "sensors"])
    i.add_argument("paths", nargs="+",
                   help="export files (companion files such as services.json or a station list may be given too)")
    i.add_argument("--profile", required=True, help="built-in profile name (see `profiles`) or a path to a profile .toml")
    i.add_argument("--source", help="source name for ids (default: the profile's)")
    i.add_argument("--country", help="country code whose bounds coordinates must fall in "
                                     "(default: the profile's, else the city's); 'any' to skip")
    i.set_defaults(func=cmd_ingest)

    add_pull_parser(sub, with_db, _progress)
    add_digest_parser(sub, with_db)

    p = sub.add_parser("profiles", help="list built-in profiles", description="List the built-in export profiles.")
    p.set_defaults(func=cmd_profiles)

    c = with_db(sub.add_parser(
        "check", help="run the data checks",
        description="Run every data check (warehouse/checks/*.sql) over the whole history, store the results for the "
                    "Data page, print a quality report, exit 1 if a check fails."))
    c.add_argument("--read-only", action="store_true",
                   help="do not store the results (the file is not written), e.g. to verify a backup copy")
    c.set_defaults(func=cmd_check)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
