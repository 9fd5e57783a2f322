-- A part of a WITH list (see queries/__init__.py), ending in a comma: `last_day` and `latest`, the last hour at or
-- before $as_of of each sensor × metric of the including query's `sensors` CTE, from the rollups only (not every hour
-- of history). Used by sensor_status and latest_readings.
last_day as (
    -- the last whole day before as_of's day with readings, from the daily rollup (not every hour of history)
    select sensor_id, metric, max(day) as day,
    from agg_sensor_daily
    semi join sensors using (sensor_id)
    where day < cast($as_of as date)
    group by all
),
latest as (
    -- the last hour at or before as_of: on as_of's own day, else on that last day
    select sensor_id, metric, max(last_hour) as last_hour,
    from (
        select h.sensor_id, h.metric, max(h.hour) as last_hour,
        from agg_sensor_hourly as h
        join last_day as d on d.sensor_id = h.sensor_id and d.metric = h.metric and d.day = h.day
        where h.day >= (select min(day) from last_day)  -- implied by the join: lets the scan skip older row groups
        group by all
        union all
        select sensor_id, metric, max(hour) as last_hour,
        from agg_sensor_hourly
        semi join sensors using (sensor_id)
        where day = cast($as_of as date) and hour <= $as_of
        group by all
    )
    group by all
),
