"""Files -> Model, or diagnostics: discover, read, parse with positions, validate, resolve.

Each file is handled on its own (`load_file`, run in worker processes for large models and
cached by content); cross-file checks (duplicate ids, references) run once over the small
per-file indexes. Every diagnostic of every file is collected before stopping, and nothing
is ever written under the model paths.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from egov_align.cache import Cache
from egov_align.diagnostics import describe
from egov_align.discovery import (
    Discovery,
    PathNotFound,
    Source,
    discover,
    is_model_repository,
    model_paths,
)
from egov_align.findings import Finding, Severity, SourcePos, sorted_diagnostics
from egov_align.model import Model, step_subject
from egov_align.names import VALIDATION_RULES, Suggester, did_you_mean
from egov_align.perf import gc_paused
from egov_align.positions import ParsedYaml, parse_yaml
from egov_align.schema import ID_PATTERN, KINDS, TOP_LEVEL_KEYS, ModelFile, ModelInfo

_PARALLEL_MIN_BYTES = 2_000_000


# ---------------------------------------------------------------- one file


@dataclass
class FileResult:
    """What one file contributes: problems located in it, its definitions and references."""

    display: str
    problems: list[tuple] = field(default_factory=list)  # (rule, message, line, column)
    defs: list[tuple] = field(default_factory=list)  # (subject prefix, id, line, column)
    refs: list[tuple] = field(default_factory=list)  # (subject prefix, id, line, column, field)
    elements: dict | None = None  # kind -> [element], or None when not asked for
    # subject prefixes whose ids this file may define unseen ("*": any, when it does not parse):
    # unknown references to them are knock-on errors, not reported one by one
    unsure: list[str] = field(default_factory=list)


def _decode(raw: bytes, max_bytes: int) -> tuple[str | None, tuple | None]:
    if len(raw) > max_bytes:
        return None, _too_large(len(raw), max_bytes)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0) != (raw[1] == 0)):
        return None, ("unreadable-file", "UTF-16 is not supported: save this file as UTF-8", 1, 1)
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        return None, ("unreadable-file", "this is a binary file, not YAML text", 1, 1)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, ("unreadable-file", f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be "
                      "decoded; save the file as UTF-8", line, column)


_WELL_FORMED_ID = re.compile(ID_PATTERN)


def _references(key: str, index: int, item: dict, parsed: ParsedYaml) -> list[tuple]:
    """(subject prefix, id, line, column, field) for every well-formed cross-file reference of one element.

    Read from the element as written, so an element with a schema error elsewhere (a
    misspelt field) still has its references checked in the same run; located while the
    file's positions are at hand, so an unknown one needs no second parse.
    """
    base = (key, index)
    refs: list[tuple] = []
    lookup = parsed.lookup

    def one(prefix: str, value: object, loc: tuple) -> None:
        if isinstance(value, str) and _WELL_FORMED_ID.match(value):
            line, column = lookup(loc)
            refs.append((prefix, value, line, column, next(p for p in reversed(loc) if isinstance(p, str))))

    def many(prefix: str, values: object, loc: tuple) -> None:
        if isinstance(values, list):
            for position, value in enumerate(values):
                one(prefix, value, loc + (position,))

    get = item.get
    if key == "institutions":
        one("institution", get("parent"), base + ("parent",))
    elif key == "systems":
        one("institution", get("owner"), base + ("owner",))
        many("capability", get("capabilities"), base + ("capabilities",))
        holdings = get("data")
        if isinstance(holdings, list):
            for position, holding in enumerate(holdings):
                if isinstance(holding, dict):
                    one("data", holding.get("entity"), base + ("data", position, "entity"))
    elif key == "integrations":
        for name in ("from", "to", "via"):
            one("system", get(name), base + (name,))
        many("data", get("data"), base + ("data",))
    elif key == "services":
        one("institution", get("provider"), base + ("provider",))
    elif key == "processes":
        one("institution", get("owner"), base + ("owner",))
        one("service", get("service"), base + ("service",))
        steps = get("steps")
        for number, step in enumerate(steps if isinstance(steps, list) else ()):
            if not isinstance(step, dict):
                continue
            at = base + ("steps", number)
            one("institution", step.get("performer"), at + ("performer",))
            for name, prefix in (("needs", "capability"), ("reads", "data"), ("writes", "data"), ("systems", "system")):
                many(prefix, step.get(name), at + (name,))
    return refs


def _step_problems(index: int, process) -> list[tuple]:
    """Step ids unique within the process and `next` naming steps of the same process."""
    problems: list[tuple] = []
    first: dict[str, int] = {}
    for number, step in enumerate(process.steps):
        if step.id in first:
            problems.append(("duplicate-id", ("processes", index, "steps", number, "id"),
                             f"step id {step.id!r} is used twice in process {process.id!r} "
                             f"(first as step {first[step.id] + 1})"))
        first.setdefault(step.id, number)
    for number, step in enumerate(process.steps):
        for position, target in enumerate(step.next or ()):
            if target not in first:
                problems.append(("unknown-reference", ("processes", index, "steps", number, "next", position),
                                 f"`next` names step {target!r}, which is not a step of process "
                                 f"{process.id!r}{did_you_mean(target, first)}"))
    return problems


def cached_result(source: Source, cache: Cache, *, max_bytes: int, want_elements: bool,
                  policies: tuple[str, ...] = ()) -> FileResult | None:
    """The file's result from the cache, or None when its content was not seen before."""
    try:
        raw = source.read(max_bytes)
    except OSError:
        return None
    entry = cache.get(cache.key(raw))
    try:
        return _from_entry(source.display, entry, want_elements=want_elements,
                           context={"policies": policies}) if entry is not None else None
    except (ValidationError, TypeError, ValueError, KeyError, AttributeError, RecursionError):
        return None  # not the shape we write: a miss, whoever wrote it


def _to_entry(result: FileResult) -> dict:
    elements = {key: [e.model_dump(mode="json", by_alias=True, exclude_unset=True) for e in items]
                for key, items in (result.elements or {}).items()}
    return {"problems": result.problems, "defs": result.defs, "refs": result.refs, "unsure": result.unsure,
            "elements": elements}


def _from_entry(display: str, entry: dict, *, want_elements: bool, context: dict) -> FileResult:
    """A FileResult from a cache entry, each part checked to be what `_to_entry` writes."""
    problems = [(_text(rule), _text(message), _number(line), _number(column))
                for rule, message, line, column in entry["problems"]]
    if any(rule not in VALIDATION_RULES for rule, *_ in problems):
        raise ValueError("unknown rule")
    defs = [(_text(prefix), _text(element_id), _number(line), _number(column))
            for prefix, element_id, line, column in entry["defs"]]
    refs = [(_text(prefix), _text(target), _number(line), _number(column), _text(name))
            for prefix, target, line, column, name in entry["refs"]]
    unsure = [_text(prefix) for prefix in entry["unsure"]]
    elements = None
    if want_elements:
        elements = {}
        for key, items in entry["elements"].items():
            element_class = ModelInfo if key == "model" else KINDS[key][1]
            elements[key] = [element_class.model_validate(item, context=context) for item in items]
    return FileResult(display, problems, defs, refs, elements, unsure)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _number(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    return value


def load_file(source: Source, *, max_bytes: int, cache: Cache | None = None,
              want_elements: bool = True, policies: tuple[str, ...] = ()) -> FileResult:
    """Read, parse and validate one file on its own, through the cache when there is one.

    The size limit is checked with `stat` before anything is read, and reading stops past it.
    """
    size = source.size()
    if size > max_bytes:
        return FileResult(source.display, [_too_large(size, max_bytes)])
    try:
        raw = source.read(max_bytes)
    except OSError as error:
        reason = source.error or f"cannot read file: {error.strerror or error}"
        return FileResult(source.display, [("unreadable-file", reason, 1, 1)])
    result = _load_text(source.display, raw, max_bytes=max_bytes, policies=policies)
    if cache is not None:
        cache.put(cache.key(raw), _to_entry(result))
    if not want_elements:
        result.elements = None
    return result


def _too_large(size: int, max_bytes: int) -> tuple:
    return ("unreadable-file", f"file is {size:,} bytes, over the limit of {max_bytes:,} (`max-file-bytes`); "
            "split it into several files", 1, 1)


def _load_text(display: str, raw: bytes, *, max_bytes: int, policies: tuple[str, ...] = ()) -> FileResult:
    context = {"policies": policies}  # names `ignore` may list besides the built-in rules
    result = FileResult(display, elements={})
    text, problem = _decode(raw, max_bytes)
    if problem is not None:
        result.problems.append(problem)
        result.unsure.append("*")
        return result
    parsed = parse_yaml(text)
    result.problems.extend((p.rule, p.message, p.line, p.column) for p in parsed.problems)
    data = parsed.data
    if data is None:
        if parsed.problems:
            result.unsure.append("*")
        return result
    if not isinstance(data, dict):
        result.unsure.append("*")
        what = "a list" if isinstance(data, list) else "a single value"
        result.problems.append(("schema", f"a model file must be a mapping with keys such as "
                                f"{', '.join(TOP_LEVEL_KEYS)}; this file holds {what}", 1, 1))
        return result
    pending: list[tuple] = []  # (rule, loc, message, at key, at parent)
    elements: dict = {}
    for key, value in data.items():
        if key == "model":
            try:
                elements["model"] = [ModelInfo.model_validate(value if value is not None else {})]
                line, column = parsed.key_positions.get(("model",), (1, 1))
                result.defs.append(("model", "", line, column))
            except ValidationError as error:
                pending.extend(_schema_errors(error, ("model",)))
            continue
        if key not in KINDS:
            pending.append(("schema", (key,), f"unknown top-level key `{key}`"
                            f"{did_you_mean(str(key), TOP_LEVEL_KEYS)}; a model file may hold "
                            f"{', '.join(TOP_LEVEL_KEYS)}", True, False))
            continue
        prefix, element_class = KINDS[key]
        if value is None:
            continue
        if not isinstance(value, list):
            pending.append(("schema", (key,), f"`{key}` must be a list of {key.replace('_', ' ')} "
                            "(each item starting with '- id: ...')", False, False))
            result.unsure.append(prefix)
            continue
        valid = elements.setdefault(key, [])
        for index, item in enumerate(value):
            try:
                element = element_class.model_validate(item, context=context)
            except ValidationError as error:
                pending.extend(_schema_errors(error, (key, index)))
                element_id = item.get("id") if isinstance(item, dict) else None
                if key == "integrations" and element_id is None and isinstance(item, dict):
                    element_id = f"{item.get('from')}->{item.get('to')}"
                if isinstance(element_id, str):
                    line, column = parsed.lookup((key, index))  # still defined: no knock-on errors
                    result.defs.append((prefix, element_id, line, column))
                elif element_id is None or isinstance(element_id, (list, dict)):
                    result.unsure.append(prefix)  # an id we cannot know (`id: no` is known: it is false)
                if isinstance(item, dict):
                    result.refs.extend(_references(key, index, item, parsed))
                continue
            valid.append(element)
            line, column = parsed.lookup((key, index))
            result.defs.append((prefix, element.id, line, column))
            result.refs.extend(_references(key, index, item, parsed))
            if key == "processes":
                for number, step in enumerate(element.steps):
                    line, column = parsed.lookup((key, index, "steps", number))
                    result.defs.append(("step", f"{element.id}/{step.id}", line, column))
                pending.extend((rule, loc, message, False, False)
                               for rule, loc, message in _step_problems(index, element))
    if pending:
        full = parse_yaml(text, full=True)
        for rule, loc, message, at_key, at_parent in pending:
            line, column = _locate(full, loc, at_key=at_key, at_parent=at_parent)
            result.problems.append((rule, message, line, column))
    result.elements = elements
    return result


def _schema_errors(error: ValidationError, base: tuple) -> list[tuple]:
    found = []
    for detail in error.errors(include_url=False):
        loc = base + tuple(detail["loc"])
        message, at_key, at_parent = describe({**detail, "loc": loc}, ModelFile)
        found.append(("schema", loc, message, at_key, at_parent))
    return found


def _locate(parsed: ParsedYaml, loc: tuple, *, at_key: bool, at_parent: bool) -> tuple[int, int]:
    if at_parent:
        return parsed.lookup(loc[:-1])
    return parsed.lookup(loc, prefer_key=at_key)


# ---------------------------------------------------------------- the whole model


@dataclass
class LoadResult:
    model: Model | None
    diagnostics: list[Finding]
    counts: dict  # files, institutions, systems, processes, steps
    notices: list[str] = field(default_factory=list)  # what discovery skipped, and why

    @property
    def valid(self) -> bool:
        return not self.diagnostics


def _run_all(sources: list[Source], *, max_bytes: int, cache: Cache | None, want_elements: bool,
             jobs: int, policies: tuple[str, ...] = ()) -> list[FileResult]:
    """Cache hits in this process; the rest in worker processes when there is enough of it."""
    results: list[FileResult] = []
    misses = sources
    if cache is not None:
        misses = []
        for source in sources:
            hit = cached_result(source, cache, max_bytes=max_bytes, want_elements=want_elements, policies=policies)
            if hit is None:
                misses.append(source)
            else:
                results.append(hit)
    total = sum(s.size() for s in misses)
    if jobs > 1 and len(misses) > 1 and total >= _PARALLEL_MIN_BYTES:
        chunks = [misses[i::jobs] for i in range(jobs)]
        import multiprocessing

        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(_load_chunk, chunk, max_bytes, cache, want_elements, policies) for chunk in chunks]
            results.extend(r for future in futures for r in future.result())
    else:
        results.extend(_load_chunk(misses, max_bytes, cache, want_elements, policies))
    return sorted(results, key=lambda r: r.display)


def _load_chunk(sources, max_bytes, cache, want_elements, policies=()) -> list[FileResult]:
    with gc_paused():
        return [load_file(s, max_bytes=max_bytes, cache=cache, want_elements=want_elements, policies=policies)
                for s in sources]


def load(sources: list[Source], *, max_bytes: int = 5_000_000, cache: Cache | None = None,
         want_model: bool = True, jobs: int | None = None, notices=(), policies: tuple[str, ...] = ()) -> LoadResult:
    """Load and check a model; `model` is None when any diagnostic was found.

    `policies` names the configuration's policies, which `ignore` lists may name too.
    """
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    results = _run_all(sources, max_bytes=max_bytes, cache=cache, want_elements=want_model, jobs=jobs,
                       policies=tuple(policies))
    with gc_paused():
        crossing = _cross_file(results)  # may add a note to a file's first problem
        diagnostics = [Finding(rule, Severity.ERROR, message, r.display, line, column)
                       for r in results for rule, message, line, column in r.problems]
        diagnostics.extend(crossing)
        model = _assemble(results) if want_model and not diagnostics else None
    return LoadResult(model, sorted_diagnostics(diagnostics), _counts(results), list(notices))


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
            what = "a second `model` section" if prefix == "model" else f"{prefix} id {element_id!r} is defined twice"
            found.append(Finding(
                "duplicate-id" if prefix != "model" else "schema", Severity.ERROR,
                f"{what}: first at {first[0]}:{first[1]}:{first[2]}, again here"
                + ("; the model section may appear in one file only" if prefix == "model" else ""),
                result.display, line, column,
                related=(f"{first[0]}:{first[1]}",)))
    suggest = {prefix: Suggester(table) for prefix, table in defined.items()}
    unsure = {prefix for result in results for prefix in result.unsure}
    unchecked = 0
    for result in results:
        for prefix, target, line, column, field_name in result.refs:
            if target not in defined[prefix]:
                if "*" in unsure or prefix in unsure:
                    unchecked += 1  # it may be defined where we could not read: a knock-on error
                    continue
                kind_name = "data entity" if prefix == "data" else prefix
                found.append(Finding("unknown-reference", Severity.ERROR,
                                     f"`{field_name}` names {kind_name} {target!r}, which is not defined"
                                     f"{suggest[prefix](target) if prefix in suggest else ''}",
                                     result.display, line, column))
    if unchecked:
        found = _note_unchecked(found, results, unchecked)
    return found


def _note_unchecked(found: list[Finding], results: list[FileResult], count: int) -> list[Finding]:
    """Say once, on the first problem of a file that could not be read in full, what was not checked."""
    note = (f"; {count:,} {'reference' if count == 1 else 'references'} to ids that could be defined here "
            "were not checked: fix this first")
    for result in results:
        if result.unsure and result.problems:
            rule, message, line, column = result.problems[0]
            result.problems[0] = (rule, message + note, line, column)
            return found
    return found


def _assemble(results: list[FileResult]) -> Model:
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
            subject = "model" if prefix == "model" else f"{prefix}:{element_id}"
            locations[subject] = SourcePos(result.display, line, column)
    return model


def load_paths(paths, *, config, cache: Cache | None = None, want_model: bool = True,
               jobs: int | None = None, cwd: Path | None = None) -> LoadResult:
    found = discover(paths, cwd=cwd)
    return load(found.sources, max_bytes=config.max_file_bytes, cache=cache, want_model=want_model, jobs=jobs,
                notices=found.notices, policies=config.policy_names)


__all__ = ["Discovery", "LoadResult", "PathNotFound", "Source", "discover", "is_model_repository", "load",
           "load_file", "load_paths", "model_paths", "step_subject"]
