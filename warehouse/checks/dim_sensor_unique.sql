-- dim_sensor: sensor_id unique and not null, first_seen ≤ last_seen.
-- params: none (checked whole on every write that can change its tables: cheap even at a million rows).
select sensor_id from dim_sensor group by sensor_id, first_seen, last_seen
having count(*) > 1 or sensor_id is null or first_seen > last_seen
