-- fct_complaints: required columns are never null.
select complaint_id from fct_complaints
where complaint_id is null or source is null or source_id is null or kind is null or domain is null
   or status is null or requested_at is null or batch_id is null
