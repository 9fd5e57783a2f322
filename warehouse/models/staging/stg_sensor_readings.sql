-- stg_sensor_readings: the landed sensor batch on the marts' vocabulary: each reading with its description's
-- sensor, metric, unit and quality. grain: one row per reading read (repeats still present). params: none.
create or replace temp view stg_sensor_readings as
select
    s.sensor_id,
    s.metric,
    r.measured_at,
    r.value,
    s.unit,
    s.quality,
    r.series,
    r.rid,
from raw_sensor_readings as r
join raw_sensor_series as s using (dim)
