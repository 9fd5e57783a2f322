-- Backlog: complaints still open at as_of, by whole days open (0–7, 8–14, 15–30, 31–90, >90).
-- grain: age bucket (all five, zero where empty). params: $as_of; $district, $domain, $category, $kind
-- (text or null). The period does not apply: the backlog is everything open now.
-- Durations in whole seconds are epoch_us(b) // 1000000 - epoch_us(a) // 1000000: date_diff('second', a, b) for
-- instants after 1970, without ICU's calendar arithmetic (2-4 x faster over a year of complaints).
with open_items as (
    select floor((epoch_us(cast($as_of as timestamptz)) // 1000000 - epoch_us(requested_at) // 1000000) / 86400.0) as days_open,
    from fct_complaints
    where status != 'closed' and requested_at <= $as_of
      and ($district is null or district_code = $district)
      and ($domain is null or domain = $domain)
      and ($category is null or category = $category)
      and ($kind is null or kind = $kind)
),
bucketed as (
    select
        case when days_open <= 7 then 1 when days_open <= 14 then 2 when days_open <= 30 then 3
             when days_open <= 90 then 4 else 5 end as bucket_order,
    from open_items
),
buckets as (
    select * from (values (1, '0–7'), (2, '8–14'), (3, '15–30'), (4, '31–90'), (5, '>90')) as b(bucket_order, bucket)
)
select b.bucket_order, b.bucket, count(o.bucket_order) as open_items,
from buckets as b
left join bucketed as o using (bucket_order)
group by all
order by b.bucket_order
