-- Does the sensor signal lead the complaints? Pearson r of the hourly episode indicator of a link and its hourly
-- complaints shifted by 0–48 hours, for a district or the city.
-- grain: lag (hours, 0–48). params: $start, $end (timestamptz); $link (text); $district, $kind (text or null).
-- x(t) = 1 when hour t lies in an episode of the link (in the district; any district when none is chosen), else 0;
-- y(t) = items of the link's categories received in hour t. r(lag) over the hours t with t and t + lag in [start, end);
-- null when either series is constant (no episode or no complaint). n = hours paired, episode_hours = Σx.
with hours as (
    select unnest(generate_series($start, $end - interval 1 hour, interval 1 hour)) as hour
),
episode_hours as (
    select distinct h.hour,
    from hours as h
    join agg_anomaly_episodes as e
        on h.hour >= e.started_at and h.hour < e.ended_at
    where e.link = $link
      and ($district is null or e.district_code = $district)
),
complaints as (
    select date_trunc('hour', requested_at) as hour, count(*) as n,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and category in (select category from dim_linkage where link = $link)
      and ($district is null or district_code = $district)
      and ($kind is null or kind = $kind)
    group by all
),
series as (
    select h.hour, cast(e.hour is not null as integer) as x, coalesce(c.n, 0) as y,
    from hours as h
    left join episode_hours as e on e.hour = h.hour
    left join complaints as c on c.hour = h.hour
),
lags as (
    select unnest(range(0, 49)) as lag
)
select
    l.lag,
    case when var_pop(a.x) > 0 and var_pop(b.y) > 0 then corr(a.x, b.y) end as r,
    count(*) as n,
    cast(sum(a.x) as bigint) as episode_hours,
    cast(sum(a.x * b.y) as bigint) as complaints_in_lagged_episodes,
from lags as l
join series as a on true
join series as b on b.hour = a.hour + to_hours(l.lag)
group by l.lag
order by l.lag
