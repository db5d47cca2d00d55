CREATE TABLE IF NOT EXISTS "fact_covid_county_daily" (
    "date_key" INTEGER NOT NULL,
    "fips" VARCHAR NOT NULL,
    "cases" BIGINT,
    "deaths" BIGINT,
    "new_cases" BIGINT,
    "new_deaths" BIGINT,
    PRIMARY KEY ("date_key", "fips")
);
