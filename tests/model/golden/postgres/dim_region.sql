CREATE TABLE IF NOT EXISTS "dim_region" (
    "fips" VARCHAR(5) NOT NULL,
    "county" VARCHAR,
    "state" VARCHAR,
    "state_abbr" VARCHAR(2),
    "state_fips" VARCHAR(2),
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "population" BIGINT,
    PRIMARY KEY ("fips")
);
