-- One row per hospital (OBJECTID). Numbers arrive as strings or with exponents; the
-- crawler's types and the model's casts turn them into integers.
SELECT
    objectid AS hospital_key,
    hospital_name AS name,
    hospital_type AS type,
    hq_address AS address,
    hq_city AS city,
    hq_state AS state_abbr,
    hq_zip_code AS zip,
    lpad(fips, 5, '0') AS fips,
    round(num_licensed_beds) AS licensed_beds,
    round(num_staffed_beds) AS staffed_beds,
    round(num_icu_beds) AS icu_beds,
    avg_ventilator_usage AS ventilator_usage
FROM covid.usa_hospital_beds
