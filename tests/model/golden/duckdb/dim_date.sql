CREATE TABLE IF NOT EXISTS "dim_date" (
    "date_key" INTEGER NOT NULL,
    "date" DATE NOT NULL,
    "year" SMALLINT NOT NULL,
    "quarter" SMALLINT NOT NULL,
    "month" SMALLINT NOT NULL,
    "day" SMALLINT NOT NULL,
    "day_of_week" SMALLINT NOT NULL,
    "is_weekend" BOOLEAN NOT NULL,
    PRIMARY KEY ("date_key")
);
