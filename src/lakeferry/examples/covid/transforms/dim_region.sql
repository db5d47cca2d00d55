-- One row per US county (5-digit fips) with its state. Every source is reduced to one
-- row per fips before joining, so no join can multiply rows.
WITH counties AS (
    SELECT
        lpad(CAST(fips AS VARCHAR), 5, '0') AS fips,
        arg_max(county, date) AS county,
        arg_max(state, date) AS state
    FROM covid.us_county
    WHERE fips IS NOT NULL
    GROUP BY 1
),
jhu AS (  -- fips arrives as 53061.0 in this file
    SELECT
        lpad(CAST(CAST(fips AS BIGINT) AS VARCHAR), 5, '0') AS fips,
        arg_max(latitude, last_update) AS latitude,
        arg_max(longitude, last_update) AS longitude
    FROM covid.enigma_jhu
    WHERE fips IS NOT NULL AND country_region = 'US'
    GROUP BY 1
),
population AS (  -- Id2 is the fips as an integer, without its leading zero
    SELECT lpad(CAST(id2 AS VARCHAR), 5, '0') AS fips, max(population_estimate_2018) AS population
    FROM covid.county_population
    GROUP BY 1
),
states AS (
    SELECT state, min(abbreviation) AS state_abbr FROM covid.state_abv GROUP BY 1
)
SELECT
    c.fips,
    c.county,
    c.state,
    s.state_abbr,
    left(c.fips, 2) AS state_fips,
    j.latitude,
    j.longitude,
    p.population
FROM counties AS c
LEFT JOIN jhu AS j USING (fips)
LEFT JOIN population AS p USING (fips)
LEFT JOIN states AS s ON s.state = c.state
