"""ETL jobs: SQL models on DuckDB, cleaning with quarantine, atomic publishing."""

from .jobs import JobResult, Transformer, load_models
from .publish import read_manifest

__all__ = ["JobResult", "Transformer", "load_models", "read_manifest"]
