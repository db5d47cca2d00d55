CREATE TABLE IF NOT EXISTS "dim_hospital" (
    "hospital_key" INTEGER NOT NULL,
    "name" VARCHAR,
    "type" VARCHAR,
    "address" VARCHAR,
    "city" VARCHAR,
    "state_abbr" VARCHAR,
    "zip" VARCHAR,
    "fips" VARCHAR,
    "licensed_beds" INTEGER,
    "staffed_beds" INTEGER,
    "icu_beds" INTEGER,
    "ventilator_usage" DOUBLE,
    PRIMARY KEY ("hospital_key")
);
