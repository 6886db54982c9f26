"""The result of `analyze` (and what `validate` printed), cached per model content, configuration, date and
version (DESIGN 2).

A pull request that changes nothing in the model, or a second run on the same checkout, gets
its findings from the cache: the files are read and hashed (that is all a warm run does to
them), and the entry lives in the same authenticated store as the per-file load cache. It is
input like any other: an entry of the wrong shape, forged or moved, is a miss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from egov_align.cache import Cache
from egov_align.discovery import Source
from egov_align.findings import Finding, Severity
from egov_align.i18n import from_json, json_hook
from egov_align.perf import gc_paused
from egov_align.results import Result

_SEVERITIES = {s.value: s for s in Severity}


def _code_fingerprint() -> str:
    """Every module of the package and its translations: a change to any rule, metric or
    Kiswahili text is a new cache."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted([*package.rglob("*.py"), *package.glob("locale/*.po")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def analysis_key(cache: Cache, sources: list[Source], *, max_bytes: int, config_fingerprint: str,
                 as_of: dt.date | None, notices: list[str] = (), command: str = "analyze") -> str | None:
    """A key for this exact model, configuration, date and command; None when a file cannot be read."""
    digest = hashlib.blake2b(digest_size=32)
    digest.update(f"{command}\0{_code_fingerprint()}\0{config_fingerprint}\0{as_of}\0{dt.date.today()}".encode())
    digest.update("\0".join(["notices", *notices]).encode("utf-8", "surrogateescape"))
    for source in sorted(sources, key=lambda s: s.display):
        try:
            content = source.read(max_bytes)
        except OSError:
            return None
        if len(content) > max_bytes:
            return None
        digest.update(b"\0file\0" + source.display.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.blake2b(content, digest_size=32).digest())
    return cache.key(digest.digest())


def output_key(cache: Cache, key: str, fmt: str, color: bool, lang: str, fail_on: str) -> str:
    """Where one rendering of a cached analysis is kept with its exit code (a warm run then just
    copies it out): the exit code depends on `fail_on`, which the analysis's key leaves out."""
    return cache.key(f"output\0{key}\0{fmt}\0{color}\0{lang}\0{fail_on}".encode())


@contextlib.contextmanager
def storing_output(cache: Cache, key: str, exit_code: int) -> Iterator[Callable[[bytes], None]]:
    """`remember(piece)` each piece of the output as it is printed; kept if the block ends without an error."""
    with cache.writing(key) as write:
        write(b"%d" % exit_code)
        yield write


def fetch_output(cache: Cache, key: str) -> tuple[memoryview, int] | None:
    """The exact bytes printed before, and the exit code."""
    payload = cache.get_bytes(key)
    if not payload or payload[:1] not in (b"0", b"1"):
        return None
    return payload[1:], int(bytes(payload[:1]))


def store(cache: Cache, key: str, result: Result, *, model_name: str | None, currency: str | None) -> None:
    with gc_paused():  # 150,000 records of nested lists: the collector would walk them again and again
        _store(cache, key, result, model_name, currency)


def _store(cache: Cache, key: str, result: Result, model_name: str | None, currency: str | None) -> None:
    # A finding's record is its fields up to `key` (severity written as its value, related as a
    # list), which _findings reads back; its Text goes to an entry of its own. Both written by
    # orjson from the findings as they are: no list or dict of our own built per finding first.
    cache.put(key, {"findings": [finding[:_RECORD_FIELDS] for finding in result.findings],
                    "metrics": result.metrics, "counts": result.counts,
                    "model": {"name": model_name, "currency": currency}})
    cache.put(_texts_key(cache, key), [f.text for f in result.findings], default=json_hook)


_RECORD_FIELDS = Finding._fields.index("key") + 1


def _texts_key(cache: Cache, key: str) -> str:
    """The findings' templates and fields, kept apart: only a report in another language than
    English reads them, and they are half of the entry (each carries its lists of names)."""
    return cache.key(f"texts\0{key}".encode())


def fetch(cache: Cache, key: str, *, texts: bool = False) -> tuple[Result, dict] | None:
    """The cached Result and the model's name and currency, or None (absent, forged, or not our shape).

    The findings' messages are in English; with `texts`, each finding also gets its Text back,
    to be shown in another language (i18n.message).
    """
    with gc_paused():  # decoding builds millions of objects: 2 s more with the collector on
        entry = cache.get(key)
        translations = cache.get(_texts_key(cache, key)) if texts else None
        if texts and type(translations) is not list:
            return None
        try:
            findings = _findings(entry["findings"], translations)
            metrics, counts, model = entry["metrics"], entry["counts"], entry["model"]
            if findings is None or not isinstance(metrics, dict) or not isinstance(counts, dict) or \
                    not isinstance(model, dict):
                return None
            info = {"name": model.get("name"), "currency": model.get("currency")}
            if any(value is not None and not isinstance(value, str) for value in info.values()):
                return None
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
    return Result(True, findings, metrics, counts), info


def _findings(records: list, texts: list | None) -> list[Finding] | None:
    """Findings from records of exactly the shape `store` writes (checked inline: 150,000 of them),
    with their Texts when given (one per record)."""
    if texts is not None and len(texts) != len(records):
        return None
    findings = []
    append = findings.append
    for number, (rule, severity, message, file, line, column, subject, related, finding_key) in enumerate(records):
        if not (type(rule) is str and type(message) is str and type(file) is str and type(line) is int
                and type(column) is int and (subject is None or type(subject) is str)
                and type(finding_key) is str and type(related) is list):
            return None
        if related and not all(type(r) is str for r in related):
            return None
        append(Finding(rule, _SEVERITIES[severity], message, file, line, column, subject, tuple(related),
                       finding_key, None if texts is None else from_json(texts[number])))
    return findings
