"""The ``lakeferry`` command line: one verb per stage, plus the whole run."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .errors import LakeferryError
from .output import Format, console, emit, err_console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="S3 → catalog → SQL → ETL → warehouse → dashboards, on one laptop.",
)
catalog_app = typer.Typer(no_args_is_help=True, help="Browse the catalog.")
warehouse_app = typer.Typer(no_args_is_help=True, help="SQL in the warehouse.")
dashboard_app = typer.Typer(no_args_is_help=True, help="Build or serve the dashboards.")
sample_app = typer.Typer(no_args_is_help=True, help="Generate sample raw data.")
s3_app = typer.Typer(no_args_is_help=True, help="A real S3 server (SeaweedFS) on this machine.")
app.add_typer(catalog_app, name="catalog")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(dashboard_app, name="dashboard")
app.add_typer(sample_app, name="sample")
app.add_typer(s3_app, name="s3")

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]
F = TypeVar("F", bound=Callable[..., Any])


class _State:
    project_dir: Path = Path(".")
    profile: str = "local"


state = _State()


def project() -> Any:
    """The project named by --project/--profile."""
    from .project import Project

    return Project(state.project_dir, profile=state.profile)


def handled(func: F) -> F:
    """Turn lakeferry errors into a message and exit status 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LakeferryError as exc:
            err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main_options(
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="the project folder")] = Path(
        "."
    ),
    profile: Annotated[str, typer.Option("--profile", help="which backends to use")] = "local",
) -> None:
    """Global options."""
    state.project_dir = project_dir
    state.profile = profile


@app.command()
@handled
def init(
    directory: Path,
    example: Annotated[str, typer.Option(help="the example to start from")] = "covid",
    force: bool = False,
) -> None:
    """Scaffold a pipeline project (no data)."""
    from .project import Project

    Project.init(directory, example, force=force)
    console.print(
        f"created {directory} from the {example!r} example; next:"
        f" lakeferry -p {directory} sample covid s3://covid19-lake/"
    )


@sample_app.command("covid")
@handled
def sample_covid(
    destination: Annotated[str, typer.Argument(help="s3://bucket/prefix")] = "s3://covid19-lake/",
    scale: float = 1.0,
    seed: int = 7,
    fmt: FormatOpt = Format.table,
) -> None:
    """Generate the covid example's raw data (deterministic for a seed)."""
    summary = project().sample("covid", destination, scale=scale, seed=seed)
    rows = [
        {"object": k, "bytes": v, "rows": summary.rows.get(k)} for k, v in summary.objects.items()
    ]
    emit(rows, fmt, title=f"covid sample at {destination} (scale {scale})")


@app.command()
@handled
def ingest(source: Path, destination: str) -> None:
    """Copy local files into the object store (with a progress bar on a terminal)."""
    with _byte_progress("ingest") as progress:
        result = project().ingest(source, destination, progress=progress)
    console.print(
        f"ingested {result.objects} object(s), {result.bytes:,} bytes into {result.destination}"
    )


@contextlib.contextmanager
def _byte_progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar in bytes when stdout is a terminal; otherwise nothing."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task(label, total=None)
        yield lambda sent, total: bar.update(task, completed=sent, total=total)


@s3_app.command("serve")
@handled
def s3_serve(
    port: Annotated[int, typer.Option(help="the S3 port on 127.0.0.1")] = 8333,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="data folder [default: .lakeferry/seaweedfs]")
    ] = None,
    import_lake: Annotated[
        bool, typer.Option(help="first copy the project's local lake folder into the server")
    ] = False,
) -> None:
    """Serve S3 on 127.0.0.1 with SeaweedFS for this project; Ctrl-C stops it."""
    import os
    import signal

    from .storage.seaweed import SeaweedServer

    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server as Ctrl-C does

    data = directory or project().state_dir / "seaweedfs"
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    own = bool(key and secret)  # reuse the caller's credentials, or make new ones
    if not own:
        key = secret = None
    server = SeaweedServer(data, port=port, access_key=key, secret_key=secret)
    with server, contextlib.suppress(KeyboardInterrupt):
        if import_lake:
            _import_lake(server)
        _print_serving(server, own)
        status = server.wait()
        raise LakeferryError(
            f"SeaweedFS stopped by itself (status {status})", hint=f"its log: {server.log_file}"
        )
    console.print("SeaweedFS stopped")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _print_serving(server: Any, own_credentials: bool) -> None:
    env = server.env()
    secret = (
        "# AWS_SECRET_ACCESS_KEY: the one already in this shell's environment"
        if own_credentials
        else f"export AWS_SECRET_ACCESS_KEY={env['AWS_SECRET_ACCESS_KEY']}"
    )
    lines = [
        f"SeaweedFS serves S3 on {server.endpoint_url}",
        f"  data: {server.data_dir}",
        f"  log:  {server.log_file}",
        "point lakeferry (or any S3 client) at it from another shell:",
        f"  export LAKEFERRY_STORAGE_URL='{env['LAKEFERRY_STORAGE_URL']}'",
        f"  export AWS_ACCESS_KEY_ID={env['AWS_ACCESS_KEY_ID']}",
        f"  {secret}",
        f"  export AWS_REGION={env['AWS_REGION']}",
        "Ctrl-C stops the server (its data stays in the folder).",
    ]
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _import_lake(server: Any) -> None:
    """Copy every object of the project's local lake folder into the server."""
    from .storage import LocalStore, S3Uri

    p = project()
    local = LocalStore(p.root / p.profile.storage.root)
    s3 = server.store()
    buckets = [d.name for d in sorted(local.root.glob("*")) if d.is_dir()]
    objects = size = 0
    for bucket in buckets:
        for info in local.list(S3Uri(bucket)):
            s3.put_file(local.path(info.uri), info.uri)
            objects, size = objects + 1, size + info.size
    console.print(f"imported {objects} object(s), {size:,} bytes from {local.root}")


@app.command()
@handled
def crawl(
    name: Annotated[str | None, typer.Argument(help="one crawler of lakeferry.yml")] = None,
    path: Annotated[str | None, typer.Option(help="crawl an ad hoc s3:// path")] = None,
    database: Annotated[str | None, typer.Option(help="the database for --path")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run crawlers: objects → catalog tables, with a report of every object."""
    reports = project().crawl(name, path=path, database=database)
    rows = [r for report in reports for r in report.rows()]
    emit(rows, fmt, title="crawl report")
    if fmt is Format.table:
        for report in reports:
            for table, status in report.tables.items():
                console.print(f"{report.database}.{table}: {status}")
    failed = [f"{r.database}.{t}: {why}" for r in reports for t, why in r.failed.items()]
    if failed:
        err_console.print("[bold red]error:[/bold red] " + "; ".join(failed), highlight=False)
        raise typer.Exit(1)


@catalog_app.command("list")
@handled
def catalog_list(database: str | None = None, fmt: FormatOpt = Format.table) -> None:
    """List catalog tables."""
    tables = project().catalog.list_tables(database)
    if fmt is Format.json:
        emit([t.to_dict() for t in tables], fmt)
        return
    rows = [
        {
            "database": t.database,
            "table": t.name + (" (deprecated)" if t.deprecated else ""),
            "format": t.format,
            "columns": len(t.columns),
            "objects": len(t.objects),
            "version": t.version,
            "location": t.location,
        }
        for t in tables
    ]
    emit(rows, fmt, title="catalog")


def _split_name(name: str) -> tuple[str, str]:
    if "." in name:
        db, _, table = name.partition(".")
        return db, table
    from .project import Project

    p: Project = project()
    return (p.config.crawlers[0].database if p.config.crawlers else "default"), name


@catalog_app.command("show")
@handled
def catalog_show(table: str, fmt: FormatOpt = Format.table) -> None:
    """Show one table: location, format, serde, columns, objects."""
    db, name = _split_name(table)
    found = project().catalog.get_table(db, name)
    if fmt is Format.json:
        emit(found.to_dict(), fmt)
        return
    console.print(
        f"[bold]{found.qualified_name}[/bold] v{found.version}  {found.format}"
        f"{' ' + found.compression if found.compression else ''}  {found.location}"
    )
    console.print(f"serde: {found.serde}")
    emit([c.__dict__ for c in found.columns], fmt, title="columns")
    emit(
        [
            {"object": o.key, "bytes": o.size, "problems": "; ".join(o.problems)}
            for o in found.objects
        ],
        fmt,
        title="objects",
    )


@catalog_app.command("set-type")
@handled
def catalog_set_type(
    table: Annotated[str, typer.Argument(help="TABLE or DB.TABLE")],
    column: Annotated[str, typer.Argument(help="the column's SQL or original name")],
    kind: Annotated[str, typer.Argument(metavar="TYPE", help="string, bigint, double, …")],
) -> None:
    """Set a column's type by hand; later crawls keep it (the column is marked manual)."""
    saved = project().set_column_type(table, column, kind)
    console.print(f"{saved.qualified_name}.{column}: {kind} (manual) v{saved.version}")


@catalog_app.command("history")
@handled
def catalog_history(table: str, fmt: FormatOpt = Format.table) -> None:
    """Schema versions of a table and what changed."""
    db, name = _split_name(table)
    emit(project().catalog.history(db, name), fmt, title=f"{db}.{name} history")


@app.command()
@handled
def query(
    sql: Annotated[str, typer.Argument(help="SQL (Athena dialect by default), or: history")],
    dialect: Annotated[str, typer.Option(help="athena, trino or duckdb")] = "athena",
    limit: Annotated[int, typer.Option(help="with history: how many executions")] = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run SQL over the lake (result saved as CSV), or `query history`."""
    if sql.strip().lower() == "history":
        _query_history(limit, fmt)
        return
    result = project().query(sql, dialect=dialect)
    emit(result.table, fmt, full_result=result.execution.output_location)
    if fmt is Format.table:
        ex = result.execution
        console.print(
            f"[dim]{ex.id}: {ex.rows} rows, {ex.bytes_scanned:,} bytes scanned,"
            f" saved to {ex.output_location}[/dim]"
        )


def _query_history(limit: int, fmt: Format) -> None:
    rows = project().lake().history(limit)
    if fmt is not Format.json:
        keys = ("id", "state", "submitted_at", "rows", "bytes_scanned", "output_location")
        rows = [{k: r[k] for k in keys} for r in rows]
    emit(rows, fmt, title="query history")


@app.command()
@handled
def transform(
    job: Annotated[str | None, typer.Argument(help="one job (and what it needs)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run ETL jobs into the processed zone."""
    results = project().transform(job)
    if fmt is Format.json:
        emit(
            {"jobs": [r.to_dict() | {"quarantine_sample": r.quarantine_sample} for r in results]},
            fmt,
        )
        return
    for r in results:
        emit(
            [
                {"table": t, "rows": p.rows, "bytes": p.bytes, "manifest": p.manifest}
                for t, p in r.outputs.items()
            ],
            fmt,
            title=f"job {r.job}",
        )
        if r.rows_quarantined:
            console.print(
                f"{r.rows_quarantined} row(s) set aside, listed in {r.quarantine_location}"
            )
            emit(r.quarantine_sample, fmt, title="set aside (first rows)")


@app.command()
@handled
def load(
    tables: Annotated[list[str] | None, typer.Argument(help="tables (default: all)")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Create the model's tables in the warehouse and load them."""
    emit([r.to_dict() for r in project().load(tables)], fmt, title="load")


@warehouse_app.command("query")
@handled
def warehouse_query(sql: str, fmt: FormatOpt = Format.table) -> None:
    """Run SQL in the warehouse."""
    emit(project().warehouse_query(sql), fmt)


@app.command()
@handled
def check(fmt: FormatOpt = Format.table) -> None:
    """Verify the warehouse: reconciliation, keys, relationships, custom checks."""
    report = project().check()
    if fmt is Format.json:
        emit({"passed": report.passed, "checks": [r.to_dict() for r in report.results]}, fmt)
    else:
        emit(report.rows(), fmt, title="checks")
        for r in report.failed:
            emit(r.sample, fmt, title=f"{r.table}.{r.name}: sample of offending rows")
    if not report.passed:
        raise typer.Exit(1)


@dashboard_app.command("build")
@handled
def dashboard_build() -> None:
    """Build the self-contained HTML dashboards."""
    for path in project().build_dashboards():
        console.print(f"dashboard: {path}", soft_wrap=True)


@dashboard_app.command("serve")
@handled
def dashboard_serve(port: int = 8765, host: str = "127.0.0.1") -> None:
    """Serve the built dashboards on 127.0.0.1."""
    site = project().target_dir / "dashboards"
    if not site.is_dir():
        raise LakeferryError(
            f"no dashboards built in {site}", hint="run `lakeferry dashboard build`"
        )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        console.print(f"serving {site} on http://{host}:{port}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


@app.command()
@handled
def run(
    steps: Annotated[str | None, typer.Option(help="comma-separated steps")] = None,
    from_step: Annotated[str | None, typer.Option("--from", help="start at this step")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run the whole pipeline (or part of it), recorded as a run."""
    summary = _run_with_progress(project(), steps.split(",") if steps else None, from_step, fmt)
    if summary.status != "succeeded":
        raise typer.Exit(1)


def _run_with_progress(p: Any, steps: list[str] | None, from_step: str | None, fmt: Format) -> Any:
    status = (
        console.status("starting", spinner="dots")
        if fmt is Format.table and console.is_terminal
        else None
    )

    def on_step(step: str, phase: str) -> None:
        if status is not None and phase == "start":
            status.update(f"{step} …")
        elif fmt is Format.table and phase != "start":
            console.print(f"{step}: {phase}")
        elif fmt is Format.table:
            console.print(f"{step} …")

    if status is not None:
        status.start()
    try:
        summary = p.run(steps=steps, from_step=from_step, on_step=on_step)
    finally:
        if status is not None:
            status.stop()
    _print_summary(summary, fmt)
    return summary


def _print_summary(summary: Any, fmt: Format) -> None:
    if fmt is Format.json:
        emit(
            {
                "run_id": summary.run_id,
                "status": summary.status,
                "steps": summary.rows(),
                "errors": {s.step: s.error for s in summary.steps if s.error},
                "dashboards": summary.dashboards,
            },
            fmt,
        )
        return
    emit(summary.rows(), fmt, title=f"run {summary.run_id}: {summary.status}")
    for s in summary.steps:
        if s.error:
            err_console.print(f"[bold red]{s.step} failed:[/bold red] {s.error}", highlight=False)
    for path in summary.dashboards:
        console.print(f"dashboard: {path}", soft_wrap=True)


@app.command()
@handled
def runs(
    run_id: Annotated[str | None, typer.Argument()] = None, fmt: FormatOpt = Format.table
) -> None:
    """Run history, per step: status, rows, bytes, seconds."""
    store = project().run_store
    if run_id is None:
        emit(store.runs(), fmt, title="runs")
        return
    run = store.get(run_id)
    if fmt is Format.json:
        emit(run, fmt)
        return
    console.print(f"run {run['run_id']}: {run['status']} ({run['started_at']} → {run['ended_at']})")
    emit(
        [
            {
                k: s[k]
                for k in (
                    "step",
                    "status",
                    "seconds",
                    "rows_in",
                    "rows_out",
                    "set_aside",
                    "bytes",
                    "error",
                )
            }
            for s in run["steps"]
        ],
        fmt,
    )


@app.command()
@handled
def demo(
    directory: Annotated[Path, typer.Argument(help="where to create the demo project")] = Path(
        "lakeferry-demo"
    ),
    scale: float = 1.0,
    fmt: FormatOpt = Format.table,
) -> None:
    """Example project + sample data + the whole run, on embedded defaults."""
    from .project import Project

    p = Project.init(directory, "covid", force=True)
    say = console if fmt is Format.table else err_console  # keep stdout pure CSV/JSON
    say.print(f"project: {p.root}")
    summary = p.sample("covid", p.config.zones.raw, scale=scale)
    say.print(
        f"sample: {len(summary.objects)} objects,"
        f" {sum(summary.objects.values()):,} bytes in {p.config.zones.raw}"
    )
    result = _run_with_progress(p, None, None, fmt)
    if result.status != "succeeded":
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
