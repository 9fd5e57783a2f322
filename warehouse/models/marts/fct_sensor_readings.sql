-- fct_sensor_readings (plan): what the landed batch does to the readings, one row per sensor × metric × measured_at.
-- Last reading per key wins inside the batch; an identical stored reading changes nothing.
-- The time-range predicates let DuckDB skip row groups of older history (zone maps); the year files
-- apply the plan (fct_sensor_readings_year.sql). `day` and `hour` are the reading's local day and hour,
-- computed once here because the time-zone functions are the costly part of every later step. params: none.
-- The in-batch dedupe (a window sort over the whole batch) runs only when a key repeats: a cheap count decides.
create or replace temp table batch_key_check as
select count(*) > count(distinct (sensor_id, metric, measured_at)) as has_repeats,
from stg_sensor_readings;

create or replace temp table reading_plan as
with incoming as (
    select sensor_id, metric, measured_at, value, unit, quality,
    from stg_sensor_readings
    where not (select has_repeats from batch_key_check)
    union all
    select sensor_id, metric, measured_at, value, unit, quality,
    from (
        select *, row_number() over (partition by sensor_id, metric, measured_at order by file_index desc, line desc) as rn,
        from stg_sensor_readings
        where (select has_repeats from batch_key_check)
    )
    where rn = 1
)
select
    n.*,
    case
        when f.sensor_id is null then 'new'
        when (n.value, n.unit, n.quality) is not distinct from (f.value, f.unit, f.quality) then 'same'
        else 'changed'
    end as action,
    cast(n.measured_at as date) as day,
    date_trunc('hour', n.measured_at) as hour,
from incoming as n
left join (
    select * from fct_sensor_readings
    where measured_at >= (select min(measured_at) from stg_sensor_readings)
      and measured_at <= (select max(measured_at) from stg_sensor_readings)
) as f
    on f.sensor_id = n.sensor_id and f.metric = n.metric and f.measured_at = n.measured_at;

create or replace temp table touched_sensor_days as
select distinct sensor_id, metric, day,
from reading_plan
where action in ('new', 'changed');
