-- stg_sensor_readings: the landed sensor batch, renamed and cast onto the mart's vocabulary.
-- grain: one row per reading read (duplicates still present). params: none.
create or replace view stg_sensor_readings as
select
    sensor_id,
    source,
    station_name,
    metric,
    measured_at,
    cast(value as double) as value,
    unit,
    quality,
    lat,
    lon,
    district_code,
    domain,
    expected_interval_s,
    file_index,
    line,
from raw_sensor_readings
