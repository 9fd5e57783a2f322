-- fct_complaints: merge the landed batch. Last row per id wins inside the batch; a row older than the
-- stored version (by updated_at) never overwrites it; an identical row changes nothing.
-- due_at: the source's, else requested_at + the statutory days for the kind (working days, first day
-- counted, Saturdays and public holidays excluded, due at the end of that day). params: $batch_id.
create or replace temp table incoming as
select * exclude (rn)
from (
    select *, row_number() over (partition by complaint_id order by file_index desc, line desc) as rn,
    from stg_complaints
)
where rn = 1;

create or replace temp table incoming_due as
select
    i.* exclude (due_at_source),
    coalesce(
        i.due_at_source,
        case
            when sla.calendar = 'business' and due_day.day is not null then cast(due_day.day + 1 as timestamptz)
            when sla.days is not null then i.requested_at + to_days(sla.days)
        end
    ) as due_at,
from incoming as i
left join sla_days as sla on sla.kind = i.kind
left join dim_calendar as start_day on start_day.day = cast(i.requested_at as date)
left join dim_calendar as due_day
    on due_day.is_business
    and due_day.business_index
        = start_day.business_index + (case when start_day.is_business then 0 else 1 end) + sla.days - 1;

create or replace temp table complaint_plan as
select
    n.*,
    f.requested_at as old_requested_at,
    case
        when f.complaint_id is null then 'new'
        when n.updated_at < f.updated_at then 'stale'
        when (
            n.kind, n.category, n.domain, n.district_code, n.channel, n.status, n.status_raw,
            n.requested_at, n.first_response_at, n.closed_at, n.due_at, n.updated_at, n.lat, n.lon,
            n.reporter_key, n.votes, n.adopted, n.satisfaction, n.agency, n.title, n.description_masked,
            n.quality
        ) is not distinct from (
            f.kind, f.category, f.domain, f.district_code, f.channel, f.status, f.status_raw,
            f.requested_at, f.first_response_at, f.closed_at, f.due_at, f.updated_at, f.lat, f.lon,
            f.reporter_key, f.votes, f.adopted, f.satisfaction, f.agency, f.title, f.description_masked,
            f.quality
        ) then 'same'
        else 'changed'
    end as action,
from incoming_due as n
left join fct_complaints as f on f.complaint_id = n.complaint_id;

delete from fct_complaints
where complaint_id in (select complaint_id from complaint_plan where action = 'changed');

insert into fct_complaints by name
select
    complaint_id, source, source_id, kind, category, domain, district_code, channel, status, status_raw,
    requested_at, first_response_at, closed_at, due_at, updated_at, lat, lon, reporter_key, votes,
    adopted, satisfaction, agency, title, description_masked, quality,
    $batch_id as batch_id,
from complaint_plan
where action in ('new', 'changed')
order by requested_at;

create or replace temp table touched_complaint_days as
select distinct cast(requested_at as date) as day from complaint_plan where action in ('new', 'changed')
union
select distinct cast(old_requested_at as date) from complaint_plan where action = 'changed';
