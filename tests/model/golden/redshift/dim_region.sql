CREATE TABLE IF NOT EXISTS "dim_region" (
    "fips" VARCHAR(5) NOT NULL,
    "county" VARCHAR(65535),
    "state" VARCHAR(65535),
    "state_abbr" VARCHAR(2),
    "state_fips" VARCHAR(2),
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "population" BIGINT,
    PRIMARY KEY ("fips")
)
DISTSTYLE ALL;
