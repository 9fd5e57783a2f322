-- The last reading at or before as_of per sensor × metric: value, unit and time.
-- grain: sensor_id × metric. params: $as_of (timestamptz); $district, $domain (text or null).
-- The latest hour comes from the rollups, as in queries/sensor_status.sql (the last day from agg_sensor_daily, then
-- that day's hours: not every hour of history); the reading itself from fct_sensor_readings within that hour, the
-- latest measured_at ≤ as_of (a reading the source flagged is still the latest reading).
with sensors as (
    select * from dim_sensor
    where ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
),
last_day as (
    -- the last whole day before as_of's day with readings
    select sensor_id, metric, max(day) as day,
    from agg_sensor_daily
    semi join sensors using (sensor_id)
    where day < cast($as_of as date)
    group by all
),
latest as (
    -- the last hour at or before as_of: on as_of's own day, else on that last day
    select sensor_id, metric, max(last_hour) as last_hour,
    from (
        select h.sensor_id, h.metric, max(h.hour) as last_hour,
        from agg_sensor_hourly as h
        join last_day as d on d.sensor_id = h.sensor_id and d.metric = h.metric and d.day = h.day
        where h.day >= (select min(day) from last_day)  -- implied by the join: lets the scan skip older row groups
        group by all
        union all
        select sensor_id, metric, max(hour) as last_hour,
        from agg_sensor_hourly
        semi join sensors using (sensor_id)
        where day = cast($as_of as date) and hour <= $as_of
        group by all
    )
    group by all
),
readings as (
    select
        f.sensor_id,
        f.metric,
        arg_max(f.value, f.measured_at) as value,
        arg_max(f.unit, f.measured_at) as unit,
        arg_max(f.quality, f.measured_at) as quality,
        max(f.measured_at) as measured_at,
    from fct_sensor_readings as f
    join latest as l on l.sensor_id = f.sensor_id and l.metric = f.metric
    where f.measured_at >= l.last_hour and f.measured_at < l.last_hour + interval 1 hour
      and f.measured_at <= $as_of
    group by all
)
select
    s.sensor_id,
    s.name,
    s.domain,
    s.district_code,
    r.metric,
    r.value,
    r.unit,
    r.quality,
    r.measured_at,
from readings as r
join sensors as s using (sensor_id)
order by s.domain, s.name, s.sensor_id, r.metric
