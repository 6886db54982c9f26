"""One pure `render(result, *, options) -> str` per output format; only cli.py writes.

Text follows the language in force (egov_align.i18n); JSON, SARIF and GitHub annotations are
read by machines, and Markdown goes into pull requests read across institutions: English.
"""

from __future__ import annotations

from egov_align.i18n import in_english
from egov_align.reporters import github, json_format, markdown, sarif, text
from egov_align.reporters.options import ReportOptions

REPORTERS = {
    "text": text.render,
    "json": in_english(json_format.render),
    "github": in_english(github.render),
    "sarif": in_english(sarif.render),
    "markdown": in_english(markdown.render),
}
TRANSLATED_FORMATS = frozenset({"text"})  # the formats that show findings in the reader's language
VALIDATE_FORMATS = ("text", "json", "github", "sarif")
ANALYZE_FORMATS = tuple(REPORTERS)

__all__ = ["ANALYZE_FORMATS", "REPORTERS", "TRANSLATED_FORMATS", "ReportOptions", "VALIDATE_FORMATS"]
