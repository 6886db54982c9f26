"""One pure `render(result, *, options) -> str` per output format; only cli.py writes."""

from __future__ import annotations

from egov_align.reporters import github, json_format, markdown, sarif, text
from egov_align.reporters.options import ReportOptions

REPORTERS = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}
VALIDATE_FORMATS = ("text", "json", "github", "sarif")
ANALYZE_FORMATS = tuple(REPORTERS)

__all__ = ["ANALYZE_FORMATS", "REPORTERS", "ReportOptions", "VALIDATE_FORMATS"]
