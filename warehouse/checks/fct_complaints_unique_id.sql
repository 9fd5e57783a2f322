-- fct_complaints: complaint_id is unique.
-- params: none (checked whole on every complaint batch: a repeated id can span days, so its result is not
-- per day; a million ids take ~0.13 s, and the primary key already forbids repeats).
select complaint_id, count(*) as n from fct_complaints group by complaint_id having count(*) > 1
