-- Air-quality advisory episodes: runs of 2+ consecutive hours with PM2.5 ≥ 75 or PM10 ≥ 150 µg/m³.
-- grain: station × metric × episode. params: $start, $end (timestamptz); $district (text or null).
with hours as (
    select h.sensor_id, h.metric, h.hour, h.mean,
    from agg_sensor_hourly as h
    join dim_sensor as s using (sensor_id)
    where h.metric in ('pm25', 'pm10')
      and h.hour >= $start and h.hour < $end
      and ($district is null or s.district_code = $district)
      and h.mean >= case h.metric when 'pm25' then 75 else 150 end
),
runs as (
    select *,
        hour - to_hours(row_number() over (partition by sensor_id, metric order by hour)) as run_key,
    from hours
)
select
    r.sensor_id,
    s.name as station,
    s.district_code,
    r.metric,
    min(r.hour) as started_at,
    max(r.hour) + interval 1 hour as ended_at,
    count(*) as hours,
    max(r.mean) as peak,
from runs as r
join dim_sensor as s using (sensor_id)
group by all
having count(*) >= 2
order by started_at desc, r.sensor_id, r.metric
