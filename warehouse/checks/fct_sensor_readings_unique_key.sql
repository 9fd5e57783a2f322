-- fct_sensor_readings: one reading per sensor × metric × measured_at.
select sensor_id, metric, measured_at, count(*) as n from fct_sensor_readings
group by all having count(*) > 1
