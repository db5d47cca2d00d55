"""SQL over the lake: DuckDB over catalog tables, Athena SQL translated with sqlglot."""

from .engine import LakeQuery, QueryExecution, QueryResult

__all__ = ["LakeQuery", "QueryExecution", "QueryResult"]
