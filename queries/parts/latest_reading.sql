-- A part (see queries/__init__.py): the time of the latest reading, as a scalar subquery. It is looked for only in
-- the latest hour of the latest day the rollups hold (the data checks keep their days and the readings' the same), so
-- the scan skips every other row group instead of reading them all. Used by as_of and freshness.
(select max(measured_at) from fct_sensor_readings
 where measured_at >= (select max(hour) from agg_sensor_hourly where day = (select max(day) from agg_sensor_daily)))
