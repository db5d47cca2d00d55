"""``lakeferry run``: crawl → transform → load → check → dashboard, recorded as a run.

Each step's outcome (status, seconds, rows in and out, rows set aside, bytes) is written
to the run store as it ends, so a failed run shows exactly where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import CatalogError, CheckFailed, LakeferryError, RunError
from .store import new_run_id

if TYPE_CHECKING:
    from ..project import Project

STEPS = ("crawl", "transform", "load", "check", "dashboard")


@dataclass
class StepOutcome:
    """One step's numbers."""

    step: str
    status: str = "ok"
    seconds: float = 0.0
    rows_in: int | None = None
    rows_out: int | None = None
    set_aside: int | None = None
    bytes: int | None = None
    detail: Any = None
    error: str | None = None


@dataclass
class RunSummary:
    """A whole run."""

    run_id: str
    status: str = "running"
    steps: list[StepOutcome] = field(default_factory=list)
    dashboards: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """A row per step, for printing."""
        return [
            {
                "step": s.step,
                "status": s.status,
                "seconds": round(s.seconds, 2),
                "rows_in": s.rows_in,
                "rows_out": s.rows_out,
                "set_aside": s.set_aside,
                "bytes": s.bytes,
            }
            for s in self.steps
        ]


def select_steps(steps: list[str] | None, from_step: str | None) -> list[str]:
    """The steps to run, validated, in pipeline order."""
    chosen = list(STEPS)
    if steps:
        unknown = [s for s in steps if s not in STEPS]
        if unknown:
            raise RunError(f"unknown step(s) {unknown}", hint=f"steps: {', '.join(STEPS)}")
        chosen = [s for s in STEPS if s in steps]
    if from_step:
        if from_step not in STEPS:
            raise RunError(f"unknown step {from_step!r}", hint=f"steps: {', '.join(STEPS)}")
        chosen = [s for s in chosen if STEPS.index(s) >= STEPS.index(from_step)]
    return chosen


def run_pipeline(
    project: Project,
    *,
    steps: list[str] | None = None,
    from_step: str | None = None,
    on_step: Callable[[str, str], None] | None = None,
) -> RunSummary:
    """Run the chosen steps in order; stop at the first failure; record everything."""
    chosen = select_steps(steps, from_step)
    summary = RunSummary(new_run_id())
    store = project.run_store
    store.start(summary.run_id, project.profile_name, chosen)
    for step in chosen:
        if on_step:
            on_step(step, "start")
        store.step_started(summary.run_id, step)
        try:
            outcome = _run_step(project, step, summary)
        except BaseException as exc:
            # not a lakeferry error (a bug, Ctrl-C): record the run as failed, then let it surface
            store.step_ended(summary.run_id, step, "failed", error=f"{type(exc).__name__}: {exc}")
            store.finish(summary.run_id, "failed")
            raise
        summary.steps.append(outcome)
        store.step_ended(
            summary.run_id,
            step,
            outcome.status,
            **{k: v for k, v in outcome.__dict__.items() if k not in ("step", "status")},
        )
        if on_step:
            on_step(step, outcome.status)
        if outcome.status == "failed":
            summary.status = "failed"
            store.finish(summary.run_id, "failed")
            return summary
    summary.status = "succeeded"
    store.finish(summary.run_id, "succeeded")
    return summary


def _run_step(project: Project, step: str, summary: RunSummary) -> StepOutcome:
    start = time.perf_counter()
    outcome = StepOutcome(step)
    try:
        _STEP_FUNCS[step](project, outcome, summary)
    except CheckFailed as exc:
        outcome.status, outcome.error = "failed", str(exc)
    except LakeferryError as exc:
        outcome.status, outcome.error = "failed", str(exc)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _crawl(project: Project, out: StepOutcome, summary: RunSummary) -> None:
    reports = project.crawl()
    objects = [o for r in reports for o in r.objects]
    out.rows_in = len(objects)
    out.rows_out = sum(len(r.tables) for r in reports)
    out.bytes = sum(o.size for o in objects)
    problems = [{"object": o.key, "problems": o.problems} for o in objects if o.problems]
    out.set_aside = len(problems)
    out.detail = {
        "tables": {t: s for r in reports for t, s in r.tables.items()},
        "problems": problems,
    }
    failed = [f"{r.database}.{t}: {why}" for r in reports for t, why in r.failed.items()]
    if failed:
        raise CatalogError("; ".join(failed))


def _transform(project: Project, out: StepOutcome, summary: RunSummary) -> None:
    results = project.transform(run_id=summary.run_id)
    out.rows_in = sum(r.rows_read for r in results)
    out.rows_out = sum(r.rows_written for r in results)
    out.set_aside = sum(r.rows_quarantined for r in results)
    out.bytes = sum(r.bytes_read for r in results)
    out.detail = [r.to_dict() | {"quarantine_sample": r.quarantine_sample} for r in results]


def _load(project: Project, out: StepOutcome, summary: RunSummary) -> None:
    results = project.load()
    out.rows_out = sum(r.rows for r in results)
    out.detail = [r.to_dict() for r in results]


def _check(project: Project, out: StepOutcome, summary: RunSummary) -> None:
    report = project.check(run_id=summary.run_id)
    out.rows_in = len(report.results)
    out.rows_out = sum(1 for r in report.results if r.status == "pass")
    out.set_aside = sum(r.count for r in report.results if r.name == "set_aside")
    out.detail = [r.to_dict() for r in report.results]
    if not report.passed:
        names = ", ".join(f"{r.table}.{r.name}" for r in report.failed)
        raise CheckFailed(f"{len(report.failed)} check(s) failed: {names}")


def _dashboard(project: Project, out: StepOutcome, summary: RunSummary) -> None:
    paths = project.build_dashboards(run_id=summary.run_id)
    summary.dashboards = [str(p) for p in paths]
    out.rows_out = len(paths)
    out.detail = summary.dashboards


_STEP_FUNCS: dict[str, Callable[[Project, StepOutcome, RunSummary], None]] = {
    "crawl": _crawl,
    "transform": _transform,
    "load": _load,
    "check": _check,
    "dashboard": _dashboard,
}
