-- Reporters by how many items they submitted in the period (1, 2, 3–4, 5–9, 10+), with each bucket's share.
-- grain: submissions bucket (all five, zero where empty). params: $start, $end (timestamptz);
-- $district, $domain, $category, $kind (text or null). Items without a reporter key are not counted.
with per_reporter as (
    select reporter_key, count(*) as n,
    from fct_complaints
    where reporter_key is not null
      and requested_at >= $start and requested_at < $end
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
    group by reporter_key
),
bucketed as (
    select case when n = 1 then 1 when n = 2 then 2 when n <= 4 then 3 when n <= 9 then 4 else 5 end as bucket_order,
    from per_reporter
),
buckets as (
    select * from (values (1, '1'), (2, '2'), (3, '3–4'), (4, '5–9'), (5, '10+')) as b(bucket_order, bucket)
)
select
    b.bucket_order,
    b.bucket,
    count(o.bucket_order) as reporters,
    count(o.bucket_order) / nullif(sum(count(o.bucket_order)) over (), 0) as share,
from buckets as b
left join bucketed as o using (bucket_order)
group by all
order by b.bucket_order
