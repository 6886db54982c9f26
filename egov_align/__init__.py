"""egov-align: align government business processes with the ICT systems that support them.

Public API (the data flows one way): `load_paths` / `load` -> `Model` -> `build_graph` ->
`analyze` -> `Result` -> reporters and diagrams. Names are imported on first use, so
`egov-align validate` does not pay for networkx and the rules.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Config": "egov_align.config", "load_config": "egov_align.config",
    "Model": "egov_align.model",
    "load": "egov_align.loader", "load_paths": "egov_align.loader",
    "build_graph": "egov_align.graph",
    "Result": "egov_align.analyze", "analyze": "egov_align.analyze",
    "what_if": "egov_align.compare", "diff_models": "egov_align.compare",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'egov_align' has no attribute {name!r}")
