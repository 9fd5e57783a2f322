-- fct_sensor_readings: keys, value and unit are never null; every sensor is in dim_sensor.
select sensor_id, metric, measured_at from fct_sensor_readings
where sensor_id is null or metric is null or measured_at is null or value is null or unit is null
   or sensor_id not in (select sensor_id from dim_sensor)
