"""lakeferry: the S3 → crawler → catalog → SQL → ETL → warehouse → dashboard pipeline.

The Python API mirrors the CLI::

    from lakeferry import Project
    project = Project("lakeferry-demo")
    project.query("SELECT * FROM covid.us_states LIMIT 5").df()
"""

from .errors import LakeferryError
from .project import Project

__all__ = ["LakeferryError", "Project"]
__version__ = "0.1.0"
