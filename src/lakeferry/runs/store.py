"""The run store: every run and each of its steps, in one SQLite file in the project."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import RunError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    profile TEXT NOT NULL,
    steps TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    seconds REAL,
    rows_in INTEGER,
    rows_out INTEGER,
    set_aside INTEGER,
    bytes INTEGER,
    detail TEXT,
    error TEXT,
    PRIMARY KEY (run_id, step)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    """A sortable run id: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class RunStore:
    """Runs and steps in ``.lakeferry/runs.sqlite``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as con:
                con.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise RunError(
                f"the run store {self.path} is unreadable: {exc}",
                hint="move the file aside; a new run store is created on the next run",
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        return con

    def start(self, run_id: str, profile: str, steps: list[str]) -> None:
        """Record a run as started."""
        with self._connect() as con:
            con.execute(
                "INSERT INTO runs VALUES (?, ?, NULL, 'running', ?, ?)",
                (run_id, _now(), profile, json.dumps(steps)),
            )

    def step_started(self, run_id: str, step: str) -> None:
        """Record a step as running."""
        with self._connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO steps(run_id, step, status, started_at)"
                " VALUES (?, ?, 'running', ?)",
                (run_id, step, _now()),
            )

    def step_ended(self, run_id: str, step: str, status: str, **stats: Any) -> None:
        """Record a step's outcome and numbers."""
        with self._connect() as con:
            con.execute(
                "UPDATE steps SET status=?, ended_at=?, seconds=?, rows_in=?, rows_out=?,"
                " set_aside=?,"
                " bytes=?, detail=?, error=? WHERE run_id=? AND step=?",
                (
                    status,
                    _now(),
                    stats.get("seconds"),
                    stats.get("rows_in"),
                    stats.get("rows_out"),
                    stats.get("set_aside"),
                    stats.get("bytes"),
                    json.dumps(stats.get("detail"), default=str)
                    if stats.get("detail") is not None
                    else None,
                    stats.get("error"),
                    run_id,
                    step,
                ),
            )

    def finish(self, run_id: str, status: str) -> None:
        """Record the run's end."""
        with self._connect() as con:
            con.execute(
                "UPDATE runs SET status=?, ended_at=? WHERE run_id=?", (status, _now(), run_id)
            )

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT run_id, started_at, ended_at, status, profile FROM runs"
                " ORDER BY started_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [dict(r) for r in rows]

    def get(self, run_id: str) -> dict[str, Any]:
        """One run and its steps."""
        with self._connect() as con:
            run = con.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if run is None:
                raise RunError(f"no run {run_id!r}", hint="`lakeferry runs` lists the runs")
            steps = con.execute(
                "SELECT * FROM steps WHERE run_id = ? ORDER BY started_at", (run_id,)
            ).fetchall()
        out = dict(run)
        out["steps"] = [
            {**dict(s), "detail": json.loads(s["detail"]) if s["detail"] else None} for s in steps
        ]
        return out

    def last(self, status: str | None = None) -> dict[str, Any] | None:
        """The latest run (with a given status)."""
        sql = "SELECT run_id FROM runs"
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        with self._connect() as con:
            row = con.execute(sql + " ORDER BY started_at DESC LIMIT 1", args).fetchone()
        return self.get(row[0]) if row else None
