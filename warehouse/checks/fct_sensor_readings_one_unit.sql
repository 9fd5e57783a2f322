-- fct_sensor_readings: each metric is stored in exactly one unit (the catalogue's).
select metric, count(distinct unit) as units from fct_sensor_readings group by metric having count(distinct unit) > 1
