"""Small helpers every layer needs, with no imports of ours: rule names, suggestions, safe text.

A leaf module, so the loader, the configuration, the schema and the reporters can share
them without import cycles (and `validate` never pulls in the rules or networkx).
"""

from __future__ import annotations

import difflib
import re

from egov_align.i18n import N_

# DESIGN.md section 4, in the order `egov-align rules` lists them. rules/__init__.py registers a
# module for each, and tests/test_meta.py checks the two agree.
RULE_NAMES = (
    "unsupported-step",
    "misaligned-step",
    "inactive-support",
    "unreachable-step",
    "capability-gap",
    "integration-gap",
    "once-only-gap",
    "no-authoritative-source",
    "non-digital-service",
    "duplicate-capability",
    "conflicting-master",
    "overlapping-systems",
    "orphan-system",
    "vendor-concentration",
    "unprotected-sensitive-data",
    "unassessed-sensitive-system",
    "divergent-standards",
    "non-standard-integration",
    "fragmented-process",
)

# DESIGN.md section 3: validation diagnostics, always errors.
VALIDATION_RULES = {
    "unreadable-file": N_("The file cannot be read as UTF-8 text, is binary, or is over `max-file-bytes`."),
    "yaml-syntax": N_("The YAML does not parse."),
    "duplicate-key": N_("A mapping repeats a key (YAML would silently keep the last value)."),
    "schema": N_("Wrong type, missing or unknown field, bad value, or aliases that expand too far."),
    "duplicate-id": N_("An id repeats within its kind."),
    "unknown-reference": N_("A reference names no element of the expected kind."),
}

_LARGE_POOL = 300  # above this many candidates, compare only those of about the same length


def closest(word: object, candidates) -> str | None:
    """The candidate most like `word`: the same but for case ('MoF' for `mof`), else by
    difflib's ratio (>= 0.6); or None."""
    word = str(word)
    pool = [str(c) for c in candidates]
    folded = word.casefold()
    same = next((c for c in pool if c.casefold() == folded), None)
    if same is not None:
        return same
    if len(pool) > _LARGE_POOL:
        slack = max(2, len(word) // 4)
        pool = [c for c in pool if abs(len(c) - len(word)) <= slack]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: object, candidates) -> str:
    """' (did you mean 'x'?)' or ''."""
    close = closest(word, candidates)
    return f" (did you mean {close!r}?)" if close else ""


class Suggester:
    """did-you-mean for many misses against one large pool of ids.

    Thousands of unknown references (every institution renamed) must not cost a difflib
    pass each over thousands of ids: answers are remembered, and only the first `limit`
    distinct misses are compared at all; the rest get no suggestion.
    """

    def __init__(self, candidates, *, limit: int = 25) -> None:
        self.candidates = candidates
        self.limit = limit
        self.answers: dict[str, str | None] = {}

    def closest(self, word: str) -> str | None:
        if word not in self.answers:
            self.answers[word] = closest(word, self.candidates) if len(self.answers) < self.limit else None
        return self.answers[word]


_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: object) -> str:
    """Text safe to print on a terminal: control and bidi characters shown as escapes.

    A file name or YAML value holding ESC, BEL, CR or a right-to-left override could
    otherwise rewrite what a CI log or a planner's terminal shows.
    """
    text = str(text)
    if text.isprintable():  # every character _UNSAFE matches is unprintable: most text is returned as it is
        return text
    return _UNSAFE.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                            else f"\\u{ord(m.group()):04x}"), text)


