-- fct_complaints: complaint_id is unique.
-- params: none (checked whole on every complaint batch: a repeated id can span days, so its result is not
-- per day; the primary key already forbids repeats).
-- As in fct_sensor_readings_unique_key, ids are hashed, the hashes sorted and each compared with the one before,
-- and only ids whose hash repeats are grouped exactly: a million ids 0.05 s against 0.08 for grouping them all.
with repeated_hashes as (
    select distinct h,
    from (select hash(complaint_id) as h, from fct_complaints)
    qualify h = lag(h) over (order by h)
)
select complaint_id, count(*) as n
from fct_complaints
where hash(complaint_id) in (select h from repeated_hashes)
group by complaint_id
having count(*) > 1
