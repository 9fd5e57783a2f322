-- One link's complaints and its sensors' readings on one time axis, per hour or per day, for a district or the city.
-- grain: bucket ($grain: 'hour' or 'day', local time) in [start, end). params: $start, $end (timestamptz), $link,
-- $grain (text); $district, $kind (text or null).
-- complaints = items of the link's categories received in the bucket; signal / context = the mean of the good
-- readings of the link's signal metric / first context metric over the district's sensors (null: no reading).
with settings as (
    select
        any_value(metric) filter (where role = 'signal') as signal_metric,
        min(metric) filter (where role = 'context') as context_metric,
    from dim_linkage
    where link = $link
),
buckets as (
    select unnest(generate_series(
        date_trunc($grain, $start), $end - interval 1 second,
        case when $grain = 'hour' then interval 1 hour else interval 1 day end
    )) as bucket
),
complaints as (
    select date_trunc($grain, requested_at) as bucket, count(*) as complaints,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and category in (select category from dim_linkage where link = $link)
      and ($district is null or district_code = $district)
      and ($kind is null or kind = $kind)
    group by all
),
readings as (
    select
        date_trunc($grain, h.hour) as bucket,
        sum(h.value_sum) filter (where h.metric = st.signal_metric) / nullif(sum(h.n) filter (where h.metric = st.signal_metric), 0)
            as signal,
        sum(h.value_sum) filter (where h.metric = st.context_metric) / nullif(sum(h.n) filter (where h.metric = st.context_metric), 0)
            as context,
    from agg_sensor_hourly as h
    cross join settings as st
    join dim_sensor as s on s.sensor_id = h.sensor_id
    where h.hour >= $start and h.hour < $end
      and h.metric in (st.signal_metric, st.context_metric)
      and ($district is null or s.district_code = $district)
    group by all
)
select
    b.bucket,
    coalesce(c.complaints, 0) as complaints,
    r.signal,
    r.context,
    st.signal_metric,
    st.context_metric,
from buckets as b
cross join settings as st
left join complaints as c on c.bucket = b.bucket
left join readings as r on r.bucket = b.bucket
order by b.bucket
