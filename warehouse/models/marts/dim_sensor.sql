-- dim_sensor: add new sensors and widen first/last seen of known ones from the landed batch.
-- expected_interval_s: the profile's, else the median spacing of the batch's readings (kept if unknown).
-- The spacing is whole seconds between epochs (= date_diff('second', …), without its costly time-zone
-- calendar arithmetic), and only of sensors the profile gives no interval for. params: none.
create or replace temp table batch_sensors as
with spacing as (
    select
        sensor_id,
        epoch_us(measured_at) // 1000000
            - epoch_us(lag(measured_at) over (partition by sensor_id, metric order by measured_at)) // 1000000 as gap_s,
    from stg_sensor_readings
    where sensor_id not in (select sensor_id from stg_sensor_readings where expected_interval_s is not null)
),
medians as (
    select sensor_id, cast(median(gap_s) as integer) as gap_s,
    from spacing
    where gap_s > 0
    group by sensor_id
)
select
    s.sensor_id,
    any_value(s.source) as source,
    last(s.station_name order by s.measured_at) as name,
    mode(s.domain) as domain,
    last(s.district_code order by s.measured_at) filter (where s.district_code is not null) as district_code,
    last(s.lat order by s.measured_at) filter (where s.lat is not null) as lat,
    last(s.lon order by s.measured_at) filter (where s.lon is not null) as lon,
    coalesce(max(s.expected_interval_s), any_value(m.gap_s)) as expected_interval_s,
    min(s.measured_at) as first_seen,
    max(s.measured_at) as last_seen,
from stg_sensor_readings as s
left join medians as m on m.sensor_id = s.sensor_id
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
