-- One row per (date, state): testing and hospital load. Dates arrive as yyyymmdd
-- integers; the crawler recognised them and the catalog parses them as dates.
SELECT
    CAST(strftime(date, '%Y%m%d') AS INTEGER) AS date_key,
    state AS state_abbr,
    lpad(fips, 2, '0') AS state_fips,
    positive,
    negative,
    total_test_results,
    hospitalized_currently,
    in_icu_currently,
    on_ventilator_currently,
    death AS deaths
FROM covid.states_daily
