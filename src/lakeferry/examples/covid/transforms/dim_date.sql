-- One row per calendar day, covering every day either fact table reports.
WITH days AS (
    SELECT date FROM covid.us_county
    UNION ALL
    SELECT date FROM covid.states_daily
),
span AS (
    SELECT min(date) AS first_day, max(date) AS last_day FROM days
),
calendar AS (
    SELECT CAST(unnest(generate_series(first_day, last_day, INTERVAL 1 DAY)) AS DATE) AS d FROM span
)
SELECT
    CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key,
    d AS date,
    year(d) AS year,
    quarter(d) AS quarter,
    month(d) AS month,
    day(d) AS day,
    isodow(d) AS day_of_week,
    isodow(d) >= 6 AS is_weekend
FROM calendar
