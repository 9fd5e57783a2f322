-- Freshness per source: the latest record it holds, its last successful load and the record's age.
-- grain: dataset × source (every source with a batch). params: $now (timestamptz; the clock the age is
-- measured against). Complaints: latest requested_at of that source; sensors: latest measured_at of the
-- source's sensors (dim_sensor.source). age_hours = $now − latest record, in hours (null without records).
with loads as (
    select dataset, source, max(finished_at) filter (where status = 'ok') as last_loaded_at, count(*) as batches,
    from load_batches
    group by all
),
latest as (
    select 'complaints' as dataset, source, max(requested_at) as latest_record, count(*) as records,
    from fct_complaints
    group by all
    union all
    -- from dim_sensor.last_seen and the daily rollup (n good + n_flagged = every stored reading), not by
    -- counting raw readings: the same numbers without scanning years of history
    select 'sensors' as dataset, s.source, max(s.last_seen) as latest_record, sum(d.records) as records,
    from dim_sensor as s
    join (select sensor_id, sum(n + n_flagged) as records from agg_sensor_daily group by all) as d using (sensor_id)
    group by all
)
select
    l.dataset,
    l.source,
    r.latest_record,
    l.last_loaded_at,
    date_diff('second', r.latest_record, $now) / 3600.0 as age_hours,
    coalesce(r.records, 0) as records,
    l.batches,
from loads as l
left join latest as r using (dataset, source)
order by l.dataset, l.source
