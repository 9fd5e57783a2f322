-- One sensor × metric over the period, hour by hour (mean, min, max of good readings), for the time series.
-- grain: hour. params: $sensor_id, $metric (text); $start, $end, $as_of (timestamptz).
-- Hours with no good reading (n = 0) are left out, so gaps show as gaps.
select
    hour as t,
    mean,
    min,
    max,
    n,
from agg_sensor_hourly
where sensor_id = $sensor_id and metric = $metric
  and hour >= $start and hour < $end and hour <= $as_of
  and n > 0
order by hour
