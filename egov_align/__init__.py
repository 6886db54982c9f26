"""egov-align: align government business processes with the ICT systems that support them.

Public API (the data flows one way): `load_paths` / `load` -> `Model` -> `build_graph` ->
`analyze` -> `Result` -> reporters and diagrams.
"""

from __future__ import annotations

__version__ = "0.1.0"

from egov_align.analyze import Result, analyze  # noqa: E402
from egov_align.config import Config, load_config  # noqa: E402
from egov_align.graph import build_graph  # noqa: E402
from egov_align.loader import load, load_paths  # noqa: E402
from egov_align.model import Model  # noqa: E402

__all__ = ["Config", "Model", "Result", "__version__", "analyze", "build_graph", "load", "load_config",
           "load_paths"]
