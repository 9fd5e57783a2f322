-- Distinct reporters active each month of the period, split into new (the month holds their first item ever
-- in the warehouse, whatever its kind, district or date) and returning (their first item is in an earlier month).
-- grain: month (local calendar month, as a date; months with no reporter are left out).
-- params: $start, $end (timestamptz); $district, $domain, $category, $kind (text or null): these select the
-- activity; "first ever" ignores them. Items without a reporter key are not counted.
with first_seen as (
    select reporter_key, cast(date_trunc('month', min(requested_at)) as date) as first_month,
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
)
select
    a.month,
    count(*) filter (where f.first_month = a.month) as new_reporters,
    count(*) filter (where f.first_month < a.month) as returning_reporters,
    count(*) as active_reporters,
from active as a
join first_seen as f using (reporter_key)
group by a.month
order by a.month
