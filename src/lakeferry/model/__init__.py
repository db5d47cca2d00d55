"""The relational model (``model/*.yml``) and the SQL generated from it.

    load_model(dir) -> Model            every table, validated across tables
    Model.table(name), Model.load_order()
    TableModel.arrow_schema()           Arrow types for the ETL and the loaders
    create_table_sql(table, dialect)    CREATE TABLE for duckdb | postgres | redshift
    add_column_sql / diff_columns       evolve a live table; refuse destructive changes
    check_queries(table)                primary-key and foreign-key verification SQL

Errors:

    ValueError
    └── ModelError                      .issues: each with file, line, key path, message
"""

from .ddl import (
    CheckQuery,
    SchemaDiff,
    TypeChange,
    add_column_sql,
    check_queries,
    comment_sql,
    create_table_sql,
    diff_columns,
    get_dialect,
)
from .schema import (
    ColumnModel,
    ForeignKeyModel,
    Issue,
    Model,
    ModelError,
    RedshiftOptions,
    ReferenceModel,
    TableModel,
    load_model,
)
from .types import DIALECTS, LOGICAL_TYPES, Dialect, LogicalType, parse_type

__all__ = [
    "DIALECTS",
    "LOGICAL_TYPES",
    "CheckQuery",
    "ColumnModel",
    "Dialect",
    "ForeignKeyModel",
    "Issue",
    "LogicalType",
    "Model",
    "ModelError",
    "RedshiftOptions",
    "ReferenceModel",
    "SchemaDiff",
    "TableModel",
    "TypeChange",
    "add_column_sql",
    "check_queries",
    "comment_sql",
    "create_table_sql",
    "diff_columns",
    "get_dialect",
    "load_model",
    "parse_type",
]
