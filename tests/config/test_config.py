"""``lakeferry.yml``: the example validates; every mistake is named with file, line and key."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from lakeferry.config import PROJECT_FILE, ProjectConfig, load_project_config
from lakeferry.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "src/lakeferry/examples/covid/lakeferry.yml"

ZONES = """\
zones:
  raw: s3://covid19-lake/
  processed: s3://covid19-processed/star/
  query_results: s3://covid19-query-results/athena
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / PROJECT_FILE
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_project_config(path)
    return str(caught.value)


def test_the_example_project_validates() -> None:
    config = load_project_config(EXAMPLE)
    assert config.name == "covid"
    assert config.zones.raw == "s3://covid19-lake/"
    assert config.zones.quarantine_prefix() == "s3://covid19-processed/star/_quarantine/"
    assert [c.name for c in config.crawlers] == ["covid_raw"]
    targets = {t.path: t for t in config.crawlers[0].targets}
    assert "s3://covid19-lake/static-datasets/" in targets
    assert targets["s3://covid19-lake/rearc-usa-hospital-beds/"].table == "usa_hospital_beds"
    assert config.profile("local").storage.root == "lake"
    assert [j.name for j in config.jobs] == ["star_schema"]


def test_minimal_project_gets_named_defaults(tmp_path: Path) -> None:
    config = load_project_config(write(tmp_path, "name: tiny\n" + ZONES))
    assert config.zones.query_results == "s3://covid19-query-results/athena/"  # made a prefix
    local = config.profile("local")
    assert (local.storage.type, local.catalog.type, local.warehouse.type) == (
        "local",
        "sqlite",
        "duckdb",
    )
    assert config.crawlers == [] and config.load.tables == "all"


@pytest.mark.parametrize(
    ("yaml_text", "line", "key", "suggestion"),
    [
        ("name: t\ncrawler: []\n" + ZONES, 2, "crawler", "crawlers"),
        ("name: t\n" + ZONES + "  raww: s3://x-lake/\n", 6, "zones.raww", "raw"),
        (
            "name: t\n" + ZONES + "crawlers:\n  - name: c\n    databse: covid\n    targets: []\n",
            8,
            "crawlers.0.databse",
            "database",
        ),
        (
            "name: t\n"
            + ZONES
            + "crawlers:\n  - name: c\n    database: d\n    targets:\n"
            + "      - path: s3://covid19-lake/a/\n      - path: s3://covid19-lake/b/\n"
            + "        heder: present\n",
            12,
            "crawlers.0.targets.1.heder",
            "header",
        ),
        (
            "name: t\nprofiles:\n  local:\n    storge: {type: local}\n" + ZONES,
            4,
            "profiles.local.storge",
            "storage",
        ),
        (
            # a profile named like a field must not confuse the walk down the key path
            "name: t\nprofiles:\n  storage:\n    warehouse: {typ: duckdb}\n" + ZONES,
            4,
            "profiles.storage.warehouse.typ",
            "type",
        ),
    ],
)
def test_typo_key_gets_did_you_mean(
    tmp_path: Path, yaml_text: str, line: int, key: str, suggestion: str
) -> None:
    message = error_of(write(tmp_path, yaml_text))
    path = tmp_path / PROJECT_FILE
    assert f"{path}:{line}: {key}: unknown key; did you mean {suggestion!r}?" in message


def test_wrong_enum_names_file_line_key_path_and_choices(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: t\n"
        + ZONES
        + textwrap.dedent(
            """\
            crawlers:
              - name: c
                database: d
                targets:
                  - path: s3://covid19-lake/x/
                    header: maybe
            """
        ),
    )
    message = error_of(path)
    assert f"{path}:11: crawlers.0.targets.0.header:" in message
    assert "'auto', 'present' or 'absent'" in message
    assert "(got 'maybe')" in message


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: t\n"
        + ZONES
        + "jobs:\n  - name: j\n    sql: [a.sql]\n    formats: [csv, orc]\n"
        + "crawlers:\n  - {name: c, database: d, targets: [], sample_rows: 5}\n",
    )
    message = error_of(path)
    assert message.splitlines()[0] == f"{path}: 2 problem(s)"
    assert f"{path}:9: jobs.0.formats.1: Input should be 'csv' or 'parquet' (got 'orc')" in message
    assert f"{path}:11: crawlers.0.sample_rows:" in message and "(got 5)" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: t\n\tzones: 1\n", ":2:1:"),
        ("name: t\nzones: {raw: s3://a-lake/\n", ":3:1:"),
        ("name: t\nzones:\n  raw: 'unclosed\n", ":4:1:"),
        ("name: [a, b\nzones: x\n", ":2:"),
    ],
)
def test_invalid_yaml_names_line_and_column(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}{where}")
    assert "not valid YAML" in message


def test_missing_file_gives_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project_config(tmp_path / PROJECT_FILE)
    assert f"no {PROJECT_FILE} at {tmp_path}" in str(caught.value)
    assert caught.value.hint is not None and "lakeferry init" in caught.value.hint


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / PROJECT_FILE).mkdir()
    with pytest.raises(ConfigError, match=r"no lakeferry\.yml"):
        load_project_config(tmp_path / PROJECT_FILE)


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "expected a mapping" in error_of(write(tmp_path, "- a\n- b\n"))


def test_empty_file_names_the_required_keys(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, ""))
    assert "name: Field required" in message and "zones: Field required" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / PROJECT_FILE
    path.write_bytes(b"name: \xff\xfe\n")
    assert f"{path}: not UTF-8" in error_of(path)


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / PROJECT_FILE
    path.write_bytes(b"\xef\xbb\xbf" + ("name: bom\n" + ZONES).encode())
    assert load_project_config(path).name == "bom"


@pytest.mark.parametrize(
    ("zone_line", "key", "message"),
    [
        ("  raw: s3://Covid_Lake/", "zones.raw", "invalid bucket name 'Covid_Lake'"),
        ("  raw: covid19-lake/raw/", "zones.raw", "'covid19-lake/raw/' is not an s3:// location"),
        ("  raw: s3://covid19-lake/../x/", "zones.raw", "'.' and '..' segments are refused"),
        ("  quarantine: s3://q/", "zones.quarantine", "invalid bucket name 'q'"),
    ],
)
def test_bad_s3_uri_in_zones(tmp_path: Path, zone_line: str, key: str, message: str) -> None:
    zones = ZONES.replace("  raw: s3://covid19-lake/", zone_line)
    if "quarantine" in zone_line:
        zones = ZONES + zone_line + "\n"
    path = write(tmp_path, "name: t\n" + zones)
    text = error_of(path)
    line = 1 + zones.splitlines().index(zone_line) + 1
    assert f"{path}:{line}: {key}:" in text
    assert message in text


def test_bad_s3_uri_in_crawler_target(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: t\n" + ZONES + "crawlers:\n  - name: c\n    database: d\n"
        "    targets:\n      - path: /data/covid\n",
    )
    assert f"{path}:10: crawlers.0.targets.0.path:" in error_of(path)


def profiles_config(tmp_path: Path) -> ProjectConfig:
    return load_project_config(
        write(
            tmp_path,
            "name: t\nprofiles:\n  local: {}\n  aws-prod:\n    storage: {type: s3}\n"
            "  seaweed:\n    storage: {type: s3}\n" + ZONES,
        )
    )


def test_unknown_profile_suggests_the_nearest(tmp_path: Path) -> None:
    config = profiles_config(tmp_path)
    assert config.profile("aws-prod").storage.type == "s3"
    with pytest.raises(ConfigError) as caught:
        config.profile("aws-prd")
    assert "no profile 'aws-prd' in lakeferry.yml" in str(caught.value)
    assert caught.value.hint == "did you mean 'aws-prod'?"


def test_unknown_profile_lists_profiles_when_nothing_is_close(tmp_path: Path) -> None:
    config = profiles_config(tmp_path)
    with pytest.raises(ConfigError) as caught:
        config.profile("zzzz")
    assert caught.value.hint == "profiles: local, aws-prod, seaweed"


def test_local_profile_exists_without_being_declared(tmp_path: Path) -> None:
    config = load_project_config(write(tmp_path, "name: t\nprofiles:\n  prod: {}\n" + ZONES))
    assert config.profile("local").storage.type == "local"


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = write(tmp_path, "name: !!python/object/apply:os.system ['echo pwned']\n" + ZONES)
    message = error_of(path)
    assert re.search(r"not valid YAML", message)
