-- The warehouse's "now": the latest timestamp it holds, so a demo never ages.
-- grain: one row. params: none.
select greatest(
    (select max(greatest(requested_at, coalesce(first_response_at, requested_at), coalesce(closed_at, requested_at)))
     from fct_complaints),
    -- part: latest_reading
) as as_of
