-- Data freshness per dataset: when it was last loaded and the latest record it holds.
-- grain: dataset. params: none.
-- The latest reading: in the latest hour of the latest day of the rollups, as in queries/as_of.sql.
select
    dataset,
    max(finished_at) as loaded_at,
    count(*) as batches,
    case
        when dataset = 'complaints' then (select max(requested_at) from fct_complaints)
        else (select max(measured_at) from fct_sensor_readings
              where measured_at >= (select max(hour) from agg_sensor_hourly where day = (select max(day) from agg_sensor_daily)))
    end as latest_record,
from load_batches
where status = 'ok'
group by dataset
order by dataset
