"""DESIGN.md section 6: one JSON object.

Written with orjson when it is installed (a national model's 150,000 findings serialise in a
fraction of the standard library's time), else with the standard library; both give the
same bytes, which a test checks on the sample and on a synthetic model.
"""

from __future__ import annotations

import json

from egov_align.perf import gc_paused

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback keeps a source install working
    orjson = None


def as_document(result) -> dict:
    with gc_paused():  # 100,000 small dicts on top of a model's millions of objects
        records = [f.as_record() for f in result.findings]
    document = {"valid": result.valid, "summary": result.summary(), "findings": records}
    if result.metrics is not None:
        document["metrics"] = result.metrics
    document["notices"] = list(result.notices)
    return document


def dumps(document: dict, *, fast: bool = True, indent: bool = True) -> str:
    """Strict JSON in UTF-8 with a final newline, indented unless `indent` is False."""
    if fast and orjson is not None:
        return encoded(document, indent=indent).decode()
    if indent:
        return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


def encoded(document: dict, *, indent: bool = True) -> bytes:
    """dumps as UTF-8 bytes, without a str in between: a national model's JSON is 100 MB, and a
    str and its bytes side by side would double that at the peak."""
    if orjson is not None:
        return orjson.dumps(document, option=(orjson.OPT_INDENT_2 if indent else 0) | orjson.OPT_APPEND_NEWLINE)
    return dumps(document, fast=False, indent=indent).encode("utf-8")


def render(result, *, options) -> bytes:
    return encoded(as_document(result))
