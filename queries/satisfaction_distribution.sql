-- Satisfaction ratings (1–5) given to items received in the period, with each rating's share of all ratings.
-- grain: rating (all five, zero where none). params: $start, $end (timestamptz);
-- $district, $domain, $category, $kind (text or null). Mean and response rate: kpi_headline.sql.
with rated as (
    select satisfaction as rating,
    from fct_complaints
    where satisfaction is not null
      and requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
)
select
    r.rating,
    count(x.rating) as rated,
    count(x.rating) / nullif(sum(count(x.rating)) over (), 0) as share,
from range(1, 6) as r(rating)
left join rated as x on x.rating = r.rating
group by r.rating
order by r.rating
