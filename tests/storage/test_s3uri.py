"""``S3Uri``: parsing, validation and the helpers every stage builds locations with."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakeferry.errors import ConfigError, InvalidLocation, StorageError
from lakeferry.storage import S3Uri, open_store


@pytest.mark.parametrize(
    ("text", "bucket", "key"),
    [
        ("s3://covid19-lake/", "covid19-lake", ""),
        ("s3://covid19-lake", "covid19-lake", ""),
        ("s3://covid19-lake/static-datasets/csv/", "covid19-lake", "static-datasets/csv/"),
        ("s3://a.b-c/x/Enigma-JHU.csv.gz.014c84bE.gz", "a.b-c", "x/Enigma-JHU.csv.gz.014c84bE.gz"),
        ("s3://abc/key with spaces/é.csv", "abc", "key with spaces/é.csv"),
        ("s3://abc/a/.../b", "abc", "a/.../b"),
        ("s3://192.168.5.lake/x", "192.168.5.lake", "x"),  # three dots is a name, not a parent
        ("s3://abc/year=2020/month=01/part.csv", "abc", "year=2020/month=01/part.csv"),
    ],
)
def test_parse(text: str, bucket: str, key: str) -> None:
    parsed = S3Uri.parse(text)
    assert (parsed.bucket, parsed.key) == (bucket, key)
    assert S3Uri.parse(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("covid19-lake/x", "'covid19-lake/x' is not an s3:// location"),
        ("S3://covid19-lake/x", "is not an s3:// location"),
        ("s3:/covid19-lake/x", "is not an s3:// location"),
        ("/tmp/covid19-lake/x", "is not an s3:// location"),
        ("s3:///x", "invalid bucket name ''"),
        ("s3://Covid19-Lake/", "invalid bucket name 'Covid19-Lake'"),
        ("s3://covid_lake/", "invalid bucket name 'covid_lake'"),
        ("s3://ab/", "invalid bucket name 'ab'"),
        ("s3://" + "a" * 64 + "/", "invalid bucket name"),
        ("s3://-lake/", "invalid bucket name '-lake'"),
        ("s3://lake-/", "invalid bucket name 'lake-'"),
        ("s3://la..ke/", "invalid bucket name 'la..ke'"),
        ("s3://../x", "invalid bucket name '..'"),
        ("s3://xn--lake/", "invalid bucket name 'xn--lake'"),
        ("s3://192.168.5.4/x", "invalid bucket name '192.168.5.4'"),
        ("s3://sthree-lake/", "invalid bucket name"),
        ("s3://lake-s3alias/", "invalid bucket name"),
        ("s3://lake//etc/passwd", "absolute path or bad character"),
        ("s3://lake/a\\b.csv", "absolute path or bad character"),
        ("s3://lake/..\\..\\x", "absolute path or bad character"),
        ("s3://lake/a\x00b", "absolute path or bad character"),
        ("s3://lake/../x", "'.' and '..' segments are refused"),
        ("s3://lake/a/../../x", "'.' and '..' segments are refused"),
        ("s3://lake/./x", "'.' and '..' segments are refused"),
        ("s3://lake/a/..", "'.' and '..' segments are refused"),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidLocation) as caught:
        S3Uri.parse(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, StorageError)


def test_bad_bucket_message_says_what_is_expected() -> None:
    with pytest.raises(InvalidLocation) as caught:
        S3Uri.parse("s3://My_Bucket/x")
    assert caught.value.hint is not None
    assert "lowercase letters, digits, dots and hyphens" in caught.value.hint
    assert "3-63" in str(caught.value)


def test_not_s3_message_has_a_hint() -> None:
    with pytest.raises(InvalidLocation) as caught:
        S3Uri.parse("file:///tmp/x")
    assert caught.value.hint == "write s3://bucket/key"


def test_join_and_prefix() -> None:
    base = S3Uri.parse("s3://lake/raw")
    assert str(base.join("a.csv")) == "s3://lake/raw/a.csv"
    assert str(base.as_prefix().join("a", "b.csv")) == "s3://lake/raw/a/b.csv"
    assert str(S3Uri.parse("s3://lake/").join("x/")) == "s3://lake/x/"
    assert str(base.as_prefix()) == "s3://lake/raw/"
    assert base.as_prefix().as_prefix() == base.as_prefix()
    assert S3Uri.parse("s3://lake").as_prefix().key == ""
    with pytest.raises(InvalidLocation):
        base.join("../escape")
    with pytest.raises(InvalidLocation):
        base.join("a\\b")


def test_name() -> None:
    assert S3Uri.parse("s3://lake/a/b/us.csv").name == "us.csv"
    assert S3Uri.parse("s3://lake/a/b/").name == "b"
    assert S3Uri.parse("s3://lake/").name == ""


def test_ordering_is_by_bucket_then_key() -> None:
    uris = [S3Uri.parse(u) for u in ("s3://lake/b", "s3://lake/a/z", "s3://alpha/z")]
    assert [str(u) for u in sorted(uris)] == ["s3://alpha/z", "s3://lake/a/z", "s3://lake/b"]


def test_open_store_by_name(tmp_path: Path) -> None:
    store = open_store("local", root=tmp_path)
    assert store.name == "local"


@pytest.mark.parametrize(("typo", "suggestion"), [("locl", "local"), ("Local", "local")])
def test_open_store_suggests_the_nearest_backend(
    tmp_path: Path, typo: str, suggestion: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(typo, root=tmp_path)
    assert f"unknown storage backend {typo!r}" in str(caught.value)
    assert caught.value.hint == f"did you mean {suggestion!r}?"


def test_open_store_lists_backends_when_nothing_is_close(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store("gcs-bucket-thing", root=tmp_path)
    assert caught.value.hint == "one of: local, s3"
