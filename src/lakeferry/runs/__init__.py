"""Run records: every run of the pipeline, step by step."""

from .store import RunStore, new_run_id

__all__ = ["RunStore", "new_run_id"]
