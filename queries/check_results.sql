-- The data checks' stored results (table check_results, written inside every write by warehouse/check.py and by
-- `python -m warehouse check`): per check its rule, offending rows summed over its stored days, up to 5 of them as
-- a JSON array (the check's own row first, then by day), when it last ran (to the second), by which batch (null = the check
-- command) and on which range [scope_from, scope_to) (null = the whole history). No row before the first stored run.
-- grain: check_name. params: none.
with own as (
    select check_name, rule, checked_at, batch_id, scope_from, scope_to,
    from check_results
    where day is null
),
totals as (
    select
        check_name,
        cast(sum(failures) as bigint) as failures,
        count(day) filter (where failures > 0) as failing_days,
        list(sample order by day nulls first) filter (where failures > 0) as samples,
    from check_results
    group by check_name
)
select
    o.check_name,
    o.rule,
    t.failures,
    t.failing_days,
    cast(to_json(list_slice(flatten(list_transform(t.samples, lambda s: cast(s as json[]))), 1, 5)) as varchar) as sample,
    date_trunc('second', o.checked_at) as checked_at,  -- whole seconds: digits of microseconds read like a phone number
    o.batch_id,
    o.scope_from,
    o.scope_to,
from own as o
join totals as t using (check_name)
order by o.check_name
