-- Complaint categories with their domain and volume, for the category picker.
-- grain: domain × category. params: $domain (text or null).
select domain, category, sum(received) as received,
from agg_complaints_daily
where category is not null
  and ($domain is null or domain = $domain)
group by all
order by received desc
