"""The result of `analyze`, cached per model content, configuration, date and version (DESIGN 2).

A pull request that changes nothing in the model, or a second run on the same checkout, gets
its findings from the cache: the files are read and hashed (that is all a warm run does to
them), and the entry lives in the same authenticated store as the per-file load cache. It is
input like any other: an entry of the wrong shape, forged or moved, is a miss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from egov_align.cache import Cache
from egov_align.discovery import Source
from egov_align.findings import Finding, Severity
from egov_align.results import Result

_SEVERITIES = {s.value: s for s in Severity}


def _code_fingerprint() -> str:
    """Every module of the package: a change to any rule or metric is a new cache."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def analysis_key(cache: Cache, sources: list[Source], *, max_bytes: int, config_fingerprint: str,
                 as_of: dt.date | None) -> str | None:
    """A key for this exact model, configuration and date; None when a file cannot be read."""
    digest = hashlib.blake2b(digest_size=32)
    digest.update(f"analysis\0{_code_fingerprint()}\0{config_fingerprint}\0{as_of}\0{dt.date.today()}".encode())
    for source in sorted(sources, key=lambda s: s.display):
        if source.size() > max_bytes:
            return None
        try:
            content = source.read(max_bytes)
        except OSError:
            return None
        digest.update(b"\0file\0" + source.display.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.blake2b(content, digest_size=32).digest())
    return cache.key(digest.digest())


def store(cache: Cache, key: str, result: Result, *, model_name: str | None, currency: str | None) -> None:
    cache.put(key, {"findings": [[f.rule, f.severity.value, f.message, f.file, f.line, f.column, f.subject,
                                  list(f.related), f.key] for f in result.findings],
                    "metrics": result.metrics, "counts": result.counts,
                    "model": {"name": model_name, "currency": currency}})


def fetch(cache: Cache, key: str) -> tuple[Result, dict] | None:
    """The cached Result and the model's name and currency, or None (absent, forged, or not our shape)."""
    entry = cache.get(key)
    try:
        findings = [Finding(_text(rule), _SEVERITIES[severity], _text(message), _text(file), _int(line),
                            _int(column), None if subject is None else _text(subject),
                            tuple(_text(r) for r in related), _text(finding_key))
                    for rule, severity, message, file, line, column, subject, related, finding_key
                    in entry["findings"]]
        metrics, counts, model = entry["metrics"], entry["counts"], entry["model"]
        if not isinstance(metrics, dict) or not isinstance(counts, dict) or not isinstance(model, dict):
            return None
        info = {"name": model.get("name"), "currency": model.get("currency")}
        if any(value is not None and not isinstance(value, str) for value in info.values()):
            return None
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return Result(True, findings, metrics, counts), info


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    return value
