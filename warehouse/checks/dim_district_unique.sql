-- dim_district: district_code unique and not null.
select district_code, count(*) as n from dim_district group by district_code
having count(*) > 1 or district_code is null
