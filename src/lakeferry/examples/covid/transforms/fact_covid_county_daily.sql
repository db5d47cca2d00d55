-- One row per (date, county): cumulative cases and deaths, and the day's increase.
WITH daily AS (
    SELECT date, lpad(CAST(fips AS VARCHAR), 5, '0') AS fips, cases, deaths
    FROM covid.us_county
    WHERE fips IS NOT NULL
)
SELECT
    CAST(strftime(date, '%Y%m%d') AS INTEGER) AS date_key,
    fips,
    cases,
    deaths,
    cases - coalesce(lag(cases) OVER w, 0) AS new_cases,
    deaths - coalesce(lag(deaths) OVER w, 0) AS new_deaths
FROM daily
WINDOW w AS (PARTITION BY fips ORDER BY date)
