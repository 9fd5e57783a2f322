-- dim_district: district_code unique and not null.
-- params: none (checked whole on every write that can change its tables: cheap even at a million rows).
select district_code, count(*) as n from dim_district group by district_code
having count(*) > 1 or district_code is null
