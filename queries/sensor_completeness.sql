-- Sensor completeness per sensor × metric for the period, from the rollups only (never the raw readings):
-- the same readings, expected and completeness as queries/sensor_status.sql, for the KPI cards and the city
-- score, which need nothing else of the sensors' health (8 windows on the Overview: raw readings cost seconds).
-- grain: sensor_id × metric. params: $start, $end, $as_of (timestamptz); $district, $domain (text or null).
-- expected = (min(end, as_of + one interval) − start) ÷ expected interval; completeness = readings ÷ expected,
-- at most 1; a sensor × metric counts when it has a reading at or before as_of (as in sensor_status).
with sensors as (
    select * from dim_sensor
    where ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and first_seen < $end and expected_interval_s > 0
),
received as (
    select d.sensor_id, d.metric, sum(d.n + d.n_flagged) as readings,
    from agg_sensor_daily as d
    semi join sensors as s on s.sensor_id = d.sensor_id
    where d.day >= cast($start as date) and d.day < cast($end as date)
    group by all
),
present as (
    -- whole days before as_of's day from the daily rollup, the hours of as_of's day from the hourly one
    select sensor_id, metric,
    from agg_sensor_daily
    semi join sensors using (sensor_id)
    where day < cast($as_of as date)
    group by all
    union
    select sensor_id, metric,
    from agg_sensor_hourly
    semi join sensors using (sensor_id)
    where day = cast($as_of as date) and hour <= $as_of
    group by all
)
select
    s.sensor_id,
    p.metric,
    coalesce(r.readings, 0) as readings,
    w.expected,
    least(coalesce(r.readings, 0) / nullif(w.expected, 0), 1.0) as completeness,
from sensors as s
cross join lateral (
    select greatest(date_diff('second', $start, least($end, $as_of + to_seconds(s.expected_interval_s))), 0)
        / s.expected_interval_s as expected
) as w
join present as p on p.sensor_id = s.sensor_id
left join received as r on r.sensor_id = s.sensor_id and r.metric = p.metric
order by completeness asc nulls first, s.sensor_id, p.metric
