-- agg_sensor_anomalies: the anomalous hours of every linked signal metric (data/linkage.toml → dim_linkage).
-- grain: sensor_id × metric × hour, anomalous hours only. params: none.
-- Recomputed for the sensor × metric days the batch touched and the 35 days after them, whose baselines those days
-- may be part of; the 35 days before are read for the baselines.
-- baseline = median, MAD = median absolute deviation of the hourly means at the same hour of day on the previous
-- 20 business days, or for a weekend or holiday the previous 8 days off (dim_calendar): about four weeks either way
-- (a fixed count of days is also twice as fast as a 28-day range); at least 3 of them are needed.
-- scale = max(1.4826 × MAD, min_scale, min_share × |baseline|); z = (value − baseline) ÷ scale.
-- Anomalous: z ≥ 3 for direction high, z ≤ −3 for low; for a metric with a level, at or beyond the level instead.
-- Frozen readings (6+ consecutive hours with one non-zero value) are a sensor fault, not an event: they are
-- neither tested nor used in baselines. Repeated zeros stay (a power outage reads 0 for hours).
create or replace temp table anomaly_scope as
select t.sensor_id, t.metric, min(t.day) as first_day, max(t.day) + 35 as last_day,
    -- the windows below partition by this number instead of the two texts: a year's batch 3.6 -> 3.0 s
    cast(row_number() over () as integer) as k,
from touched_sensor_days as t
where t.metric in (select metric from dim_linkage where role = 'signal')
group by all;

delete from agg_sensor_anomalies as a
using anomaly_scope as s
where a.sensor_id = s.sensor_id and a.metric = s.metric and a.day between s.first_day and s.last_day;

insert into agg_sensor_anomalies
with settings as (
    select distinct metric, direction, min_scale, min_share, level,
    from dim_linkage
    where role = 'signal'
),
hourly as (
    select h.sensor_id, h.metric, h.hour, h.day, h.mean as value, hour(h.hour) as hour_of_day, c.is_business,
        s.first_day, s.last_day, s.k,
    from agg_sensor_hourly as h
    join anomaly_scope as s on s.sensor_id = h.sensor_id and s.metric = h.metric
    join dim_calendar as c on c.day = h.day
    where h.day between s.first_day - 35 and s.last_day and h.mean is not null
),
steps as (
    select *,
        case
            when value = lag(value) over by_time and hour = lag(hour) over by_time + interval 1 hour then 0
            else 1
        end as new_run,
    from hourly
    window by_time as (partition by k order by hour)
),
runs as (
    select *, sum(new_run) over (partition by k order by hour) as run_no,
    from steps
),
usable as (
    select *,
    from runs
    qualify not (value != 0 and count(*) over (partition by k, run_no) >= 6)
),
business_days as (
    select *,
        list(value) over prior as prior_values,
    from usable
    where is_business
    window prior as (partition by k, hour_of_day order by hour rows between 20 preceding and 1 preceding)
),
days_off as (
    select *,
        list(value) over prior as prior_values,
    from usable
    where not is_business
    window prior as (partition by k, hour_of_day order by hour rows between 8 preceding and 1 preceding)
),
baselines as (
    select * from business_days
    union all by name
    select * from days_off
),
-- The windows gather each hour's prior values, and medians and MADs are worked out only for the hours in scope:
-- the 35 days before are read only to be baselines, and a day's batch reads 36 days (a day 0.27 -> 0.21 s).
in_scope as (
    select * exclude (prior_values),
        list_aggregate(prior_values, 'median') as baseline,
        list_aggregate(prior_values, 'mad') as mad,
        coalesce(len(prior_values), 0) as n_baseline,
    from baselines
    where day between first_day and last_day
),
scored as (
    select b.*, st.direction, st.level,
        greatest(1.4826 * b.mad, coalesce(st.min_scale, 0), coalesce(st.min_share, 0) * abs(b.baseline)) as scale,
    from in_scope as b
    join settings as st on st.metric = b.metric
)
select
    sensor_id,
    metric,
    hour,
    day,
    value,
    baseline,
    scale,
    (value - baseline) / nullif(scale, 0) as z,
    n_baseline,
from scored
where case
    when level is not null then (direction = 'high' and value >= level) or (direction = 'low' and value <= level)
    when n_baseline < 3 or scale <= 0 then false
    when direction = 'high' then (value - baseline) / scale >= 3
    else (value - baseline) / scale <= -3
end
order by hour, sensor_id, metric;
