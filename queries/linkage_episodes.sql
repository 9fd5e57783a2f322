-- Sensor anomaly episodes that started in the period, with the first citizen report in their district and link.
-- grain: district × link × episode. params: $start, $end, $as_of (timestamptz); $window_hours (integer);
-- $district, $link, $kind (text or null).
-- A report = an item of the link's categories in the episode's district received from the episode's start to
-- its end + $window_hours. lead_hours = first report − started_at. status: reported; silent = no report and the
-- window is over at as_of; waiting = no report yet, window still open.
with episodes as (
    select e.*,
    from agg_anomaly_episodes as e
    where e.started_at >= $start and e.started_at < $end
      and ($district is null or e.district_code = $district)
      and ($link is null or e.link = $link)
),
reports as (
    select e.district_code, e.link, e.started_at, min(f.requested_at) as first_report_at, count(*) as reports,
    from episodes as e
    join dim_linkage as l on l.link = e.link and l.role = 'signal'
    join fct_complaints as f
        on f.category = l.category
        and f.district_code = e.district_code
        and f.requested_at >= e.started_at
        and f.requested_at <= e.ended_at + to_hours(cast($window_hours as bigint))
        and ($kind is null or f.kind = $kind)
    group by all
)
select
    e.district_code,
    d.name_ko,
    d.name_en,
    e.link,
    e.metric,
    e.started_at,
    e.ended_at,
    e.hours,
    e.sensors,
    e.peak_value,
    e.peak_z,
    r.first_report_at,
    coalesce(r.reports, 0) as reports,
    date_diff('second', e.started_at, r.first_report_at) / 3600.0 as lead_hours,
    case
        when r.first_report_at is not null then 'reported'
        when e.ended_at + to_hours(cast($window_hours as bigint)) <= $as_of then 'silent'
        else 'waiting'
    end as status,
from episodes as e
left join reports as r on r.district_code = e.district_code and r.link = e.link and r.started_at = e.started_at
left join dim_district as d on d.district_code = e.district_code
order by e.started_at, e.district_code, e.link
