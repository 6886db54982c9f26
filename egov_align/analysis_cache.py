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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from egov_align.cache import Cache
from egov_align.discovery import Source
from egov_align.findings import Finding, Severity
from egov_align.i18n import from_json, json_hook
from egov_align.perf import gc_paused
from egov_align.results import SEVERITY_OF, Result

_SEVERITIES = {s.value: s for s in Severity}


def _code_fingerprint() -> str:
    """Every module of the package and its translations: a change to any rule, metric or
    Kiswahili text is a new cache."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted([*package.rglob("*.py"), *package.glob("locale/*.po")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_digests(sources: list[Source], max_bytes: int) -> list[tuple[str, bytes]] | None:
    """(display, digest of the content) of each file in display order; None when one cannot be read."""
    found = []
    for source in sorted(sources, key=lambda s: s.display):
        try:
            content = source.read(max_bytes)
        except OSError:
            return None
        if len(content) > max_bytes:
            return None
        found.append((source.display, hashlib.blake2b(content, digest_size=32).digest()))
    return found


def _settings(command: str, config_fingerprint: str, as_of: dt.date | None, notices) -> bytes:
    """Everything but the files an analysis depends on: the command, code, configuration, dates, notices."""
    return (f"{command}\0{_code_fingerprint()}\0{config_fingerprint}\0{as_of}\0{dt.date.today()}\0".encode()
            + "\0".join(["notices", *notices]).encode("utf-8", "surrogateescape"))


def analysis_key(cache: Cache, sources: list[Source], *, max_bytes: int, config_fingerprint: str,
                 as_of: dt.date | None, notices: list[str] = (), command: str = "analyze",
                 digests: list[tuple[str, bytes]] | None = None) -> str | None:
    """A key for this exact model, configuration, date and command; None when a file cannot be read."""
    digests = digests if digests is not None else file_digests(sources, max_bytes)
    if digests is None:
        return None
    digest = hashlib.blake2b(digest_size=32)
    digest.update(_settings(command, config_fingerprint, as_of, notices))
    for display, content in digests:
        digest.update(b"\0file\0" + display.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(content)
    return cache.key(digest.digest())


def files_key(cache: Cache, digests: list[tuple[str, bytes]], *, config_fingerprint: str, as_of: dt.date | None,
              notices: list[str] = ()) -> str:
    """A key for the same files by name (their content aside), configuration, date and code: where
    the state of the last analysis of them is kept (egov_align.incremental)."""
    digest = hashlib.blake2b(_settings("files", config_fingerprint, as_of, notices), digest_size=32)
    for display, _content in digests:
        digest.update(b"\0file\0" + display.encode("utf-8", "surrogateescape"))
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


# A stored analysis is a manifest under the analysis's key (metrics, counts, the model's name and
# currency, and its chunks) and, for each chunk, a run of about CHUNK_FINDINGS findings in the
# report's order ending at a file's last finding, three entries: the findings' records, their
# Texts (only a report in another language reads them), and their members of the JSON report
# (written when a JSON report is). An edit to a few files rewrites only the chunks their
# findings are in (egov_align.incremental); a JSON report is put together from the chunks.
CHUNK_FINDINGS = 2048
_PARTS = ("records", "texts", "json")


@dataclass(frozen=True)
class Chunk:
    first: str  # the file of its first finding, and of its last
    last: str
    counts: tuple[int, int, int]  # errors, warnings, infos
    records: str  # the keys of its three entries
    texts: str
    json: str

    @property
    def size(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Stored:
    """What the cache holds of one analysis, without its findings."""

    key: str
    chunks: list[Chunk]
    metrics: dict
    counts: dict
    info: dict  # the model's name and currency

    @property
    def summary(self) -> dict:
        """Result.summary of the stored findings."""
        errors, warnings, infos = (sum(chunk.counts[i] for chunk in self.chunks) for i in range(3))
        return {**self.counts, "errors": errors, "warnings": warnings, "infos": infos}


def store(cache: Cache, key: str, result: Result, *, model_name: str | None, currency: str | None) -> Stored:
    with gc_paused():  # 150,000 records of nested lists: the collector would walk them again and again
        chunks = [put_chunk(cache, key, str(number), findings) for number, findings in enumerate(runs(result.findings))]
        stored = Stored(key, chunks, result.metrics, result.counts, {"name": model_name, "currency": currency})
        put_manifest(cache, stored)
    return stored


def runs(findings: list[Finding]) -> Iterator[list[Finding]]:
    """The findings in runs of at least CHUNK_FINDINGS (the last one fewer), each ending at a file's last finding."""
    start, total = 0, len(findings)
    while start < total:
        end = min(start + CHUNK_FINDINGS, total)
        while end < total and findings[end].file == findings[end - 1].file:
            end += 1
        yield findings[start:end]
        start = end


def put_chunk(cache: Cache, base: str, label: str, findings: list[Finding], texts: list | None = None) -> Chunk:
    """Store a run of findings under keys made from `base` and `label`: their records and Texts
    (`texts`, when given, instead of theirs: Texts as decoded from a chunk, kept as they were).

    A finding's record is its fields up to `key` (severity written as its value, related as a
    list), which _findings reads back; orjson writes them from the findings as they are.
    """
    keys = [cache.key(f"{part}\0{base}\0{label}".encode()) for part in _PARTS]
    cache.put(keys[0], records(findings))
    cache.put(keys[1], [f.text for f in findings] if texts is None else texts, default=json_hook)
    by_severity = Counter(map(SEVERITY_OF, findings))
    return Chunk(findings[0].file, findings[-1].file,
                 (by_severity[Severity.ERROR], by_severity[Severity.WARNING], by_severity[Severity.INFO]), *keys)


def put_manifest(cache: Cache, stored: Stored) -> None:
    cache.put(stored.key, {"chunks": [[c.first, c.last, list(c.counts), c.records, c.texts, c.json]
                                      for c in stored.chunks],
                           "metrics": stored.metrics, "counts": stored.counts, "model": stored.info})


RECORD_FIELDS = Finding._fields.index("key") + 1


def records(findings: Iterable[Finding]) -> list[tuple]:
    """The findings' records as a chunk stores them: each finding's fields up to `key`."""
    return [finding[:RECORD_FIELDS] for finding in findings]


def stored_at(cache: Cache, key: str) -> Stored | None:
    """The manifest under `key`, checked to be of the shape put_manifest writes; None otherwise."""
    entry = cache.get(key)
    try:
        chunks = [Chunk(first, last, (errors, warnings, infos), records, texts, json)
                  for first, last, (errors, warnings, infos), records, texts, json in entry["chunks"]]
        metrics, counts, model = entry["metrics"], entry["counts"], entry["model"]
    except (TypeError, ValueError, KeyError):
        return None
    if not all(type(value) is str for c in chunks for value in (c.first, c.last, c.records, c.texts, c.json)) or \
            not all(type(n) is int and n >= 0 for c in chunks for n in c.counts) or \
            not all(c.size for c in chunks) or \
            not all(a.last < b.first for a, b in pairwise(chunks)) or \
            not isinstance(metrics, dict) or not isinstance(counts, dict) or not isinstance(model, dict):
        return None
    info = {"name": model.get("name"), "currency": model.get("currency")}
    if any(value is not None and not isinstance(value, str) for value in info.values()):
        return None
    return Stored(key, chunks, metrics, counts, info)


def chunk_findings(cache: Cache, chunk: Chunk, *, texts: bool = False, plain_texts: bool = False
                   ) -> tuple[list[Finding], list | None] | None:
    """A chunk's findings, with their Texts when `texts`; and with `plain_texts`, the Texts also as
    decoded (to be written again as they were). None when an entry is missing or not ours."""
    with gc_paused():
        records = cache.get(chunk.records)
        translations = cache.get(chunk.texts) if texts or plain_texts else None
        if type(records) is not list or ((texts or plain_texts) and type(translations) is not list):
            return None
        try:
            findings = _findings(records, translations if texts else None)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
    if findings is None or len(findings) != chunk.size or findings[0].file != chunk.first or \
            findings[-1].file != chunk.last or (plain_texts and len(translations) != len(findings)):
        return None
    return findings, translations if plain_texts else None


def fetch(cache: Cache, key: str, *, texts: bool = False) -> tuple[Result, dict] | None:
    """The cached Result and the model's name and currency, or None (absent, forged, or not our shape).

    The findings' messages are in English; with `texts`, each finding also gets its Text back,
    to be shown in another language (i18n.message).
    """
    stored = stored_at(cache, key)
    return None if stored is None else fetch_stored(cache, stored, texts=texts)


def fetch_stored(cache: Cache, stored: Stored, *, texts: bool = False) -> tuple[Result, dict] | None:
    """fetch, for a manifest already read."""
    findings: list[Finding] = []
    for chunk in stored.chunks:
        found = chunk_findings(cache, chunk, texts=texts)
        if found is None:
            return None
        findings.extend(found[0])
    return Result(True, findings, stored.metrics, stored.counts), stored.info


def json_members(cache: Cache, stored: Stored) -> list[memoryview] | None:
    """Each chunk's members of the JSON report, or None when one was never written."""
    found = []
    for chunk in stored.chunks:
        members = cache.get_bytes(chunk.json)
        if members is None:
            return None
        found.append(members)
    return found


def json_report(stored: Stored, members: Iterable[bytes | memoryview], notices) -> Iterator[bytes | memoryview]:
    """The JSON report of a stored analysis, from its chunks' members: the same bytes as json_format.pieces."""
    from egov_align.reporters import json_format

    yield json_format.head(True, stored.summary)
    for number, part in enumerate(members):
        if number:
            yield b","
        yield part
    yield json_format.tail(bool(stored.chunks), stored.metrics, notices)


def writing_json_report(cache: Cache, stored: Stored, result: Result) -> Iterator[bytes | memoryview]:
    """The JSON report of a result just stored, each chunk's members written to its entry as they are made."""
    return json_report(stored, _writing_members(cache, stored, result), result.notices)


def _writing_members(cache: Cache, stored: Stored, result: Result) -> Iterator[bytes]:
    from egov_align.reporters import json_format

    start = 0
    for chunk in stored.chunks:
        members = json_format.members(result.findings[start:start + chunk.size])
        start += chunk.size
        cache.put_bytes(chunk.json, members)
        yield members


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
