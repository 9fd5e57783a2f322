-- Retention by monthly cohort for investors. Cohort = the month of a reporter's first item ever in the warehouse;
-- its members are those also active (under the filters) in that month. retention at month_offset k = members
-- active in cohort + k months ÷ cohort size. Only months inside [start, end) appear, so offsets stop at end.
-- Small groups suppressed: a cohort of under 5 has cohort_size, retained and retention null; a cell with under
-- 5 retained has retained and retention null; suppressed is true for both (shown as "<5").
-- grain: cohort × month_offset (every cohort month in the window, offsets 0 … up to the window's last month).
-- params: $start, $end (timestamptz, month starts); $district, $domain, $category, $kind (text or null).
with first_seen as (
    select reporter_key, cast(date_trunc('month', min(requested_at)) as date) as cohort,
    from fct_complaints
    where reporter_key is not null
    group by reporter_key
),
active as (
    select distinct reporter_key, cast(date_trunc('month', requested_at) as date) as month,
    from fct_complaints
    where reporter_key is not null
      and requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
),
members as (
    select f.reporter_key, f.cohort,
    from first_seen as f
    join active as a on a.reporter_key = f.reporter_key and a.month = f.cohort
),
months as (
    select cast(range as date) as month, from range(cast($start as date), cast($end as date), interval 1 month)
),
grid as (
    select c.month as cohort, m.month, date_diff('month', c.month, m.month) as month_offset,
    from months as c
    join months as m on m.month >= c.month
),
sizes as (
    select cohort, count(*) as n, from members group by cohort
),
cells as (
    select g.cohort, g.month_offset, coalesce(s.n, 0) as n, count(a.reporter_key) as retained,
    from grid as g
    left join sizes as s using (cohort)
    left join members as mb on mb.cohort = g.cohort
    left join active as a on a.reporter_key = mb.reporter_key and a.month = g.month
    group by all
)
select
    cohort,
    month_offset,
    case when n >= 5 then n end as cohort_size,
    case when n >= 5 and retained >= 5 then retained end as retained,
    case when n >= 5 and retained >= 5 then retained / n end as retention,
    not (n >= 5 and retained >= 5) as suppressed,
from cells
order by cohort, month_offset
