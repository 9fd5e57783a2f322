-- The landing of one complaint batch (warehouse/build.py): a temp table, made anew for every batch.
create or replace temp table raw_complaints (
    batch_id integer, file_index integer, line bigint,
    source text, source_id text, kind text, category text, domain text, district_raw text,
    district_code text, channel text, status text, status_raw text,
    requested_at timestamptz, first_response_at timestamptz, closed_at timestamptz, due_at timestamptz,
    updated_at timestamptz, lat double, lon double, reporter_key text, votes integer, adopted boolean,
    satisfaction tinyint, agency text, title text, description_masked text, quality text,
);
