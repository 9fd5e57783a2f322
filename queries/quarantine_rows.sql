-- Quarantined rows for the browser, one page: file name, line, field, the exact reason and the raw record
-- (the original row as JSON; the page masks it before showing it). Filters use quarantine_reasons' keys.
-- grain: quarantined row. params: $batch_id (integer or null), $field, $reason (generalised, as in
-- quarantine_reasons; text or null), $limit, $offset.
with generalised as (
    select
        *,
        coalesce(field, '(row)') as field_key,
        regexp_replace(
            regexp_replace(reason, '''[^'']*''', '''…''', 'g'),
            '(^|[^A-Za-z0-9.])-?[0-9]+(\.[0-9]+)?', '\1#', 'g'
        ) as reason_key,
    from quarantine
)
select batch_id, parse_filename(file) as file, line, field, reason, raw_record,
from generalised
where ($batch_id is null or batch_id = $batch_id)
  and ($field is null or field_key = $field)
  and ($reason is null or reason_key = $reason)
order by batch_id, file, line
limit $limit offset $offset
