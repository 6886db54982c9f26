"""Files -> Model, or diagnostics: discover, read, parse with positions, validate, resolve.

Each file is handled on its own (`load_file`, run in worker processes for large models and
cached by content); cross-file checks (duplicate ids, references) run once over the small
per-file indexes. Every diagnostic of every file is collected before stopping, and nothing
is ever written under the model paths.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from egov_align.cache import Cache
from egov_align.discovery import (
    Discovery,
    PathNotFound,
    Source,
    discover,
    is_model_repository,
    model_paths,
)
from egov_align.findings import Finding, Severity, SourcePos, sorted_diagnostics
from egov_align.i18n import N_, Said, Text, from_json, said, to_json
from egov_align.names import VALIDATION_RULES, Suggester
from egov_align.perf import gc_paused

if TYPE_CHECKING:
    from egov_align.model import Model

_PARALLEL_MIN_BYTES = 2_000_000
_CHUNKS_PER_PROCESS = 16
# The last runs are read by this process alone while the workers pickle what they read (about a
# run's time at any scale, as the runs grow with the model): national scale, 2 cores, 4 runs each
# of 0, 1, 2 and 3 runs left.
_LEFT_TO_THIS_PROCESS = 2


# ---------------------------------------------------------------- one file


@dataclass
class FileResult:
    """What one file contributes: problems located in it, its definitions and references."""

    display: str
    problems: list[tuple] = field(default_factory=list)  # (rule, message, line, column)
    defs: list[tuple] = field(default_factory=list)  # (subject prefix, id, line, column)
    refs: list[tuple] = field(default_factory=list)  # (subject prefix, id, line, column, field)
    names: list[tuple] = field(default_factory=list)  # (subject prefix, name, id): what a planner may write for an id
    # references that are not ids at all (`owner: Ministry of Finance`), each a schema problem of this file:
    # (subject prefix, value, line, column, field)
    loose: list[tuple] = field(default_factory=list)
    elements: dict | None = None  # kind -> [element], or None when not asked for
    items: dict | None = None  # kind -> the valid elements as plain data, to cross a pipe (see _run_all)
    # subject prefixes whose ids this file may define unseen ("*": any, when it does not parse):
    # unknown references to them are knock-on errors, not reported one by one
    unsure: list[str] = field(default_factory=list)
    digest: bytes = b""  # a hash of the bytes read, or of why none were (after a NUL, which YAML cannot hold)


def content_digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def cached_result(source: Source, cache: Cache, *, max_bytes: int, want_elements: bool,
                  policies: tuple[str, ...] = (), keep_items: bool = False) -> FileResult | None:
    """The file's result from the cache, or None when its content was not seen before."""
    try:
        raw = source.read(max_bytes)
    except OSError:
        return None
    entry = cache.get(cache.key(raw))
    try:
        result = _from_entry(source.display, entry, want_elements=want_elements,
                             context={"policies": policies}) if entry is not None else None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):  # pydantic's errors are ValueErrors
        return None  # not the shape we write: a miss, whoever wrote it
    if result is not None:
        result.digest = content_digest(raw)
        if keep_items:
            result.items = entry["elements"]  # checked just now by validating it
    return result


def _to_entry(result: FileResult) -> dict:
    elements = {key: [e.model_dump(mode="json", by_alias=True, exclude_unset=True) for e in items]
                for key, items in (result.elements or {}).items()}
    return {"problems": result.problems, "defs": result.defs, "refs": result.refs, "unsure": result.unsure,
            "names": result.names, "loose": result.loose,
            "elements": elements, "texts": [to_json(getattr(message, "text", None)) for _r, message, *_ in result.problems]}


def _from_entry(display: str, entry: dict, *, want_elements: bool, context: dict) -> FileResult:
    """A FileResult from a cache entry, each part checked to be what `_to_entry` writes."""
    texts = entry.get("texts") or [None] * len(entry["problems"])
    problems = [(_text(rule), _said(_text(message), text), _number(line), _number(column))
                for (rule, message, line, column), text in zip(entry["problems"], texts, strict=True)]
    if any(rule not in VALIDATION_RULES for rule, *_ in problems):
        raise ValueError("unknown rule")
    # 65,000 definitions and 200,000 references at national scale: their types checked inline
    defs, refs = entry["defs"], entry["refs"]
    if not all(type(prefix) is str and type(element_id) is str and type(line) is int and type(column) is int
               for prefix, element_id, line, column in defs):
        raise TypeError("a definition of another shape")
    if not all(type(prefix) is str and type(target) is str and type(line) is int and type(column) is int
               and type(name) is str for prefix, target, line, column, name in refs):
        raise TypeError("a reference of another shape")
    names, loose = entry["names"], entry["loose"]
    if not all(type(prefix) is str and type(name) is str and type(element_id) is str
               for prefix, name, element_id in names):
        raise TypeError("a name of another shape")
    if not all(type(prefix) is str and type(value) is str and type(line) is int and type(column) is int
               and type(name) is str for prefix, value, line, column, name in loose):
        raise TypeError("a loose reference of another shape")
    unsure = [_text(prefix) for prefix in entry["unsure"]]
    elements = None
    if want_elements:
        from egov_align.parsing import elements_from_entry

        elements = elements_from_entry(entry["elements"], context)
    return FileResult(display, problems, list(map(tuple, defs)), list(map(tuple, refs)), list(map(tuple, names)),
                      list(map(tuple, loose)), elements=elements, unsure=unsure)


def _said(message: str, text) -> str:
    """The message with its template again, when the entry kept one that renders to the same English."""
    if text is None:
        return message
    said = Said(from_json(text))
    if said != message:
        raise ValueError("a template that does not give its message")
    return said


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _number(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    return value


def load_file(source: Source, *, max_bytes: int, cache: Cache | None = None,
              want_elements: bool = True, policies: tuple[str, ...] = (), keep_items: bool = False) -> FileResult:
    """Read, parse and validate one file on its own, through the cache when there is one.

    The size limit is checked with `stat` before anything is read, and reading stops past it.
    """
    size = source.size()
    if size > max_bytes:
        return FileResult(source.display, [too_large(size, max_bytes)], digest=content_digest(b"\0too large: %d" % size))
    try:
        raw = source.read(max_bytes)
    except OSError as error:
        reason = source.error or f"cannot read file: {error.strerror or error}"
        return FileResult(source.display, [("unreadable-file", reason, 1, 1)],
                          digest=content_digest(b"\0unread: " + reason.encode()))
    from egov_align.parsing import parse_file  # the YAML parser and pydantic: only for files the cache lacks

    result = parse_file(source.display, raw, max_bytes=max_bytes, policies=policies, keep_items=keep_items)
    result.digest = content_digest(raw)
    if cache is not None:
        cache.put(cache.key(raw), _to_entry(result))
    if not want_elements:
        result.elements = None
    return result


def too_large(size: int, max_bytes: int) -> tuple:
    return ("unreadable-file", said(N_("file is {size:,} bytes, over the limit of {limit:,} (`max-file-bytes`); "
                                       "split it into several files"), size=size, limit=max_bytes), 1, 1)


# ---------------------------------------------------------------- the whole model


@dataclass
class LoadResult:
    model: Model | None
    diagnostics: list[Finding]
    counts: dict  # files, institutions, systems, processes, steps
    notices: list[str] = field(default_factory=list)  # what discovery skipped, and why
    # The identity of the files as read: their names and a hash of each one's bytes. The dashboard
    # keys what it shows of a model on it; hashing the bytes as they are read (in the workers) costs
    # next to nothing, reading every file again beside the analysis cost it half a second.
    digest: str = ""

    @property
    def valid(self) -> bool:
        return not self.diagnostics


def _run_all(sources: list[Source], *, max_bytes: int, cache: Cache | None, want_elements: bool,
             jobs: int, policies: tuple[str, ...] = (), meanwhile: Callable[[], object] | None = None
             ) -> list[FileResult]:
    """Every file from the cache or parsed, in worker processes when there is enough of it.

    Without elements (validate) a cache hit is cheap and taken here; with them (analyze) each
    hit is validated again by pydantic (cached data is input too), so hits are shared out to
    the workers like parsing.
    """
    results: list[FileResult] = []
    misses = sources
    if cache is not None and not want_elements:
        misses = []
        for source in sources:
            hit = cached_result(source, cache, max_bytes=max_bytes, want_elements=want_elements, policies=policies)
            if hit is None:
                misses.append(source)
            else:
                results.append(hit)
    sizes = [s.size() for s in misses]
    if jobs > 1 and len(misses) > 1 and sum(sizes) >= _PARALLEL_MIN_BYTES:
        chunks = _chunks(misses, sizes, jobs)
        import multiprocessing

        import egov_align.parsing  # noqa: F401 - YAML and pydantic imported once, before the workers fork

        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        taken = context.Value("i", 0)  # how many chunks have been taken, by this process or a worker
        # This process and jobs - 1 workers each take the next chunk when done with one, so each
        # reads what it has time for (this one may have other work first: `meanwhile`). Only
        # the workers' results cross a pipe, as plain data (see _load_chunk). Unpickling builds
        # millions of objects: with the collector paused, or it walks them all again and again.
        with gc_paused():
            workers = []
            for _ in range(jobs - 1):
                receiving, sending = context.Pipe(duplex=False)
                worker = context.Process(target=_load_in_worker, daemon=True,
                                         args=(sending, chunks, taken, max_bytes, cache, want_elements, policies))
                worker.start()
                sending.close()
                workers.append((worker, receiving))
            try:
                if meanwhile is not None:
                    meanwhile()
                for chunk in _taken(chunks, taken):
                    results.extend(_load_chunk(chunk, max_bytes, cache, want_elements, policies))
                for worker, receiving in workers:
                    results.extend(_with_elements(r, policies) for r in _received(worker, receiving))
            except BaseException:  # interrupted, or a bug of ours: no worker is left writing to a closed pipe
                for worker, _receiving in workers:
                    worker.kill()
                raise
    else:
        if meanwhile is not None:
            meanwhile()
        results.extend(_load_chunk(misses, max_bytes, cache, want_elements, policies))
    return sorted(results, key=lambda r: r.display)


def _chunks(sources: list[Source], sizes: list[int], jobs: int) -> list[list[Source]]:
    """The files in runs of about _CHUNKS_PER_PROCESS-th of a process's fair share of the
    bytes, in order: small enough that the processes finish within a run of each other."""
    target = sum(sizes) / (jobs * _CHUNKS_PER_PROCESS)
    chunks: list[list[Source]] = [[]]
    filled = 0
    for source, size in zip(sources, sizes, strict=True):
        if chunks[-1] and filled + size > target:
            chunks.append([])
            filled = 0
        chunks[-1].append(source)
        filled += size
    return chunks


def _taken(chunks: list[list[Source]], taken, *, leave: int = 0) -> Iterator[list[Source]]:
    """The chunks this process takes, one at a time, until no more than `leave` are left."""
    while True:
        with taken.get_lock():
            number = taken.value
            if number >= len(chunks) - leave:
                return
            taken.value = number + 1
        yield chunks[number]


def _load_chunk(sources, max_bytes, cache, want_elements, policies=(), plain=False) -> list[FileResult]:
    """The results of some files; `plain` (in a worker): elements as the plain data they were
    validated from, which crosses the pipe in a third of the time pydantic objects take and is
    validated again on the other side, where pydantic is faster than unpickling its objects."""
    look_up = cache is not None and want_elements  # without elements, _run_all took the hits already
    keep_items = plain and want_elements
    with gc_paused():
        results = [(look_up and cached_result(s, cache, max_bytes=max_bytes, want_elements=True, policies=policies,
                                              keep_items=keep_items))
                   or load_file(s, max_bytes=max_bytes, cache=cache, want_elements=want_elements, policies=policies,
                                keep_items=keep_items)
                   for s in sources]
    if keep_items:
        for result in results:
            result.elements = None
    return results


def _load_in_worker(sending, chunks, taken, *settings) -> None:
    """A worker process: load chunks while more than the last few are left, send the results, and
    leave at once (freeing its copy of them object by object would hold up the parent that waits)."""
    try:
        sending.send([result for chunk in _taken(chunks, taken, leave=_LEFT_TO_THIS_PROCESS)
                      for result in _load_chunk(chunk, *settings, plain=True)])
    except BaseException as error:  # noqa: BLE001 - a bug of ours: raised again in the parent
        sending.send(RuntimeError(f"loading in a worker process failed: {type(error).__name__}: {error}"))
    finally:
        sending.close()
        os._exit(0)


def _received(worker, receiving) -> list[FileResult]:
    try:
        received = receiving.recv()
    except EOFError:  # it died without a word (killed, out of memory)
        received = None
    finally:
        receiving.close()
        worker.join()
    if received is None:
        raise RuntimeError(f"a worker process loading model files ended with exit code {worker.exitcode}")
    if isinstance(received, BaseException):
        raise received
    return received


def _with_elements(result: FileResult, policies: tuple[str, ...]) -> FileResult:
    """A worker's result with its elements again (validated as they were there: the same data, the same objects)."""
    if result.items is not None:
        from egov_align.parsing import elements_from_entry

        result.elements, result.items = elements_from_entry(result.items, {"policies": policies}), None
    return result


def load(sources: list[Source], *, max_bytes: int = 5_000_000, cache: Cache | None = None,
         want_model: bool = True, jobs: int | None = None, notices=(), policies: tuple[str, ...] = (),
         meanwhile: Callable[[], object] | None = None) -> LoadResult:
    """Load and check a model; `model` is None when any diagnostic was found.

    `policies` names the configuration's policies, which `ignore` lists may name too.
    `meanwhile`: other work for this process, done while its workers read (they then read more).
    """
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    results = _run_all(sources, max_bytes=max_bytes, cache=cache, want_elements=want_model, jobs=jobs,
                       policies=tuple(policies), meanwhile=meanwhile)
    with gc_paused():
        crossing = _cross_file(results)  # may add a note to a file's first problem
        diagnostics = [Finding(rule, Severity.ERROR, str(message), r.display, line, column,
                               text=getattr(message, "text", None))
                       for r in results for rule, message, line, column in r.problems]
        diagnostics.extend(crossing)
        model = _assemble(results) if want_model and not diagnostics else None
    return LoadResult(model, sorted_diagnostics(diagnostics), _counts(results), list(notices), _identity(results))


def _identity(results: list[FileResult]) -> str:
    taken = hashlib.blake2b(digest_size=16)
    for result in results:
        name = result.display.encode()
        taken.update(len(name).to_bytes(4, "big") + name + result.digest)
    return taken.hexdigest()


def _counts(results: list[FileResult]) -> dict:
    defined = defaultdict(int)
    for result in results:
        for prefix, *_rest in result.defs:
            defined[prefix] += 1
    return {"files": len(results), "institutions": defined["institution"], "systems": defined["system"],
            "processes": defined["process"], "steps": defined["step"]}


def _cross_file(results: list[FileResult]) -> list[Finding]:
    """duplicate-id and unknown-reference across all files."""
    found: list[Finding] = []
    defined: dict[str, dict[str, tuple]] = defaultdict(dict)
    for result in results:
        for prefix, element_id, line, column in result.defs:
            table = defined[prefix]
            first = table.get(element_id)
            if first is None:
                table[element_id] = (result.display, line, column)
                continue
            if prefix == "step":
                continue  # reported within the process already
            where = f"{first[0]}:{first[1]}:{first[2]}"
            text = (Text.of(N_("a second `model` section: first at {first}, again here; the model section may appear "
                               "in one file only"), first=where) if prefix == "model" else
                    Text.of(N_("{kind} id {id} is defined twice: first at {first}, again here"),
                            kind=Text(KIND_WORDS.get(prefix, prefix)),
                            id=repr(element_id), first=where))
            found.append(Finding(
                "duplicate-id" if prefix != "model" else "schema", Severity.ERROR, text.render("en"),
                result.display, line, column, related=(f"{first[0]}:{first[1]}",), text=text))
    suggest = {prefix: Suggester(table) for prefix, table in defined.items()}
    unsure = {prefix for result in results for prefix in result.unsure}
    unchecked = 0
    named = _NamesOnceAsked(results)  # needed only for a reference that is wrong
    for result in results:
        for prefix, target, line, column, field_name in result.refs:
            if target not in defined[prefix]:
                if "*" in unsure or prefix in unsure:
                    unchecked += 1  # it may be defined where we could not read: a knock-on error
                    continue
                close = suggest[prefix].closest(target) if prefix in suggest else None
                by_name = None if close else named.get((prefix, _folded(target)))
                kind = Text(KIND_WORDS.get(prefix, prefix))
                if by_name:
                    text = Text.of(N_("`{field}` names {kind} {target}, which is not defined (did you mean {close}, "
                                      "the id of {name}?)"), field=field_name, kind=kind, target=repr(target),
                                   close=repr(by_name[0]), name=repr(by_name[1]))
                else:
                    text = Text.of(N_("`{field}` names {kind} {target}, which is not defined (did you mean {close}?)")
                                   if close else N_("`{field}` names {kind} {target}, which is not defined"),
                                   field=field_name, kind=kind, target=repr(target), close=repr(close))
                found.append(Finding("unknown-reference", Severity.ERROR, text.render("en"), result.display, line,
                                     column, text=text))
        for prefix, value, line, column, _field in result.loose:
            by_name = named.get((prefix, _folded(value)))
            if by_name:
                _add_to_problem(result, line, column, Text.of(
                    N_(" (did you mean {close}, the id of {kind} {name}?)"), close=repr(by_name[0]),
                    kind=Text(KIND_WORDS.get(prefix, prefix)), name=repr(by_name[1])))
    if unchecked:
        _note_unchecked(results, unchecked)
    return found


def _folded(name: str) -> str:
    """A name as a planner may write it for an id: any case, spaces, hyphens or underscores."""
    return " ".join(name.casefold().replace("-", " ").replace("_", " ").split())


class _NamesOnceAsked:
    """(subject prefix, folded name) -> (id, name) for names only one element of the kind has,
    gathered from every file when first asked."""

    def __init__(self, results: list[FileResult]) -> None:
        self.results, self.table = results, None

    def get(self, key: tuple[str, str]) -> tuple[str, str] | None:
        if self.table is None:
            found: dict[tuple[str, str], tuple[str, str] | None] = {}
            for result in self.results:
                for prefix, name, element_id in result.names:
                    at = (prefix, _folded(name))
                    found[at] = (element_id, name) if found.get(at, (element_id, name)) == (element_id, name) else None
            self.table = found
        return self.table.get(key)


def _add_to_problem(result: FileResult, line: int, column: int, addition: Text) -> None:
    """Extend the schema problem at this place with what only the other files can tell."""
    for number, (rule, message, at_line, at_column) in enumerate(result.problems):
        if (rule, at_line, at_column) == ("schema", line, column):
            text = getattr(message, "text", None) or Text.of("{message}", message=str(message))
            result.problems[number] = (rule, Said(Text.of("{problem}{addition}", problem=text, addition=addition)),
                                       line, column)
            return


KIND_WORDS = {"institution": N_("institution"), "capability": N_("capability"), "data": N_("data entity"),
              "system": N_("system"), "integration": N_("integration"), "service": N_("service"),
              "process": N_("process"), "step": N_("step")}


def _note_unchecked(results: list[FileResult], count: int) -> None:
    """Say once, on the first problem of a file that could not be read in full, what was not checked."""
    note = (f"; {count:,} {'reference' if count == 1 else 'references'} to ids that could be defined here "
            "were not checked: fix this first")
    for result in results:
        if result.unsure and result.problems:
            rule, message, line, column = result.problems[0]
            result.problems[0] = (rule, message + note, line, column)
            return


def _assemble(results: list[FileResult]) -> Model:
    from egov_align.model import Model  # pydantic's schema: only when a model is wanted
    from egov_align.schema import KINDS

    model = Model(files=[r.display for r in results])
    locations = model.locations
    for result in results:
        elements = result.elements or {}
        if elements.get("model"):
            model.info = elements["model"][0]
        for key in KINDS:
            table = model.kind(key)
            for element in elements.get(key, ()):
                table[element.id] = element
        for prefix, element_id, line, column in result.defs:
            locations[subject_of(prefix, element_id)] = SourcePos(result.display, line, column)
    return model


def subject_of(prefix: str, element_id: str) -> str:
    """The subject a file's definition (prefix, id) is known by in a model's locations and findings."""
    return "model" if prefix == "model" else f"{prefix}:{element_id}"


def changed_parts(old: list[Source], new: list[Source], *, max_bytes: int, cache: Cache | None = None,
                  policies: tuple[str, ...] = (), roots: tuple[str, str] = ("", "")) -> tuple[Model, Model] | None:
    """Two models made of only the files that differ between `old` and `new` (by path and content),
    or None when one of those files has a problem of its own. `roots`: the folder each side's
    paths are taken from (a diff of two directories compares old/models/x.yaml with new/models/x.yaml).

    For comparing two models already known to be valid as wholes (a cached analysis is only ever
    made of a valid model): ids are unique per kind in a valid model, so an element of a file
    both sides share is the same on both and is defined in no other file of either side, and the
    differences between the two models are the differences between these parts. Nothing is
    checked across files here.
    """
    def contents(sources: list[Source], root: str) -> dict[str, tuple[Source, bytes | None]]:
        found = {}
        for source in sources:
            name = os.path.relpath(source.display, root) if root else source.display
            try:
                found[name] = (source, source.read(max_bytes))
            except OSError:
                found[name] = (source, None)  # compared as changed, and its problem found below
        return found

    before, after = contents(old, roots[0]), contents(new, roots[1])
    parts = []
    for mine, theirs in ((before, after), (after, before)):
        changed = [source for name, (source, content) in mine.items()
                   if content is None or theirs.get(name, (None, None))[1] != content]
        results = _run_all(changed, max_bytes=max_bytes, cache=cache, want_elements=True, jobs=1, policies=policies)
        if any(result.problems for result in results):
            return None
        parts.append(_assemble(results))
    return parts[0], parts[1]


def load_paths(paths, *, config, cache: Cache | None = None, want_model: bool = True,
               jobs: int | None = None, cwd: Path | None = None) -> LoadResult:
    found = discover(paths, cwd=cwd)
    return load(found.sources, max_bytes=config.max_file_bytes, cache=cache, want_model=want_model, jobs=jobs,
                notices=found.notices, policies=config.policy_names)


__all__ = ["Discovery", "LoadResult", "PathNotFound", "Source", "changed_parts", "discover", "is_model_repository",
           "load", "load_file", "load_paths", "model_paths"]
