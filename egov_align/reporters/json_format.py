"""DESIGN.md section 6: one JSON object.

Written with orjson when it is installed (a national model's 150,000 findings serialise in a
fraction of the standard library's time), else with the standard library; both give the
same bytes, which a test checks on the sample and on a synthetic model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

from egov_align.findings import Finding
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
    return b"".join(pieces(result, options=options))


def pieces(result, *, options=None) -> Iterator[bytes]:
    """render's bytes in pieces of a few hundred findings, to be written as they come: a national
    model's 100 MB is never one buffer in memory (nor copied again for the cache), and each
    finding's dict is encoded while it is still in the processor's cache."""
    if orjson is None:
        yield encoded(as_document(result))
        return
    yield head(result.valid, result.summary())
    yield from encoded_members(result.findings, Finding.as_record, depth=2)
    yield tail(bool(result.findings), result.metrics, result.notices)


def head(valid: bool, summary: dict) -> bytes:
    """The document up to its findings' `[`: pieces' first bytes (the analysis cache writes the
    findings' members of each run of files apart, and puts a report together from them)."""
    written = orjson.dumps({"valid": valid, "summary": summary}, option=orjson.OPT_INDENT_2)
    return written[:-len(b"\n}")] + b',\n  "findings": ['


def members(findings: Sequence[Finding]) -> bytes:
    """The findings' members as pieces writes them, commas between: those of consecutive runs of
    findings, joined by a comma, are the members of all of them."""
    return b"".join(encoded_members(findings, Finding.as_record, depth=2))


def tail(any_findings: bool, metrics: dict | None, notices) -> bytes:
    """The document after its findings' members."""
    rest = {"metrics": metrics} if metrics is not None else {}
    rest["notices"] = list(notices)
    return (b"\n  ]" if any_findings else b"]") + b"," + \
        orjson.dumps(rest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)[1:]


_BATCH = 256  # members encoded at once: at national scale, 128-512 took half the time of 4,096


def encoded_members(items: Sequence, build: Callable[[object], object], *, depth: int | None) -> Iterator[bytes]:
    """The members of a JSON array whose `[` is already written, each `build(item)`, separated by
    commas; indented as orjson indents members `depth` levels deep in their document (the
    top-level object's own members are at depth 1), or not at all when `depth` is None."""
    option = 0 if depth is None else orjson.OPT_INDENT_2
    margin = b"\n" + b"  " * (depth - 1) if depth else b"\n"
    with gc_paused():
        for start in range(0, len(items), _BATCH):
            members = orjson.dumps([build(item) for item in items[start:start + _BATCH]], option=option)[1:-1]
            if depth:  # "[\n  {...}\n]": the members one level deeper (a JSON string never holds a raw newline)
                members = members[:-1].replace(b"\n", margin)
            yield members if start == 0 else b"," + members
