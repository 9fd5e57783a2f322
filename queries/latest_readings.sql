-- The last reading at or before as_of per sensor × metric: value, unit and time.
-- grain: sensor_id × metric. params: $as_of (timestamptz); $district, $domain (text or null).
-- The latest hour comes from the rollups (queries/parts/latest_hour.sql, as in sensor_status); the reading itself
-- from fct_sensor_readings within that hour, the latest measured_at ≤ as_of (a reading the source flagged is still
-- the latest reading).
with sensors as (
    select * from dim_sensor
    where ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
),
-- part: latest_hour
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
