CREATE TABLE IF NOT EXISTS "dim_hospital" (
    "hospital_key" INTEGER NOT NULL,
    "name" VARCHAR,
    "type" VARCHAR,
    "address" VARCHAR,
    "city" VARCHAR,
    "state_abbr" VARCHAR(2),
    "zip" VARCHAR(10),
    "fips" VARCHAR(5),
    "licensed_beds" INTEGER,
    "staffed_beds" INTEGER,
    "icu_beds" INTEGER,
    "ventilator_usage" DOUBLE PRECISION,
    PRIMARY KEY ("hospital_key"),
    FOREIGN KEY ("fips") REFERENCES "dim_region" ("fips") DEFERRABLE INITIALLY DEFERRED
);
