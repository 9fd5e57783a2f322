-- load_batches: nothing lost — rows read = loaded + updated + duplicates + quarantined, and the
-- quarantine table holds exactly the batch's quarantined rows.
-- params: none (checked whole on every write that can change its tables: cheap even at a million rows).
select b.batch_id, b.rows_read, b.rows_loaded, b.rows_updated, b.rows_duplicate, b.rows_quarantined, q.n as quarantine_rows,
from load_batches as b
left join (select batch_id, count(*) as n from quarantine group by all) as q on q.batch_id = b.batch_id
where b.status = 'ok'
  and (b.rows_read != b.rows_loaded + b.rows_updated + b.rows_duplicate + b.rows_quarantined
       or b.rows_quarantined != coalesce(q.n, 0))
