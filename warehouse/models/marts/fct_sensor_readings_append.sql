-- fct_sensor_readings (append, one year file): the batch's readings of local year $year into the year file
-- attached as {part}. Append only runs when none of them is stored yet and no key repeats in the batch
-- (sensor_load.merge checks both), so there is nothing to compare. Each row group holds a short span of time, so
-- that the period predicates of the pages skip the others (zone maps): {order_by} sorts the readings by time,
-- unless they landed in time order already (then it is empty: DuckDB's parallel insert keeps runs of the landing's
-- order, in whole row groups). params: $year_from, $year_to (the local year's first instant and the next year's).
insert into {part}.fct_sensor_readings
select sensor_id, metric, measured_at, value, unit, quality,
from stg_sensor_readings
where measured_at >= $year_from and measured_at < $year_to
{order_by}
