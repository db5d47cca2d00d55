CREATE TABLE IF NOT EXISTS "fact_covid_county_daily" (
    "date_key" INTEGER NOT NULL,
    "fips" VARCHAR(5) NOT NULL,
    "cases" BIGINT,
    "deaths" BIGINT,
    "new_cases" BIGINT,
    "new_deaths" BIGINT,
    PRIMARY KEY ("date_key", "fips"),
    FOREIGN KEY ("date_key") REFERENCES "dim_date" ("date_key") DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY ("fips") REFERENCES "dim_region" ("fips") DEFERRABLE INITIALLY DEFERRED
);
