-- Emerging issues: category × district days whose volume jumps above its own recent normal.
-- grain: day × category × district. params: $start, $end (timestamptz); $district, $domain, $category, $kind (text or null).
-- n(d) = items received on day d; baseline = median and MAD of n over the previous 28 days (days without items
-- count as 0); z = (n − median) ÷ max(1.4826 × MAD, 1) (the floor: one item). Flagged when z ≥ 3 and n ≥ 5.
with daily as (
    select day, category, district_code, any_value(domain) as domain, cast(sum(received) as bigint) as n,
    from agg_complaints_daily
    where day >= cast($start as date) - 28 and day < cast($end as date)
      and district_code is not null and category is not null
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by day, category, district_code
),
candidates as (
    select distinct category, district_code, from daily where n >= 5 and day >= cast($start as date)
),
spine as (
    select c.category, c.district_code, cast(d.day as date) as day, coalesce(x.n, 0) as n, x.domain,
    from candidates as c
    cross join generate_series(cast($start as date) - 28, cast($end as date) - 1, interval 1 day) as d(day)
    left join daily as x on x.category = c.category and x.district_code = c.district_code and x.day = cast(d.day as date)
),
scored as (
    select *,
        median(n) over prior as baseline,
        mad(n) over prior as mad,
    from spine
    -- the spine has one row per day, so 28 rows back are the 28 days before; a row frame is 2.5 × faster than the
    -- same range of days over five years (city tier: 1.7 → 0.7 s; a year 262 → 165 ms), with the same rows
    window prior as (partition by category, district_code order by day rows between 28 preceding and 1 preceding)
)
select
    s.day,
    s.category,
    s.domain,
    s.district_code,
    d.name_ko,
    d.name_en,
    s.n as received,
    s.baseline,
    s.mad,
    (s.n - s.baseline) / greatest(1.4826 * s.mad, 1) as z,
from scored as s
left join dim_district as d on d.district_code = s.district_code
where s.day >= cast($start as date) and s.n >= 5 and (s.n - s.baseline) / greatest(1.4826 * s.mad, 1) >= 3
order by s.day desc, z desc, s.category, s.district_code
