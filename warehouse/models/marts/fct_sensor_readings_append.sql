-- fct_sensor_readings (append, one year file): the batch's readings of local year $year into the year file
-- attached as {part}. Append only runs when none of them is stored yet and no key repeats in the batch
-- (sensor_load.merge checks both), so there is nothing to compare. Written in time order, so that the period
-- predicates of the pages skip other row groups (zone maps): {order_by} sorts them by time, unless they landed in
-- time order already (then it is empty and the landing's order stands). params: $year_from, $year_to (the local
-- year's first instant and the next year's).
insert into {part}.fct_sensor_readings
select sensor_id, metric, measured_at, value, unit, quality,
from stg_sensor_readings
where measured_at >= $year_from and measured_at < $year_to
{order_by}
