-- fct_sensor_readings (merge plan): what the landed batch does to the readings, one row per sensor × metric ×
-- measured_at. The last reading per key wins inside the batch (file, then line: rid); an identical stored reading
-- changes nothing. Only batches that may repeat a key or a stored reading come here (sensor_load.merge); the
-- time-range predicates let DuckDB skip row groups of older history (zone maps), and the year files apply the
-- plan (fct_sensor_readings_year.sql). `day` is the reading's local day. params: none.
create or replace temp table reading_plan as
with incoming as (
    select sensor_id, metric, measured_at, value, unit, quality,
    from stg_sensor_readings
    qualify row_number() over (partition by series, measured_at order by rid desc) = 1
)
select
    n.*,
    case
        when f.sensor_id is null then 'new'
        when (n.value, n.unit, n.quality) is not distinct from (f.value, f.unit, f.quality) then 'same'
        else 'changed'
    end as action,
    cast(n.measured_at as date) as day,
from incoming as n
left join (
    select * from fct_sensor_readings
    where measured_at >= (select min(measured_at) from raw_sensor_readings)
      and measured_at <= (select max(measured_at) from raw_sensor_readings)
) as f
    on f.sensor_id = n.sensor_id and f.metric = n.metric and f.measured_at = n.measured_at;

create or replace temp table touched_sensor_days as
select distinct sensor_id, metric, day,
from reading_plan
where action in ('new', 'changed');

-- the merge recomputes every touched day's hours from the year file: no hours come from the batch itself
create or replace temp table batch_hours as
select * from tpl_agg_sensor_hourly limit 0;
