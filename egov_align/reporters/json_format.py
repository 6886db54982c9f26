"""DESIGN.md section 6: one JSON object."""

from __future__ import annotations

import json


def as_document(result) -> dict:
    document = {"valid": result.valid, "summary": result.summary(),
                "findings": [f.as_record() for f in result.findings]}
    if result.metrics is not None:
        document["metrics"] = result.metrics
    document["notices"] = list(result.notices)
    return document


def render(result, *, options) -> str:
    return json.dumps(as_document(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
