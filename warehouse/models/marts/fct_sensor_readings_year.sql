-- fct_sensor_readings (merge, one year file): apply the batch's plan to the readings of local year $year,
-- stored in the year file attached as {part} (warehouse/partitions.py). params: $year.
delete from {part}.fct_sensor_readings as f
using (select * from reading_plan where action = 'changed' and year(day) = $year) as p
where f.measured_at >= (select min(measured_at) from reading_plan where action = 'changed')
  and f.measured_at <= (select max(measured_at) from reading_plan where action = 'changed')
  and f.sensor_id = p.sensor_id and f.metric = p.metric and f.measured_at = p.measured_at;

insert into {part}.fct_sensor_readings
select sensor_id, metric, measured_at, value, unit, quality,
from reading_plan
where action in ('new', 'changed') and year(day) = $year
order by measured_at, sensor_id, metric;
