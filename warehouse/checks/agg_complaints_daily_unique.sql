-- agg_complaints_daily: one row per day × district × domain × category × kind × channel.
select day, district_code, domain, category, kind, channel, count(*) as n from agg_complaints_daily
group by all having count(*) > 1
