-- dim_sensor: add new sensors and widen first/last seen of known ones from the landed batch.
-- expected_interval_s: the profile's, else the median spacing of the batch's readings (kept if unknown).
-- params: none.
create or replace temp table batch_sensors as
with spacing as (
    select
        sensor_id,
        date_diff('second', lag(measured_at) over (partition by sensor_id, metric order by measured_at), measured_at)
            as gap_s,
    from stg_sensor_readings
)
select
    s.sensor_id,
    any_value(s.source) as source,
    last(s.station_name order by s.measured_at) as name,
    mode(s.domain) as domain,
    last(s.district_code order by s.measured_at) filter (where s.district_code is not null) as district_code,
    last(s.lat order by s.measured_at) filter (where s.lat is not null) as lat,
    last(s.lon order by s.measured_at) filter (where s.lon is not null) as lon,
    coalesce(
        max(s.expected_interval_s),
        (select cast(median(gap_s) as integer) from spacing as g where g.sensor_id = s.sensor_id and g.gap_s > 0)
    ) as expected_interval_s,
    min(s.measured_at) as first_seen,
    max(s.measured_at) as last_seen,
from stg_sensor_readings as s
group by s.sensor_id;

insert or replace into dim_sensor
select
    b.sensor_id,
    b.source,
    coalesce(b.name, d.name) as name,
    coalesce(b.domain, d.domain) as domain,
    coalesce(b.district_code, d.district_code) as district_code,
    coalesce(b.lat, d.lat) as lat,
    coalesce(b.lon, d.lon) as lon,
    coalesce(b.expected_interval_s, d.expected_interval_s) as expected_interval_s,
    least(b.first_seen, d.first_seen) as first_seen,
    greatest(b.last_seen, d.last_seen) as last_seen,
from batch_sensors as b
left join dim_sensor as d on d.sensor_id = b.sensor_id;
