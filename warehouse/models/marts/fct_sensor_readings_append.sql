-- fct_sensor_readings (append, one year file): the batch's readings of local year $year into the year file
-- attached as {part}. Append only runs when none of them is stored yet and no key repeats in the batch
-- (sensor_load.merge checks both), so there is nothing to compare. Written in time order, so that the period
-- predicates of the pages skip other row groups (zone maps); ordering by time alone costs little on a file that
-- already is. params: $year_from, $year_to (the local year's first instant and the next year's).
insert into {part}.fct_sensor_readings
select sensor_id, metric, measured_at, value, unit, quality,
from stg_sensor_readings
where measured_at >= $year_from and measured_at < $year_to
order by measured_at
