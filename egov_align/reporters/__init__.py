"""One pure `render(result, *, options) -> str` per output format; only cli.py writes. JSON and
SARIF also yield the same bytes in pieces (IN_PIECES), written as they are made.

Text follows the language in force (egov_align.i18n); JSON, SARIF and GitHub annotations are
read by machines, and Markdown goes into pull requests read across institutions: English.
"""

from __future__ import annotations

from egov_align.i18n import in_english, pieces_in_english
from egov_align.reporters import github, json_format, markdown, sarif, text
from egov_align.reporters.options import ReportOptions

REPORTERS = {
    "text": text.render,
    "json": in_english(json_format.render),
    "github": in_english(github.render),
    "sarif": in_english(sarif.render),
    "markdown": in_english(markdown.render),
}
# The formats also written in pieces as they are made (the same bytes): a national model's are 100 MB.
IN_PIECES = {
    "json": pieces_in_english(json_format.pieces),
    "sarif": pieces_in_english(sarif.pieces),
}
TRANSLATED_FORMATS = frozenset({"text"})  # the formats that show findings in the reader's language
VALIDATE_FORMATS = ("text", "json", "github", "sarif")
ANALYZE_FORMATS = tuple(REPORTERS)

__all__ = ["ANALYZE_FORMATS", "IN_PIECES", "REPORTERS", "TRANSLATED_FORMATS", "ReportOptions", "VALIDATE_FORMATS"]
