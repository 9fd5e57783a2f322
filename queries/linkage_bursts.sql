-- Complaint bursts and whether a sensor saw them: a blind spot is a burst with no matching sensor episode.
-- grain: category × district × burst. params: $start, $end (timestamptz); $window_hours (integer);
-- $district, $domain, $category, $kind (text or null).
-- Per category × district, three-day count s(d) = items received on d − 2, d − 1 and d (three calendar days hold any
-- 48 hours); expected = 3 × the largest of: the cell's mean daily count over d − 30 … d − 3 (28 days, none overlapping
-- d's window), the city's mean daily count of the category over those days × the district's share of the population,
-- and 1 ÷ 28 (one item in 28 days). Day d of the period is a burst day when s(d) ≥ 4 and a Poisson count with that
-- expectation reaches s(d) with probability p < 0.00001; days in the first 30 days of the warehouse's complaints are
-- not judged (no history). Consecutive burst days are one burst; its items are those of its three-day windows.
-- sensor_seen = an episode of the category's link in the district overlapping [first item − window, last item];
-- sensor_in_district = the district has a sensor of that link's signal metric.
with daily as (
    select day, category, district_code, cast(sum(received) as bigint) as n,
    from agg_complaints_daily
    where day >= cast($start as date) - 32 and day < cast($end as date)
      and district_code is not null and category is not null
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by all
),
cells as (
    select distinct category, district_code, from daily
),
spine as (
    select c.category, c.district_code, cast(d.day as date) as day, coalesce(x.n, 0) as n,
    from cells as c
    cross join generate_series(cast($start as date) - 32, cast($end as date) - 1, interval 1 day) as d(day)
    left join daily as x on x.category = c.category and x.district_code = c.district_code and x.day = cast(d.day as date)
),
three_day as (
    select *, sum(n) over (partition by category, district_code order by day rows between 2 preceding and current row) as s,
    from spine
),
city_daily as (
    select day, category, cast(sum(received) as bigint) as n,
    from agg_complaints_daily
    where day >= cast($start as date) - 32 and day < cast($end as date) and category is not null
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by all
),
city_rate as (
    select c.category, cast(d.day as date) as day,
        avg(coalesce(x.n, 0)) over (partition by c.category order by cast(d.day as date)
                                    range between interval 30 days preceding and interval 3 days preceding) as rate,
    from (select distinct category from cells) as c
    cross join generate_series(cast($start as date) - 32, cast($end as date) - 1, interval 1 day) as d(day)
    left join city_daily as x on x.category = c.category and x.day = cast(d.day as date)
),
shares as (
    select district_code, population / sum(population) over () as share, from dim_district
),
history as (
    select t.*,
        3 * greatest(
            avg(t.n) over (partition by t.category, t.district_code order by t.day
                           range between interval 30 days preceding and interval 3 days preceding),
            coalesce(r.rate * sh.share, 0),
            1.0 / 28) as expected,
    from three_day as t
    left join city_rate as r on r.category = t.category and r.day = t.day
    left join shares as sh on sh.district_code = t.district_code
),
burst_days as (
    select h.category, h.district_code, h.day, h.s, h.expected,
        greatest(1 - sum(exp(k.k * ln(h.expected) - h.expected - lgamma(k.k + 1))), 0) as p,
    from history as h
    join range(0, 100000) as k(k) on k.k < h.s
    where h.day >= cast($start as date) and h.s >= 4
      and h.day >= (select min(day) + 30 from agg_complaints_daily)
    group by all
    having greatest(1 - sum(exp(k.k * ln(h.expected) - h.expected - lgamma(k.k + 1))), 0) < 0.00001
),
runs as (
    select *, day - cast(row_number() over (partition by category, district_code order by day) as integer) as run_key,
    from burst_days
),
bursts as (
    select category, district_code, min(day) - 2 as first_day, max(day) as last_day,
        cast(max(s) as bigint) as peak_three_day, arg_min(expected, p) as expected, min(p) as p,
    from runs
    group by category, district_code, run_key
),
items as (
    select b.category, b.district_code, b.first_day, count(*) as items, min(f.requested_at) as first_at,
        max(f.requested_at) as last_at,
    from bursts as b
    join fct_complaints as f
        on f.category = b.category and f.district_code = b.district_code
        and f.requested_at >= cast(b.first_day as timestamptz) and f.requested_at < cast(b.last_day + 1 as timestamptz)
        and ($kind is null or f.kind = $kind)
    group by all
),
links as (
    select category, any_value(link) as link, any_value(metric) as metric, from dim_linkage where role = 'signal' group by category
)
select
    b.category,
    b.district_code,
    d.name_ko,
    d.name_en,
    b.first_day,
    b.last_day,
    i.items,
    i.first_at,
    i.last_at,
    b.peak_three_day,
    b.expected,
    b.p,
    l.link,
    l.link is not null and exists (
        select 1 from agg_sensor_daily as a join dim_sensor as s on s.sensor_id = a.sensor_id
        where a.metric = l.metric and s.district_code = b.district_code
    ) as sensor_in_district,
    exists (
        select 1 from agg_anomaly_episodes as e
        where e.link = l.link and e.district_code = b.district_code
          and e.started_at <= i.last_at and e.ended_at > i.first_at - to_hours(cast($window_hours as bigint))
    ) as sensor_seen,
from bursts as b
join items as i on i.category = b.category and i.district_code = b.district_code and i.first_day = b.first_day
left join links as l on l.category = b.category
left join dim_district as d on d.district_code = b.district_code
order by b.last_day desc, i.items desc, b.category, b.district_code
