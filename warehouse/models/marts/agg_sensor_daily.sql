-- agg_sensor_daily: the touched days rolled up from agg_sensor_hourly.
-- grain: sensor_id × metric × day (local). params: none.
delete from agg_sensor_daily as a
using touched_sensor_days as t
where a.sensor_id = t.sensor_id and a.metric = t.metric and a.day = t.day;

insert into agg_sensor_daily
select
    h.sensor_id,
    h.metric,
    h.day,
    sum(h.n) as n,
    sum(h.n_flagged) as n_flagged,
    cast(sum(cast(h.value_sum as decimal(38, 6))) as double) as value_sum,
    cast(sum(cast(h.value_sum as decimal(38, 6))) as double) / nullif(sum(h.n), 0) as mean,
    min(h.min) as min,
    max(h.max) as max,
from agg_sensor_hourly as h
semi join touched_sensor_days as t on t.sensor_id = h.sensor_id and t.metric = h.metric and t.day = h.day
group by all
order by h.day, h.sensor_id, h.metric;
