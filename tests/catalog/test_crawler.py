"""The crawler on hand-made objects: headers, classification by content, odd objects,
table names, partitions and schema versions."""

from __future__ import annotations

import gzip
import time

import pytest

from .conftest import MiniLake

STATES = [
    ("Alabama", "AL"),
    ("Alaska", "AK"),
    ("Arizona", "AZ"),
    ("Arkansas", "AR"),
    ("California", "CA"),
    ("Colorado", "CO"),
    ("Connecticut", "CT"),
]
STATES_CSV = "".join(f"{s},{a}\n" for s, a in STATES)
COUNTY_CSV = "date,county,state,fips,cases,deaths\n" + "".join(
    f"2020-03-{d:02d},King,Washington,53033,{d * 10},{d}\n" for d in range(1, 21)
)


def report_of(report, key: str):  # type: ignore[no-untyped-def]
    return next(o for o in report.objects if o.key == key)


# --- headers -------------------------------------------------------------------------


def test_all_text_csv_with_a_header_keeps_its_names(lake: MiniLake) -> None:
    lake.put("state-abv/states_abv.csv", "State,Abbreviation\n" + STATES_CSV)
    lake.crawl()
    table = lake.table("state_abv")
    assert table.serde["header"] is True
    assert [(c.name, c.original_name, c.type) for c in table.columns] == [
        ("state", "State", "string"),
        ("abbreviation", "Abbreviation", "string"),
    ]


def test_all_text_csv_without_a_header_gets_numbered_columns(lake: MiniLake) -> None:
    lake.put("abv/abv.csv", STATES_CSV)
    lake.crawl()
    table = lake.table("abv")
    assert table.serde["header"] is False
    assert [(c.name, c.original_name) for c in table.columns] == [
        ("col0", "col0"),
        ("col1", "col1"),
    ]


def test_numeric_csv_without_a_header(lake: MiniLake) -> None:
    lake.put("n/n.csv", "".join(f"{i},{i * 2.5}\n" for i in range(10)))
    lake.crawl()
    assert lake.columns("n") == [("col0", "bigint"), ("col1", "double")]
    assert lake.table("n").serde["header"] is False


def test_header_present_wins(lake: MiniLake) -> None:
    lake.put("abv/abv.csv", STATES_CSV)
    lake.crawl(header="present")
    table = lake.table("abv")
    assert table.serde["header"] is True
    assert [c.original_name for c in table.columns] == ["Alabama", "AL"]


def test_header_absent_wins(lake: MiniLake) -> None:
    lake.put("county/c.csv", COUNTY_CSV)
    lake.crawl(header="absent")
    table = lake.table("county")
    assert table.serde["header"] is False
    assert [c.name for c in table.columns] == [f"col{i}" for i in range(6)]
    # the header line is now a row, so no column is all numbers any more
    assert {c.type for c in table.columns} == {"string"}


def test_header_names_are_made_sql_safe_and_unique(lake: MiniLake) -> None:
    lake.put(
        "odd/odd.csv",
        "\ufeffCountry,Alpha-2 code,Population Estimate 2018,posNeg,2020 cases,x,X\n"
        "France,FR,67000000,12,1,a,b\nSpain,ES,47000000,14,2,c,d\n",
    )
    lake.crawl()
    table = lake.table("odd")
    assert [(c.name, c.original_name) for c in table.columns] == [
        ("country", "Country"),
        ("alpha_2_code", "Alpha-2 code"),
        ("population_estimate_2018", "Population Estimate 2018"),
        ("pos_neg", "posNeg"),
        ("col_2020_cases", "2020 cases"),
        ("x", "x"),
        ("x_2", "X"),
    ]
    assert table.serde["bom"] is True


# --- classification by content -------------------------------------------------------


def test_odd_suffixes_and_compression_are_classified_by_content(lake: MiniLake) -> None:
    lake.put("jhu/Enigma-JHU.csv.gz", gzip.compress(COUNTY_CSV.encode()))
    lake.put("jhu/Enigma-JHU.csv.gz.014c84bE.gz", gzip.compress(COUNTY_CSV.encode()))
    lake.put("county/us_county.csv.fDde7E2b", COUNTY_CSV)
    lake.put("lines/data.csv", '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    lake.put("zipped/notes.txt", gzip.compress(b'{"a": 1}\n{"a": 2}\n'))
    report = lake.crawl()
    kinds = {o.key: (o.classified_as, o.table) for o in report.objects}
    assert kinds == {
        "county/us_county.csv.fDde7E2b": ("csv", "county"),
        "jhu/Enigma-JHU.csv.gz": ("csv", "jhu"),
        "jhu/Enigma-JHU.csv.gz.014c84bE.gz": ("csv", "jhu"),
        "lines/data.csv": ("json", "lines"),
        "zipped/notes.txt": ("json", "zipped"),
    }
    jhu = lake.table("jhu")
    assert (jhu.format, jhu.compression) == ("csv", "gzip")
    assert [o.compression for o in jhu.objects] == ["gzip", "gzip"]
    assert lake.columns("jhu") == lake.columns("county")
    assert lake.table("zipped").compression == "gzip"


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), (";", "semi"), ("|", "pipe")])
def test_delimiters(lake: MiniLake, delimiter: str, name: str) -> None:
    lake.put(f"{name}/f.txt", COUNTY_CSV.replace(",", delimiter))
    lake.crawl()
    assert lake.table(name).serde["delimiter"] == delimiter
    assert [c for c, _ in lake.columns(name)] == [
        "date",
        "county",
        "state",
        "fips",
        "cases",
        "deaths",
    ]


def test_quoted_fields_with_commas_and_doubled_quotes(lake: MiniLake) -> None:
    lake.put(
        "q/q.csv",
        'positive,notes\n1,"NOTE: ""total"", ""posNeg"" are deprecated"\n2,plain\n',
    )
    report = lake.crawl()
    assert lake.columns("q") == [("positive", "bigint"), ("notes", "string")]
    assert report_of(report, "q/q.csv").problems == []


# --- objects that are skipped or unreadable ----------------------------------------


def test_markers_hidden_and_empty_objects_are_skipped_and_reported(lake: MiniLake) -> None:
    lake.put("t/part-0.csv", COUNTY_CSV)
    lake.put("t/_SUCCESS", "")
    lake.put("t/.part-0.csv.crc", "abc")
    lake.put("t/_temporary/0/part-1.csv", COUNTY_CSV)
    lake.put("t/empty.csv", "")
    report = lake.crawl()
    kinds = {o.key: o.classified_as for o in report.objects}
    assert kinds == {
        "t/part-0.csv": "csv",
        "t/_SUCCESS": "skipped (hidden or marker)",
        "t/.part-0.csv.crc": "skipped (hidden or marker)",
        "t/_temporary/0/part-1.csv": "skipped (hidden or marker)",
        "t/empty.csv": "skipped (empty)",
    }
    assert [o.key for o in lake.table("t").objects] == ["t/part-0.csv"]
    assert report.tables == {"t": "created"}


def test_exclude_patterns(lake: MiniLake) -> None:
    lake.put("t/a.csv", COUNTY_CSV)
    lake.put("t/manifest.json", '{"files": 1}\n')
    report = lake.crawl(exclude=[r"\.json$"])
    assert report_of(report, "t/manifest.json").classified_as == "skipped (excluded)"
    assert [o.key for o in lake.table("t").objects] == ["t/a.csv"]


def test_binary_garbage_is_reported_and_the_crawl_completes(lake: MiniLake) -> None:
    garbage = bytes(range(256)) * 64
    lake.put("county/a.csv", COUNTY_CSV)
    lake.put("county/x.csv", garbage)
    lake.put("junk/x.csv", garbage)
    lake.put("latin/x.csv", "name\ncaf\xe9\n".encode("latin-1") * 3)
    lake.put("zz/last.csv", COUNTY_CSV)
    report = lake.crawl()
    bad = report_of(report, "county/x.csv")
    assert (bad.classified_as, bad.table) == ("unreadable", None)
    assert bad.problems and "binary" in bad.problems[0]
    assert report_of(report, "junk/x.csv").classified_as == "unreadable"
    latin = report_of(report, "latin/x.csv")
    assert latin.classified_as == "unreadable"
    assert "not UTF-8" in latin.problems[0]
    assert report.tables == {"county": "created", "zz": "created"}
    assert [o.key for o in lake.table("county").objects] == ["county/a.csv"]


def test_corrupt_gzip_is_reported(lake: MiniLake) -> None:
    data = gzip.compress(COUNTY_CSV.encode())
    lake.put("g/bad.csv.gz", data[:10] + b"\xff" * 40 + data[50:])
    lake.put("ok/a.csv", COUNTY_CSV)
    report = lake.crawl()
    bad = report_of(report, "g/bad.csv.gz")
    assert bad.classified_as == "unreadable"
    assert "gzip data is corrupt" in bad.problems[0]
    assert report.tables == {"ok": "created"}


def test_a_different_schema_in_the_same_folder_is_left_out(lake: MiniLake) -> None:
    lake.put("t/a.csv", COUNTY_CSV)
    lake.put("t/b.csv", "x,y\n1,2\n")
    report = lake.crawl()
    other = report_of(report, "t/b.csv")
    assert other.table is None
    assert "schema differs from t/a.csv" in other.problems[0]
    assert [o.key for o in lake.table("t").objects] == ["t/a.csv"]


def test_truncated_objects_are_reported(lake: MiniLake) -> None:
    lake.put("t/whole.csv", COUNTY_CSV)
    lake.put("t/cut.csv", COUNTY_CSV[:-7])
    full = gzip.compress(COUNTY_CSV.encode() * 50)
    lake.put("g/whole.csv.gz", full)
    lake.put("g/cut.csv.gz", full[: len(full) // 2])
    lake.put("g/two-members.csv.gz", full + gzip.compress(COUNTY_CSV.encode()[45:]))
    report = lake.crawl()
    problems = {o.key: o.problems for o in report.objects}
    assert problems["t/whole.csv"] == []
    assert problems["t/cut.csv"] == ["last record cut short (no newline at the end of the object)"]
    assert problems["g/whole.csv.gz"] == []
    assert problems["g/two-members.csv.gz"] == []
    assert problems["g/cut.csv.gz"] == [
        "gzip stream ends before its trailer (unexpected end of file)"
    ]
    stored = {o.key: o.problems for o in lake.table("g").objects}
    assert stored["g/cut.csv.gz"] == problems["g/cut.csv.gz"]


def test_five_thousand_columns(lake: MiniLake) -> None:
    width = 5000
    header = ",".join(f"c{i}" for i in range(width))
    rows = "".join(",".join(str(i + r) for i in range(width)) + "\n" for r in range(20))
    lake.put("wide/w.csv", header + "\n" + rows)
    start = time.perf_counter()
    lake.crawl()
    elapsed = time.perf_counter() - start
    columns = lake.columns("wide")
    assert len(columns) == width
    assert columns[0] == ("c0", "bigint") and columns[-1] == ("c4999", "bigint")
    assert elapsed < 8, f"5,000 columns took {elapsed:.1f}s: inference is not batched"


def test_a_one_megabyte_line_is_bounded(lake: MiniLake) -> None:
    lake.put("long/one.csv", b"a," + b"x" * (1 << 20) + b"\n1,2\n")
    lake.put("nolf/blob.csv", b"y" * (3 << 20))
    lake.put("ok/a.csv", COUNTY_CSV)
    start = time.perf_counter()
    report = lake.crawl()
    assert time.perf_counter() - start < 8
    for key in ("long/one.csv", "nolf/blob.csv"):
        line = report_of(report, key)
        assert line.classified_as == "unreadable"
        assert any("no complete line" in p for p in line.problems)
    assert report.tables == {"ok": "created"}


# --- table names and partitions -------------------------------------------------------


def test_same_leaf_folder_names_get_distinct_deterministic_names(lake: MiniLake) -> None:
    lake.put("nyt/csv/us_states/a.csv", COUNTY_CSV)
    lake.put("rearc/csv/us_states/a.csv", COUNTY_CSV)
    lake.put("nyt/json/us_states/a.json", '{"a": 1}\n')
    report = lake.crawl()
    names = {o.key: o.table for o in report.objects}
    assert names == {
        "nyt/csv/us_states/a.csv": "us_states",
        "nyt/json/us_states/a.json": "us_states_json",
        "rearc/csv/us_states/a.csv": "us_states_rearc",  # the parent that tells them apart
    }
    second = {o.key: o.table for o in lake.crawl().objects}
    assert second == names


def test_nested_folders_with_one_name_never_share_a_table(lake: MiniLake) -> None:
    lake.put("t/a.csv", COUNTY_CSV)
    lake.put("t/t/a.csv", "x,y\n1,2\n")
    report = lake.crawl()
    tables = {o.key: o.table for o in report.objects}
    assert tables["t/a.csv"] != tables["t/t/a.csv"]
    assert len(lake.catalog.list_tables("db")) == 2


def test_generic_folder_names_are_skipped(lake: MiniLake) -> None:
    lake.put("enigma-jhu/csv/x.csv", COUNTY_CSV)
    lake.put("hospital-beds/json/data/y.json", '{"a": 1}\n')
    lake.crawl()
    assert {t.name for t in lake.catalog.list_tables("db")} == {"enigma_jhu", "hospital_beds"}


def test_target_table_name_wins(lake: MiniLake) -> None:
    lake.put("beds/json/usa-hospital-beds.geojson", '{"OBJECTID": 1}\n')
    lake.crawl("beds/", table="usa_hospital_beds")
    assert lake.table("usa_hospital_beds").location == "s3://test-lake/beds/json/"


def test_hive_folders_become_partition_keys(lake: MiniLake) -> None:
    for year, month in (("2020", "03"), ("2020", "04"), ("2021", "01")):
        lake.put(f"events/year={year}/month={month}/part-0.csv", COUNTY_CSV)
    report = lake.crawl()
    assert report.tables == {"events": "created"}
    table = lake.table("events")
    assert table.location == "s3://test-lake/events/"
    assert [(c.name, c.type, c.original_name) for c in table.partition_keys] == [
        ("year", "bigint", "year"),  # typed from the values
        ("month", "string", "month"),  # zero-padded: kept as text, like fips codes
    ]
    assert [o.partition for o in table.objects] == [
        {"year": "2020", "month": "03"},
        {"year": "2020", "month": "04"},
        {"year": "2021", "month": "01"},
    ]
    partitions = table.to_dict()["partitions"]
    assert [p["values"] for p in partitions] == [o.partition for o in table.objects]
    assert partitions[0] == {
        "values": {"year": "2020", "month": "03"},
        "location": "s3://test-lake/events/year=2020/month=03/",
        "objects": 1,
        "bytes": len(COUNTY_CSV),
    }
    assert [c.name for c in table.columns] == ["date", "county", "state", "fips", "cases", "deaths"]


# --- versions -------------------------------------------------------------------------


def test_recrawl_without_change_keeps_the_version(lake: MiniLake) -> None:
    lake.put("t/a.csv", COUNTY_CSV)
    assert lake.crawl().tables == {"t": "created"}
    assert lake.crawl().tables == {"t": "unchanged"}
    assert lake.table("t").version == 1
    assert [h["version"] for h in lake.catalog.history("db", "t")] == [1]


def test_a_changed_schema_bumps_the_version_and_history_shows_it(lake: MiniLake) -> None:
    lake.put("t/a.csv", COUNTY_CSV)
    lake.crawl()
    wider = "".join(
        line + (",new_cases\n" if i == 0 else ",7\n")
        for i, line in enumerate(COUNTY_CSV.splitlines())
    )
    lake.put("t/a.csv", wider)
    assert lake.crawl().tables == {"t": "updated"}
    table = lake.table("t")
    assert table.version == 2
    assert table.columns[-1].name == "new_cases"
    history = lake.catalog.history("db", "t")
    assert [h["version"] for h in history] == [1, 2]
    assert history[1]["added"] == ["new_cases bigint"]
    assert history[1]["removed"] == [] and history[1]["changed"] == []
    # a type change is a new version too
    lake.put("t/a.csv", wider.replace(",7\n", ",7.5\n"))
    assert lake.crawl().tables == {"t": "updated"}
    assert lake.catalog.history("db", "t")[2]["changed"] == ["new_cases: bigint -> double"]


def test_new_objects_without_a_schema_change_keep_the_version(lake: MiniLake) -> None:
    lake.put("t/a.csv", COUNTY_CSV)
    lake.crawl()
    lake.put("t/b.csv", COUNTY_CSV)
    assert lake.crawl().tables == {"t": "unchanged"}
    table = lake.table("t")
    assert table.version == 1
    assert [o.key for o in table.objects] == ["t/a.csv", "t/b.csv"]


def test_unknown_table_names_the_nearest(lake: MiniLake) -> None:
    from lakeferry.errors import TableNotFound

    lake.put("us_county/a.csv", COUNTY_CSV)
    lake.crawl()
    with pytest.raises(TableNotFound) as caught:
        lake.table("us_conty")
    assert "no table db.us_conty" in str(caught.value)
    assert caught.value.hint == "nearest: db.us_county"
