-- Data freshness per dataset: when it was last loaded and the latest record it holds.
-- grain: dataset. params: none.
select
    dataset,
    max(finished_at) as loaded_at,
    count(*) as batches,
    case
        when dataset = 'complaints' then (select max(requested_at) from fct_complaints)
        else
        -- part: latest_reading
    end as latest_record,
from load_batches
where status = 'ok'
group by dataset
order by dataset
