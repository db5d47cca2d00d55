"""Verification after a load: reconciliation, keys, relationships, custom SQL.

Every check yields a count of offending rows (0 passes) and, when it fails, a sample
of them. Rows set aside by the ETL are reported as a warning with their count: they
are accounted for, not lost, and the run summary shows them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import LakeferryError
from .etl import read_manifest
from .model import check_queries
from .naming import quote_ident, quote_literal
from .storage.base import S3Uri

if TYPE_CHECKING:
    from .project import Project


@dataclass
class CheckResult:
    """One check's outcome."""

    name: str
    table: str
    status: str  # pass | fail | warn
    count: int
    description: str = ""
    sample: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CheckReport:
    """All checks of one verification."""

    results: list[CheckResult]

    @property
    def passed(self) -> bool:
        return all(r.status != "fail" for r in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "check": r.name,
                "table": r.table,
                "status": r.status,
                "count": r.count,
                "description": r.description,
            }
            for r in self.results
        ]


def run_checks(project: Project, run_id: str | None = None) -> CheckReport:
    """Run every check of the project against its warehouse."""
    wh = project.warehouse(read_only=True)
    results: list[CheckResult] = []
    try:
        for table in project.model.load_order():
            results.append(_reconcile(project, wh, table.name))
            for check in check_queries(table):
                results.append(
                    _count_check(wh, check.name, table.name, check.sql_count, check.sql_sample)
                )
        for spec in project.config.checks:
            sql = spec.sql.strip().rstrip(";")
            results.append(
                _count_check(
                    wh,
                    spec.name,
                    "",
                    f"SELECT count(*) AS n FROM ({sql}) q",
                    f"{sql} LIMIT 5",
                    spec.description or "custom check: no rows expected",
                )
            )
    finally:
        wh.close()
    results.extend(_set_aside(project))
    return CheckReport(results)


def _reconcile(project: Project, wh: Any, table: str) -> CheckResult:
    manifest = read_manifest(project.store, project.processed, table, missing_ok=True)
    name = "rows_reconcile"
    if manifest is None:
        return CheckResult(
            name, table, "fail", 0, "no processed manifest: run `lakeferry transform`"
        )
    try:
        loaded = wh.query(f"SELECT count(*) AS n FROM {quote_ident(table)}").column(0)[0].as_py()
    except LakeferryError:
        return CheckResult(
            name,
            table,
            "fail",
            manifest["rows"],
            "table missing in the warehouse: run `lakeferry load`",
        )
    diff = abs(manifest["rows"] - loaded)
    return CheckResult(
        name,
        table,
        "pass" if diff == 0 else "fail",
        diff,
        f"processed rows {manifest['rows']} vs warehouse rows {loaded}",
    )


def _count_check(
    wh: Any, name: str, table: str, sql_count: str, sql_sample: str, description: str = ""
) -> CheckResult:
    try:
        count = int(wh.query(sql_count).column(0)[0].as_py() or 0)
    except LakeferryError as exc:
        return CheckResult(name, table, "fail", -1, f"check could not run: {exc}")
    sample = wh.query(sql_sample).to_pylist() if count else []
    return CheckResult(
        name,
        table,
        "pass" if count == 0 else "fail",
        count,
        description or name.replace("_", " "),
        sample,
    )


def _set_aside(project: Project) -> list[CheckResult]:
    """One warning per job whose latest output set rows aside."""
    out = []
    quarantine = S3Uri.parse(project.config.zones.quarantine_prefix())
    for job in project.config.jobs:
        runs = sorted(
            {_run_of(i.key) for i in project.store.list(quarantine.join(job.name).as_prefix())}
        )
        manifests = [
            read_manifest(project.store, project.processed, m, missing_ok=True)
            for m in _outputs(project, job.name)
        ]
        current = {m["run_id"] for m in manifests if m}
        latest = [r for r in runs if r in current]
        if not latest:
            out.append(
                CheckResult("set_aside", job.name, "pass", 0, "no rows set aside by the latest run")
            )
            continue
        uri = quarantine.join(job.name, f"{latest[-1]}.csv")
        count = _csv_rows(project, uri)
        out.append(
            CheckResult("set_aside", job.name, "warn", count, f"rows set aside (listed in {uri})")
        )
    return out


def _csv_rows(project: Project, uri: S3Uri) -> int:
    import duckdb

    path = quote_literal(project.store.duckdb_path(uri))
    with duckdb.connect() as con:
        project.store.configure_duckdb(con)
        row = con.execute(f"SELECT count(*) FROM read_csv({path}, header = true)").fetchone()
    return int(row[0]) if row else 0


def _run_of(key: str) -> str:
    return key.rsplit("/", 1)[-1].removesuffix(".csv")


def _outputs(project: Project, job: str) -> list[str]:
    from .etl import load_models

    spec = next(j for j in project.config.jobs if j.name == job)
    return [m.name for m in load_models(spec, project.root)]
