-- Load batches, newest first: what was loaded from where, and where every read row went
-- (read = loaded + updated + duplicate + quarantined). grain: batch_id. params: none.
select
    batch_id,
    dataset,
    source,
    profile,
    array_to_string(files, ', ') as files,
    started_at,
    finished_at,
    rows_read,
    rows_loaded,
    rows_updated,
    rows_duplicate,
    rows_quarantined,
    status,
    message,
from load_batches
order by batch_id desc
