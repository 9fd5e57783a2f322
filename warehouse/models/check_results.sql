-- check_results: the stored results of warehouse/checks/*.sql, written inside every write by warehouse/check.py
-- (record_checks: the days a batch touched) and by `python -m warehouse check` (the whole history); the Data page
-- reads them through queries/check_results.sql. Idempotent: run by record_checks before it writes.
-- grain: check_name × day. The row with day null is the check's own row, one per check that has run: when it last
-- ran, on which range, with which SQL, and its offending rows that have no day (a check over a small table keeps
-- all of them there). A time-series check adds one row per local day that has offending rows; days without any
-- have no row. A check's failures are the sum over its rows.
create table if not exists check_results (
    check_name text not null,
    rule text not null,               -- the first comment line of the check's file
    day date,                         -- local day of the offending rows; null = the check's own row
    failures bigint not null,         -- offending rows
    sample text,                      -- up to 5 of them, a JSON array of objects
    checked_at timestamptz not null,
    batch_id integer,                 -- the batch whose write ran the check; null = `python -m warehouse check`
    scope_from timestamptz,           -- [scope_from, scope_to): what the run looked at; null = the whole history
    scope_to timestamptz,
    sql_hash text not null,           -- of the check's file: a changed check runs again over the whole history
);
