-- Participation per district for the period: items received, distinct reporters, and both per 1,000 residents.
-- grain: district_code (every district of dim_district, zero where nothing was received).
-- params: $start, $end (timestamptz); $district, $domain, $category, $kind (text or null).
-- population = 2022 electorate (18+); the per-1,000 columns are null where the population is missing.
-- Items without a district, or with one outside dim_district, are not in any row.
with received as (
    select district_code, count(*) as received, count(distinct reporter_key) as participants,
    from fct_complaints
    where requested_at >= $start and requested_at < $end
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by district_code
)
select
    d.district_code,
    d.name_ko,
    d.name_en,
    d.population,
    coalesce(r.received, 0) as received,
    coalesce(r.participants, 0) as participants,
    coalesce(r.participants, 0) * 1000.0 / nullif(d.population, 0) as participants_per_1000,
    coalesce(r.received, 0) * 1000.0 / nullif(d.population, 0) as received_per_1000,
from dim_district as d
left join received as r using (district_code)
where $district is null or d.district_code = $district
order by participants_per_1000 desc nulls last, received_per_1000 desc nulls last, d.district_code
