-- Quarantined rows counted per batch × field × reason. The reason is generalised so that one rule is
-- one row: quoted values become '…' and standalone numbers become # (pm10 -6 outside … 0.0–2000.0 →
-- pm10 # outside … #–#). grain: batch_id × field × reason. params: none.
with generalised as (
    select
        batch_id,
        coalesce(field, '(row)') as field,
        regexp_replace(
            regexp_replace(reason, '''[^'']*''', '''…''', 'g'),
            '(^|[^A-Za-z0-9.])-?[0-9]+(\.[0-9]+)?', '\1#', 'g'
        ) as reason,
    from quarantine
)
select g.batch_id, b.dataset, b.source, g.field, g.reason, count(*) as n,
from generalised as g
left join load_batches as b using (batch_id)
group by all
order by g.batch_id, n desc, g.field, g.reason
