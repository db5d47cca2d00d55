CREATE TABLE IF NOT EXISTS "fact_covid_state_testing_daily" (
    "date_key" INTEGER NOT NULL,
    "state_abbr" VARCHAR(2) NOT NULL,
    "state_fips" VARCHAR(2),
    "positive" BIGINT,
    "negative" BIGINT,
    "total_test_results" BIGINT,
    "hospitalized_currently" BIGINT,
    "in_icu_currently" BIGINT,
    "on_ventilator_currently" BIGINT,
    "deaths" BIGINT,
    PRIMARY KEY ("date_key", "state_abbr"),
    FOREIGN KEY ("date_key") REFERENCES "dim_date" ("date_key") DEFERRABLE INITIALLY DEFERRED
);
