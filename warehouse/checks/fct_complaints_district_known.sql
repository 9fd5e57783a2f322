-- fct_complaints: every district_code is in dim_district.
select complaint_id, district_code from fct_complaints
where district_code is not null and district_code not in (select district_code from dim_district)
