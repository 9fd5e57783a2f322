-- The warehouse's "now": the latest timestamp it holds, so a demo never ages.
-- grain: one row. params: none.
-- The latest reading is looked for only in the latest hour of the latest day the rollups hold (the data checks keep
-- their days and the readings' the same): the scan then skips every other row group instead of reading them all.
select greatest(
    (select max(greatest(requested_at, coalesce(first_response_at, requested_at), coalesce(closed_at, requested_at)))
     from fct_complaints),
    (select max(measured_at) from fct_sensor_readings
     where measured_at >= (select max(hour) from agg_sensor_hourly where day = (select max(day) from agg_sensor_daily)))
) as as_of
