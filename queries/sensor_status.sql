-- Sensor health per sensor × metric for the period: completeness, last reading, stale and flat-lined flags.
-- grain: sensor_id × metric. params: $start, $end, $as_of (timestamptz); $district, $domain (text or null).
-- expected = (min(end, as_of + one interval) − start) ÷ expected interval: the period's readings, not counting
-- slots after as_of that could not have arrived yet;
-- stale = last reading older than 3 × expected interval at as_of;
-- flat-lined = the last 6 readings (up to as_of) all have one value.
-- The longest run of one value in the period is queries/sensor_runs.sql: it reads every reading of the period,
-- which the pages that show only stale and flat-lined sensors (Overview, district score) do not need.
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
-- part: latest_hour
recent as (
    select f.sensor_id, f.metric, f.value,
        row_number() over (partition by f.sensor_id, f.metric order by f.measured_at desc) as k,
    from fct_sensor_readings as f
    join latest as l on l.sensor_id = f.sensor_id and l.metric = f.metric
    where f.measured_at <= $as_of and f.measured_at >= l.last_hour - interval 7 day
),
flat as (
    select sensor_id, metric, count(*) = 6 and min(value) = max(value) as flat_lined,
    from recent where k <= 6 group by all
),
last_reading as (
    select f.sensor_id, f.metric, max(f.measured_at) as last_reading,
    from fct_sensor_readings as f
    join latest as l on l.sensor_id = f.sensor_id and l.metric = f.metric
    where f.measured_at >= l.last_hour and f.measured_at <= $as_of
    group by all
)
select
    s.sensor_id,
    s.name,
    s.domain,
    s.district_code,
    l.metric,
    s.expected_interval_s,
    coalesce(r.readings, 0) as readings,
    w.expected,
    least(coalesce(r.readings, 0) / nullif(w.expected, 0), 1.0) as completeness,
    lr.last_reading,
    date_diff('second', lr.last_reading, $as_of) > 3 * s.expected_interval_s as stale,
    coalesce(fl.flat_lined, false) as flat_lined,
from sensors as s
cross join lateral (
    select greatest(date_diff('second', $start, least($end, $as_of + to_seconds(s.expected_interval_s))), 0)
        / s.expected_interval_s as expected
) as w
join latest as l on l.sensor_id = s.sensor_id
left join received as r on r.sensor_id = s.sensor_id and r.metric = l.metric
left join last_reading as lr on lr.sensor_id = s.sensor_id and lr.metric = l.metric
left join flat as fl on fl.sensor_id = s.sensor_id and fl.metric = l.metric
order by completeness asc nulls first, s.sensor_id, l.metric
