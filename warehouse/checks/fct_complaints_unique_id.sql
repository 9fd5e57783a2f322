-- fct_complaints: complaint_id is unique.
select complaint_id, count(*) as n from fct_complaints group by complaint_id having count(*) > 1
