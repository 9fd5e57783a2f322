-- fct_sensor_readings: merge the landed batch, one row per sensor × metric × measured_at.
-- Last reading per key wins inside the batch; an identical stored reading changes nothing.
-- The time-range predicates let DuckDB skip row groups of older history (zone maps). params: none.
create or replace temp table incoming_readings as
select sensor_id, metric, measured_at, value, unit, quality,
from (
    select *, row_number() over (partition by sensor_id, metric, measured_at order by file_index desc, line desc) as rn,
    from stg_sensor_readings
)
where rn = 1;

create or replace temp table reading_plan as
select
    n.*,
    case
        when f.sensor_id is null then 'new'
        when (n.value, n.unit, n.quality) is not distinct from (f.value, f.unit, f.quality) then 'same'
        else 'changed'
    end as action,
from incoming_readings as n
left join (
    select * from fct_sensor_readings
    where measured_at >= (select min(measured_at) from incoming_readings)
      and measured_at <= (select max(measured_at) from incoming_readings)
) as f
    on f.sensor_id = n.sensor_id and f.metric = n.metric and f.measured_at = n.measured_at;

delete from fct_sensor_readings as f
using reading_plan as p
where p.action = 'changed'
  and f.measured_at >= (select min(measured_at) from reading_plan where action = 'changed')
  and f.measured_at <= (select max(measured_at) from reading_plan where action = 'changed')
  and f.sensor_id = p.sensor_id and f.metric = p.metric and f.measured_at = p.measured_at;

insert into fct_sensor_readings
select sensor_id, metric, measured_at, value, unit, quality,
from reading_plan
where action in ('new', 'changed')
order by measured_at, sensor_id, metric;

create or replace temp table touched_sensor_days as
select distinct sensor_id, metric, cast(measured_at as date) as day,
from reading_plan
where action in ('new', 'changed');
