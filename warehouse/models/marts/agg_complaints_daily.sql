-- agg_complaints_daily: recompute only the days the batch touched.
-- grain: day × district_code × domain × category × kind × channel. params: none.
-- sums are taken over whole seconds (integers) so that a parallel build adds them up to the same bytes.
-- durations exclude rows flagged closed_before_requested; on_time/late compare closed_at with due_at.
-- Durations in whole seconds are epoch_us(b) // 1000000 - epoch_us(a) // 1000000: date_diff('second', a, b) for
-- instants after 1970, without ICU's calendar arithmetic (2-4 x faster over a year of complaints).
delete from agg_complaints_daily where day in (select day from touched_complaint_days);

insert into agg_complaints_daily
select
    cast(requested_at as date) as day,
    district_code,
    domain,
    category,
    kind,
    channel,
    count(*) as received,
    count(*) filter (where status = 'closed') as closed,
    count(*) filter (where status = 'closed' and closed_at >= requested_at) as duration_n,
    sum(epoch_us(closed_at) // 1000000 - epoch_us(requested_at) // 1000000)
        filter (where status = 'closed' and closed_at >= requested_at) / 86400.0 as duration_days_sum,
    count(*) filter (where first_response_at >= requested_at) as first_response_n,
    sum(epoch_us(first_response_at) // 1000000 - epoch_us(requested_at) // 1000000)
        filter (where first_response_at >= requested_at) / 3600.0 as first_response_hours_sum,
    count(*) filter (where status = 'closed' and closed_at <= due_at) as on_time,
    count(*) filter (where status = 'closed' and closed_at > due_at) as late,
    count(satisfaction) as satisfaction_n,
    sum(satisfaction) as satisfaction_sum,
    sum(votes) filter (where kind = 'proposal') as votes_sum,
    count(adopted) filter (where kind = 'proposal') as proposals_decided,
    count(*) filter (where kind = 'proposal' and adopted) as proposals_adopted,
from fct_complaints
where requested_at >= (select cast(min(day) as timestamptz) from touched_complaint_days)
  and requested_at < (select cast(max(day) + 1 as timestamptz) from touched_complaint_days)
  and cast(requested_at as date) in (select day from touched_complaint_days)
group by all
order by day;
