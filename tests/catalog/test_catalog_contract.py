"""One contract for every catalog backend: the embedded SQLite file and AWS Glue.

Glue is moto's server mode: a real HTTP server on 127.0.0.1 that boto3 talks to over
the wire, started once per session with dummy credentials. Nothing here is mocked; the
Glue-only tests at the end look at the catalog through boto3 as Athena or Spark would.
"""

from __future__ import annotations

import copy
import json
import logging
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lakeferry.catalog import Catalog, Column, GlueCatalog, Table, TableObject, open_catalog
from lakeferry.catalog.crawler import crawl
from lakeferry.config import CatalogProfile, CrawlTarget
from lakeferry.errors import CatalogError, ConfigError, MissingDependency, TableNotFound
from lakeferry.samples.covid import generate_covid
from lakeferry.storage.local import LocalStore

REGION = "us-east-1"
PROJECT = "covid-contract"


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's Glue on a free port of 127.0.0.1, with dummy credentials and no AWS config."""
    server_mod = pytest.importorskip("moto.server")
    with pytest.MonkeyPatch.context() as env:
        for name in (
            "AWS_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_GLUE",
            "AWS_SESSION_TOKEN",
        ):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("AWS_REGION", REGION)
        env.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def _reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).close()


@pytest.fixture
def glue(moto_url: str) -> GlueCatalog:
    """An empty Glue catalog (moto's state is reset for every test)."""
    _reset(moto_url)
    catalog = open_catalog("glue", endpoint_url=moto_url, region=REGION, project=PROJECT)
    assert isinstance(catalog, GlueCatalog)
    return catalog


@pytest.fixture(params=["sqlite", "glue"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Catalog:
    """Each backend in turn, empty."""
    if request.param == "sqlite":
        return open_catalog("sqlite", path=tmp_path / "catalog.sqlite")
    return request.getfixturevalue("glue")


def _boto(url: str) -> Any:
    import boto3

    return boto3.client("glue", endpoint_url=url, region_name=REGION)


FOLDER = "rearc-covid-19-nyt-data-in-usa/csv/us_county"


def gz(name: str, etag: str, problems: tuple[str, ...] = (), **partition: str) -> TableObject:
    """A gzip object of the covid table, in hive folders for ``partition`` (``Year=2020/``)."""
    folders = "".join(f"{k}={v}/" for k, v in partition.items())
    return TableObject(f"{FOLDER}/{folders}{name}", 100, etag, "gzip", list(problems), partition)


def covid_table(**changes: Any) -> Table:
    """A covid-like table: gzip CSV with a header and a BOM, hive partitions, odd objects."""
    table = Table(
        database="covid",
        name="us_county",
        location=f"s3://covid19-lake/{FOLDER}/",
        format="csv",
        columns=[
            Column("date", "date", original_name="\ufeffdate", format="%Y-%m-%d"),
            Column("county", "string", original_name="County Name"),
            Column("fips", "string", original_name="fips", comment="zero-padded, kept as text"),
            Column("cases", "bigint", original_name="cases"),
            Column("deaths", "double", original_name="deaths", comment="d" * 300),
            Column("reported", "timestamp", original_name="Reported", format="%m/%d/%Y %H:%M"),
        ],
        compression="gzip",
        serde={"delimiter": ",", "quote": '"', "header": True, "encoding": "utf-8", "bom": True},
        partition_keys=[Column("year", "string", original_name="Year")],
        objects=[
            gz("part-0.csv.gz", "e0", Year="2020"),
            gz("loose.csv.gz", "e1", ("gzip cut short",)),
            gz("part-0.csv.gz", "e2", Year="2021"),
            gz("part-1.csv.gz.014c84bE.gz", "e3", ("last record cut short (line 3)",), Year="2020"),
        ],
        crawler="covid",
    )
    for key, value in changes.items():
        setattr(table, key, value)
    return table


# --- the contract ---------------------------------------------------------------------------


def test_create_database_is_idempotent(catalog: Catalog) -> None:
    catalog.create_database("covid")
    catalog.create_database("covid")
    catalog.create_database("analytics")
    assert catalog.list_databases() == ["analytics", "covid"]  # type: ignore[attr-defined]


def test_put_get_round_trip_is_lossless(catalog: Catalog) -> None:
    saved = catalog.put_table(covid_table())
    assert saved.version == 1 and saved.updated_at
    got = catalog.get_table("covid", "us_county")
    assert got == saved
    assert got == covid_table(version=1, updated_at=saved.updated_at)
    assert [p["values"] for p in got.to_dict()["partitions"]] == [
        {"Year": "2020"},
        {"Year": "2021"},
    ]


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_round_trip_of_other_formats(catalog: Catalog, fmt: str) -> None:
    table = covid_table(
        format=fmt, compression=None, serde={"encoding": "utf-8"}, partition_keys=[], crawler=None
    )
    table.objects = [TableObject(o.key, o.size, o.etag) for o in table.objects]
    saved = catalog.put_table(table)
    assert catalog.get_table("covid", "us_county") == saved


def test_many_objects_round_trip(catalog: Catalog) -> None:
    """Thousands of objects: more than one Glue parameter value can hold (512,000 bytes)."""
    prefix = "static-datasets/csv/CountyPopulation/" + "nested/" * 10
    objects = [
        TableObject(
            f"{prefix}part-{i:05d}.csv",
            i,
            f'"{i:032x}"',
            None,
            [f"problem {i}"] if i % 7 == 0 else [],
        )
        for i in range(3500)
    ]
    saved = catalog.put_table(covid_table(partition_keys=[], objects=objects))
    assert catalog.get_table("covid", "us_county") == saved


def test_list_tables_sorted_and_filtered(catalog: Catalog) -> None:
    for database, name in [
        ("zeta", "b"),
        ("covid", "us_states"),
        ("zeta", "a"),
        ("covid", "hospital"),
    ]:
        catalog.put_table(covid_table(database=database, name=name, objects=[]))
    listed = [t.qualified_name for t in catalog.list_tables()]
    assert listed == ["covid.hospital", "covid.us_states", "zeta.a", "zeta.b"]
    assert [t.name for t in catalog.list_tables("zeta")] == ["a", "b"]
    assert catalog.list_tables("nope") == []
    assert catalog.list_tables("covid")[0] == catalog.get_table("covid", "hospital")


def test_schema_change_bumps_version_and_history_shows_the_diff(catalog: Catalog) -> None:
    catalog.put_table(covid_table())
    changed = covid_table()
    changed.columns = [c for c in changed.columns if c.name != "county"]
    changed.columns[2] = Column("cases", "double", original_name="cases")
    changed.columns.append(Column("confirmed", "bigint", original_name="Confirmed"))
    assert catalog.put_table(changed).version == 2
    assert catalog.get_table("covid", "us_county").version == 2
    history = catalog.history("covid", "us_county")
    assert [h["version"] for h in history] == [1, 2]
    assert history[0]["added"][:2] == ["date date", "county string"]
    assert history[1]["added"] == ["confirmed bigint"]
    assert history[1]["removed"] == ["county"]
    assert history[1]["changed"] == ["cases: bigint -> double"]


def test_a_new_parse_format_is_a_new_version(catalog: Catalog) -> None:
    catalog.put_table(covid_table())
    changed = covid_table()
    changed.columns[0] = Column("date", "date", original_name="\ufeffdate", format="%Y%m%d")
    assert catalog.put_table(changed).version == 2


def test_unchanged_schema_keeps_the_version(catalog: Catalog) -> None:
    first = catalog.put_table(covid_table())
    again = covid_table()
    again.objects = [*again.objects[:2], gz("p.csv.gz", "e9", Year="2022")]
    saved = catalog.put_table(again)
    assert saved.version == first.version == 1
    got = catalog.get_table("covid", "us_county")
    assert got == saved
    assert [p["values"] for p in got.to_dict()["partitions"]] == [
        {"Year": "2020"},
        {"Year": "2022"},
    ]
    assert [h["version"] for h in catalog.history("covid", "us_county")] == [1]


def test_partition_keys_can_change(catalog: Catalog) -> None:
    catalog.put_table(covid_table())
    regrouped = covid_table(
        partition_keys=[Column("year", "string", "Year"), Column("month", "string", "Month")],
        objects=[
            gz("p.csv.gz", "m3", Year="2020", Month="03"),
            gz("p.csv.gz", "m4", Year="2020", Month="04"),
        ],
    )
    saved = catalog.put_table(regrouped)
    assert saved.version == 2
    assert catalog.get_table("covid", "us_county") == saved


def test_table_not_found_names_the_nearest(catalog: Catalog) -> None:
    catalog.put_table(covid_table(objects=[]))
    with pytest.raises(TableNotFound) as missed:
        catalog.get_table("covid", "us_countyy")
    assert "covid.us_county" in str(missed.value)
    with pytest.raises(TableNotFound):
        catalog.get_table("nope", "us_county")
    with pytest.raises(TableNotFound):
        catalog.history("covid", "us_countyy")


def test_crawler_gives_the_same_catalog_in_sqlite_and_glue(
    tmp_path: Path, glue: GlueCatalog
) -> None:
    generate_covid(tmp_path / "lake" / "covid19-lake", scale=0.02)
    store = LocalStore(tmp_path / "lake")
    sqlite = open_catalog("sqlite", path=tmp_path / "catalog.sqlite")
    targets = [CrawlTarget(path="s3://covid19-lake/")]
    reports = [crawl(store, c, database="covid", targets=targets) for c in (sqlite, glue)]
    assert reports[0].tables == reports[1].tables and len(reports[0].tables) >= 10

    def shape(c: Catalog) -> list[dict[str, Any]]:
        return [{**t.to_dict(), "updated_at": None} for t in c.list_tables("covid")]

    assert shape(glue) == shape(sqlite)
    again = crawl(store, glue, database="covid", targets=targets)
    assert set(again.tables.values()) == {"unchanged"}


# --- Glue itself: what Athena, Spark and the AWS console see ---------------------------------


def test_glue_table_has_glue_shape(glue: GlueCatalog, moto_url: str) -> None:
    glue.put_table(covid_table())
    client = _boto(moto_url)
    raw = client.get_table(DatabaseName="covid", Name="us_county")["Table"]
    sd, params = raw["StorageDescriptor"], raw["Parameters"]
    assert sd["Location"] == covid_table().location
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert sd["SerdeInfo"]["Parameters"] == {
        "separatorChar": ",",
        "quoteChar": '"',
        "skip.header.line.count": "1",
    }
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert sd["Columns"][0] == {
        "Name": "date",
        "Type": "date",
        "Parameters": {"lakeferry:original_name": "\ufeffdate", "lakeferry:format": "%Y-%m-%d"},
    }
    assert len(sd["Columns"][4]["Comment"]) == 255
    assert raw["PartitionKeys"][0]["Name"] == "year"
    assert {k: params[k] for k in ("classification", "compressionType", "typeOfData")} == {
        "classification": "csv",
        "compressionType": "gzip",
        "typeOfData": "file",
    }
    assert json.loads(params["lakeferry:serde"])["bom"] is True
    parts = client.get_partitions(DatabaseName="covid", TableName="us_county")["Partitions"]
    by_values = {tuple(p["Values"]): p for p in parts}
    assert sorted(by_values) == [("2020",), ("2021",)]
    assert by_values[("2020",)]["StorageDescriptor"]["Location"].endswith("/us_county/Year=2020/")
    assert by_values[("2020",)]["Parameters"]["objectCount"] == "2"
    assert params["objectCount"] == "1"  # the object outside any partition stays on the table


def test_glue_serdes_for_json_and_unquoted_csv(glue: GlueCatalog, moto_url: str) -> None:
    glue.put_table(covid_table(name="states_json", format="json", compression=None, serde={}))
    glue.put_table(
        covid_table(name="plain", serde={"delimiter": "|", "quote": None, "header": False})
    )
    client = _boto(moto_url)
    json_sd = client.get_table(DatabaseName="covid", Name="states_json")["Table"][
        "StorageDescriptor"
    ]
    assert json_sd["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert json_sd["SerdeInfo"]["Parameters"]["mapping.county"] == "County Name"
    plain = client.get_table(DatabaseName="covid", Name="plain")["Table"]["StorageDescriptor"]
    assert plain["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {"field.delim": "|", "serialization.format": "|"},
    }


def test_glue_objects_are_chunked_under_the_parameter_limit(
    glue: GlueCatalog, moto_url: str
) -> None:
    objects = [TableObject(f"{'deep/' * 20}part-{i:05d}.csv", i, f"{i:040x}") for i in range(4000)]
    glue.put_table(covid_table(partition_keys=[], objects=objects))
    params = _boto(moto_url).get_table(DatabaseName="covid", Name="us_county")["Table"][
        "Parameters"
    ]
    assert int(params["lakeferry:objects.chunks"]) > 1
    assert max(len(v.encode()) for v in params.values()) <= 512_000


def test_glue_database_is_tagged_with_the_project(glue: GlueCatalog, moto_url: str) -> None:
    import boto3

    glue.create_database("covid")
    account = boto3.client("sts", endpoint_url=moto_url).get_caller_identity()["Account"]
    arn = f"arn:aws:glue:{REGION}:{account}:database/covid"
    assert _boto(moto_url).get_tags(ResourceArn=arn)["Tags"] == {"lakeferry:project": PROJECT}


def test_glue_reads_a_table_a_glue_crawler_made(glue: GlueCatalog, moto_url: str) -> None:
    client = _boto(moto_url)
    client.create_database(DatabaseInput={"Name": "raw"})
    client.create_table(
        DatabaseName="raw",
        TableInput={
            "Name": "states_abv",
            "StorageDescriptor": {
                "Columns": [
                    {"Name": "state", "Type": "string"},
                    {"Name": "abbreviation", "Type": "string"},
                ],
                "Location": "s3://covid19-lake/static-datasets/csv/state-abv/",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                    "Parameters": {"field.delim": ","},
                },
            },
            "Parameters": {
                "classification": "csv",
                "compressionType": "none",
                "skip.header.line.count": "1",
                "UPDATED_BY_CRAWLER": "covid",
            },
        },
    )
    table = glue.get_table("raw", "states_abv")
    assert [c.name for c in table.columns] == ["state", "abbreviation"]
    assert (table.format, table.compression, table.crawler) == ("csv", None, "covid")
    assert table.serde["header"] is True and table.serde["delimiter"] == ","


def test_glue_history_counts_schema_versions_not_updates(glue: GlueCatalog) -> None:
    """moto archives a Glue version on every UpdateTable (it ignores SkipArchive)."""
    for _ in range(3):
        glue.put_table(covid_table())
    assert [h["version"] for h in glue.history("covid", "us_county")] == [1]


def test_glue_refuses_names_glue_would_lowercase(glue: GlueCatalog) -> None:
    with pytest.raises(CatalogError, match="lowercase"):
        glue.put_table(covid_table(name="US_County"))


def test_glue_errors_are_mapped_and_marked() -> None:
    from botocore.exceptions import ClientError

    from lakeferry.catalog.glue import _translate

    def client_error(code: str, status: int) -> ClientError:
        body = {
            "Error": {"Code": code, "Message": "m"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return ClientError(body, "GetTable")  # type: ignore[arg-type]

    assert _translate(client_error("ThrottlingException", 400), "get_table").transient
    assert _translate(client_error("InternalFailure", 503), "get_table").transient
    denied = _translate(client_error("AccessDeniedException", 400), "get_table")
    assert not denied.transient and "glue:*" in str(denied)


def test_glue_unreachable_endpoint_is_transient(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    catalog = GlueCatalog(region=REGION, endpoint_url=f"http://127.0.0.1:{port}")
    with pytest.raises(CatalogError) as failed:
        catalog.list_databases()
    assert failed.value.transient and "endpoint" in str(failed.value)


def test_missing_boto3_names_the_pip_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(MissingDependency, match=r"lakeferry\[aws\]"):
        open_catalog("glue", region=REGION)


def test_open_catalog_suggests_the_nearest_backend() -> None:
    with pytest.raises(ConfigError, match="did you mean 'glue'"):
        open_catalog("glu")


def test_catalog_profile_takes_region_and_endpoint() -> None:
    profile = CatalogProfile(type="glue", region="eu-west-1", endpoint_url="http://127.0.0.1:5000")
    assert (profile.region, profile.endpoint_url) == ("eu-west-1", "http://127.0.0.1:5000")
    with pytest.raises(ValueError, match="extra"):
        CatalogProfile(type="glue", regoin="eu-west-1")  # type: ignore[call-arg]


def test_environment_wins_over_the_profile(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _reset(moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", moto_url)
    catalog = open_catalog("glue", region=REGION, endpoint_url="http://127.0.0.1:1")
    catalog.create_database("covid")
    assert catalog.list_databases() == ["covid"]  # type: ignore[attr-defined]


def test_put_table_does_not_keep_a_reference(catalog: Catalog) -> None:
    table = covid_table()
    saved = catalog.put_table(table)
    before = copy.deepcopy(catalog.get_table("covid", "us_county"))
    saved.columns.append(Column("later", "string"))
    assert catalog.get_table("covid", "us_county") == before


def test_glue_without_a_region_says_where_to_set_it(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(CatalogError) as failed:
        open_catalog("glue", endpoint_url=moto_url)
    assert "region" in str(failed.value.hint) and not failed.value.transient


def test_glue_hand_edited_object_parameters_are_a_catalog_error(
    glue: GlueCatalog, moto_url: str
) -> None:
    glue.put_table(covid_table(partition_keys=[]))
    client = _boto(moto_url)
    raw = client.get_table(DatabaseName="covid", Name="us_county")["Table"]
    raw["Parameters"]["lakeferry:objects.0"] = raw["Parameters"]["lakeferry:objects.0"][:-5]
    keep = ("Name", "StorageDescriptor", "PartitionKeys", "Parameters", "TableType")
    client.update_table(DatabaseName="covid", TableInput={k: raw[k] for k in keep})
    with pytest.raises(CatalogError, match="not JSON"):
        glue.get_table("covid", "us_county")


def test_delete_table_and_deprecated_and_manual_round_trip(catalog: Catalog) -> None:
    table = covid_table(deprecated=True)
    table.columns[0].manual = True
    catalog.put_table(table)
    got = catalog.get_table("covid", "us_county")
    assert got.deprecated and got.columns[0].manual and not got.columns[1].manual
    catalog.delete_table("covid", "us_county")
    with pytest.raises(TableNotFound):
        catalog.get_table("covid", "us_county")
    catalog.delete_table("covid", "us_county")  # a missing table is not an error
