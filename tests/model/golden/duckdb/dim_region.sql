CREATE TABLE IF NOT EXISTS "dim_region" (
    "fips" VARCHAR NOT NULL,
    "county" VARCHAR,
    "state" VARCHAR,
    "state_abbr" VARCHAR,
    "state_fips" VARCHAR,
    "latitude" DOUBLE,
    "longitude" DOUBLE,
    "population" BIGINT,
    PRIMARY KEY ("fips")
);
