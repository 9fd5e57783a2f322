-- One sensor × metric over the period, day by day (mean, min, max of good readings), for long periods.
-- grain: day (local). params: $sensor_id, $metric (text); $start, $end (timestamptz).
-- Days with no good reading (n = 0) are left out.
select
    day as t,
    mean,
    min,
    max,
    n,
from agg_sensor_daily
where sensor_id = $sensor_id and metric = $metric
  and day >= cast($start as date) and day < cast($end as date)
  and n > 0
order by day
