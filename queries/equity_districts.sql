-- Equity across districts: who is heard (participation per 1,000 residents) and who is served (median days to close).
-- grain: district_code (every reference district). params: $start, $end (timestamptz); $domain, $category, $kind
-- (text or null).
-- participation = distinct reporters ÷ population × 1,000 (received items instead when no item of the period has
-- a reporter key: basis = 'items'). City values over every item with a district.
-- under_heard = participation below half the city's; under_served = median days to close above 1.5 × the city's.
-- Durations in whole seconds are epoch_us(b) // 1000000 - epoch_us(a) // 1000000: date_diff('second', a, b) for
-- instants after 1970, without ICU's calendar arithmetic (2-4 x faster over a year of complaints).
with received as (
    select district_code, reporter_key, status, requested_at, closed_at,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and district_code is not null
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
),
basis as (
    select case when count(reporter_key) > 0 then 'reporters' else 'items' end as basis, from received
),
per_district as (
    select
        district_code,
        count(distinct reporter_key) as reporters,
        count(*) as received,
        count(*) filter (where status = 'closed') as closed,
        median((epoch_us(closed_at) // 1000000 - epoch_us(requested_at) // 1000000) / 86400.0)
            filter (where status = 'closed' and closed_at >= requested_at) as median_days_to_close,
    from received
    group by all
),
city as (
    select
        (case when (select basis from basis) = 'reporters' then count(distinct reporter_key) else count(*) end)
            * 1000.0 / nullif((select sum(population) from dim_district), 0) as city_participation_per_1000,
        median((epoch_us(closed_at) // 1000000 - epoch_us(requested_at) // 1000000) / 86400.0)
            filter (where status = 'closed' and closed_at >= requested_at) as city_median_days_to_close,
    from received
),
rows as (
    select
        d.district_code,
        d.name_ko,
        d.name_en,
        d.population,
        coalesce(p.reporters, 0) as reporters,
        coalesce(p.received, 0) as received,
        coalesce(p.closed, 0) as closed,
        (case when b.basis = 'reporters' then coalesce(p.reporters, 0) else coalesce(p.received, 0) end)
            * 1000.0 / nullif(d.population, 0) as participation_per_1000,
        p.median_days_to_close,
        b.basis,
        c.city_participation_per_1000,
        c.city_median_days_to_close,
    from dim_district as d
    cross join basis as b
    cross join city as c
    left join per_district as p on p.district_code = d.district_code
)
select *,
    participation_per_1000 < 0.5 * city_participation_per_1000 as under_heard,
    coalesce(median_days_to_close > 1.5 * city_median_days_to_close, false) as under_served,
from rows
order by district_code
