"""Analyse again only what an edit can change (issue 15): one process file of 6,001 edited is
not a whole analysis again.

After each analysis its state is kept beside it in the cache: each file's digest and whether it
defines part of the landscape (institutions, capabilities, data, systems, integrations,
services, the model's own details); the landscape and the processes as pydantic dumped them, in
entries of their own; the places of what each file defines; the tables over all processes that
the process rules read (rules.PROCESS_RULES); and the findings of the rules that read every process.

When the files that changed define processes only, before and after, `analyze`:

- reads the changed files alone and checks them against every other file's ids; the rest of the
  model comes from the state, validated again by pydantic (cache content is input);
- makes the tables over all processes and the metrics again, over the whole model, as a full
  analysis does; and the consolidation plan and the findings of the rules that read every
  process too, unless what they read did not change;
- makes the process rules' findings again for the changed files, and for any other process
  that reads a table entry that changed: a capability whose providers may be ranked otherwise,
  a system the plan now retires or no longer does, an entity whose master to integrate with may
  differ, a system whose count of steps changed (successors are ranked by it);
- keeps every other finding (the landscape rules' and the other processes'), rewriting only the
  stored chunks that hold a finding made again.

Anything else is a full analysis: a landscape file changed, a file added or removed, many files
changed, policies configured, an invalid model, a state missing or not of our shape.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import os
from collections import defaultdict

from egov_align.analysis_cache import (
    RECORD_FIELDS,
    Chunk,
    Stored,
    chunk_findings,
    files_key,
    put_chunk,
    put_manifest,
    records,
    stored_at,
)
from egov_align.cache import Cache
from egov_align.config import Config
from egov_align.discovery import Source
from egov_align.findings import Finding
from egov_align.graph import Index
from egov_align.model import Model
from egov_align.perf import gc_paused
from egov_align.results import Result
from egov_align.rules import LANDSCAPE_RULES, PROCESS_RULES, RULES
from egov_align.schema import KINDS

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; without it every analysis is whole
    orjson = None

# More changed files than this share of the model is a full analysis: each is read, and the
# processes that read what they change are analysed again.
MAX_CHANGED_SHARE = 0.02
MIN_CHANGED = 16
_PROCESS_SUBJECTS = ("process:", "step:")


_LANDSCAPE = ("model", *(key for key in KINDS if key != "processes"))  # the model's details, and every kind but processes
GROUP_PROCESSES = 256  # processes per stored group of files: an edit rewrites its group's only


@dataclasses.dataclass
class _State:
    analysis: str  # the key of the analysis it is the state of
    files: list[tuple[str, str, bool, int]]  # display, digest (hex), defines landscape, processes in it
    landscape: dict[str, str]  # kind (or "model", its details) -> the entry of its elements, in file order
    groups: list[tuple[str, int, int]]  # (entry, first, end): the processes of files[first:end], in order
    places: dict[str, list]  # display -> [subject, line, column] of what it defines
    needing: dict[str, dict[str, int]]
    supported: dict[str, int]
    processes_of: dict[str, list[str]]  # with supported and the landscape, all the consolidation plan reads
    retired: frozenset[str]
    model_findings: list  # the records of the findings of the rules that read every process


@dataclasses.dataclass
class _Kept:
    """What the state had of the files not read again, and every file's processes."""

    landscape: dict[str, str]  # the entries of the landscape, which did not change
    groups: dict[int, str]  # group number -> its entry, for the groups with no file read again
    places: dict[str, list]  # display -> the places of what it defines
    by_file: dict[str, list]  # display -> its processes
    holding: set[str] = dataclasses.field(default_factory=set)  # the files that define part of the landscape
    bounds: list[tuple[int, int]] | None = None  # the groups' files, as the state has them
    same_steps: bool = False  # the changed files' processes have the same steps, needing, reading, writing, using the same


def remember(cache: Cache, digests: list[tuple[str, bytes]], *, key: str, config: Config, as_of, notices,
             model: Model, index: Index, result: Result, kept: _Kept | None = None,
             model_findings: list | None = None) -> None:
    """Keep the state of the analysis stored under `key` (of these files) for the next analysis of
    them; `kept`: what the last state had of the files not read (an analysis after an edit), and
    `model_findings` the records of the rules that read every process, when they were not run again.

    The landscape and the processes (in groups of files) are entries of their own, JSON written by
    pydantic and read back by it; those an edit did not touch are the last state's, not written again.
    """
    if orjson is None or config.policies:
        return
    kept = kept or _Kept({}, {}, {}, _processes_by_file(model))
    try:
        with gc_paused():
            landscape = kept.landscape or _put_landscape(cache, key, model)
            groups = _put_groups(cache, key, digests, kept)
            holding = _landscape_files(model, kept)
            with cache.writing(_key(cache, digests, config, as_of, notices)) as write:
                # written in pieces: no second copy of every place as Python data
                write(b'{"analysis":' + orjson.dumps(key) + b',"files":' + orjson.dumps(
                    [[display, digest.hex(), display in holding, len(kept.by_file.get(display, ()))]
                     for display, digest in digests]) + b',"landscape":' + orjson.dumps(landscape) +
                    b',"groups":' + orjson.dumps(groups) + b',"places":{')
                first = True
                for display, places in _places_by_file(model, kept.places):
                    write((b"" if first else b",") + orjson.dumps(display) + b":" + orjson.dumps(places))
                    first = False
                write(b"}," + orjson.dumps({
                    "needing": index.steps_needing_on, "supported": index.steps_supported,
                    "processes_of": {system: sorted(processes) for system, processes in index.processes_of.items()},
                    "retired": sorted(index.retired_by_plan),
                    "model_findings": model_findings if model_findings is not None else
                    records(f for f in result.findings if _reads_every_process(f.rule))})[1:])
    except _NotKept:
        pass  # written in another order than read: the next analysis of these files is a full one


def _put_landscape(cache: Cache, key: str, model: Model) -> dict[str, str]:
    """Store each kind of the landscape (in the model's order: the files', then each file's own)."""
    found = {}
    for kind in _LANDSCAPE:
        elements = ([model.info] if "model" in model.locations else []) if kind == "model" else \
            list(model.kind(kind).values())
        found[kind] = entry = cache.key(f"landscape\0{kind}\0{key}".encode())
        cache.put_bytes(entry, _adapter(kind).dump_json(elements, by_alias=True, exclude_unset=True))
    return found


def _put_groups(cache: Cache, key: str, digests, kept: _Kept) -> list[list]:
    """Store the processes in groups of files ([entry, first, end]); a group in `kept.groups` stays as it was.
    The groups are the last state's when there was one (its files are these), else made anew."""
    groups, first, count = [], 0, 0
    bounds = kept.bounds
    if bounds is None:
        bounds = []
        for number, (display, _digest) in enumerate(digests):
            count += len(kept.by_file.get(display, ()))
            if count >= GROUP_PROCESSES or number == len(digests) - 1:
                bounds.append((first, number + 1))
                first, count = number + 1, 0
    for number, (start, end) in enumerate(bounds):
        entry = kept.groups.get(number)
        if entry is None:
            entry = cache.key(f"processes\0{number}\0{key}".encode())
            processes = [process for display, _digest in digests[start:end] for process in kept.by_file.get(display, ())]
            cache.put_bytes(entry, _adapter("processes").dump_json(processes, by_alias=True, exclude_unset=True))
        groups.append([entry, start, end])
    return groups


def _landscape_files(model: Model, kept: _Kept) -> set[str]:
    """The files that define part of the landscape (the last state's, when the landscape was not read again)."""
    if kept.landscape:
        return kept.holding
    return {place.file for subject, place in model.locations.items() if not subject.startswith(_PROCESS_SUBJECTS)}


def _places_by_file(model: Model, kept: dict[str, list]):
    """(file, [subject, line, column] of what it defines) for every file: as kept, or from the model's
    locations, which hold each file's definitions together (in the order the files were read)."""
    yield from kept.items()
    current, found, seen = None, [], set(kept)
    for subject, place in model.locations.items():
        if place.file in kept:
            continue
        if place.file != current:
            if found:
                yield current, found
            if place.file in seen:
                raise _NotKept(place.file)
            current, found = place.file, []
            seen.add(current)
        found.append((subject, place.line, place.column))
    if found:
        yield current, found


class _NotKept(Exception):
    """A file's definitions are not together in the model's locations: no state is written."""


def reanalyse(cache: Cache, digests: list[tuple[str, bytes]], *, key: str, sources: list[Source], config: Config,
              as_of, notices, jobs: int | None) -> Stored | None:
    """The analysis of these files stored under `key`, made from the last one's state; None when
    a full analysis is needed (see the module's docstring for when)."""
    if orjson is None or config.policies:
        return None
    with gc_paused():
        state = _read_state(cache.get(_key(cache, digests, config, as_of, notices)), digests)
        if state is None:
            return None
        changed = {display for (display, digest), (_display, before, _landscape, _count) in
                   zip(digests, state.files, strict=True) if digest.hex() != before}
        limit = max(MIN_CHANGED, int(len(digests) * MAX_CHANGED_SHARE))
        if not changed or len(changed) > limit or any(landscape for display, _digest, landscape, _count
                                                       in state.files if display in changed):
            return None
        before = stored_at(cache, state.analysis)
        if before is None:
            return None
        made = _model(cache, state, changed, sources, config, jobs)
        if made is None:
            return None
        model, kept = made
        return _analysis(cache, key, digests, state, before, model, kept, changed, config=config, as_of=as_of,
                         notices=notices)


def _model(cache: Cache, state: _State, changed: set[str], sources: list[Source], config: Config,
           jobs: int | None) -> tuple[Model, _Kept] | None:
    """The whole model: the changed files read (and checked against all the others' ids), the rest
    from the state's entries, validated again by pydantic; and what the state had of the files not read."""
    from egov_align.loader import FileResult, _cross_file, _run_all, subject_of
    from egov_align.model import Model

    read = _run_all([s for s in sources if s.display in changed], max_bytes=config.max_file_bytes, cache=cache,
                    want_elements=True, jobs=jobs if jobs is not None else (os.cpu_count() or 1))
    if any(r.problems or any(items for key, items in r.elements.items() if key != "processes") for r in read):
        return None  # a problem (a full analysis reports it, every file read), or an edit that adds landscape
    others = [FileResult(display, defs=[_definition(subject, line, column) for subject, line, column in
                                        state.places.get(display, ())])
              for display, *_rest in state.files if display not in changed]
    if _cross_file(sorted([*read, *others], key=lambda r: r.display)):
        return None
    model = Model(files=[display for display, *_rest in state.files])
    new = {r.display: r.elements.get("processes", []) for r in read}
    kept = _Kept(state.landscape, {}, {}, {}, holding={display for display, _digest, holds, _count in state.files
                                                       if holds},
                 bounds=[(start, end) for _entry, start, end in state.groups])
    same_steps = True
    try:
        for kind, entry in state.landscape.items():
            listed = _validated(cache, kind, entry)
            if kind == "model":
                model.info = listed[0] if listed else model.info
            else:
                model.kind(kind).update((element.id, element) for element in listed)
        for number, (entry, start, end) in enumerate(state.groups):
            files = state.files[start:end]
            listed = _validated(cache, "processes", entry)
            if len(listed) != sum(count for *_rest, count in files):
                return None
            if not any(display in changed for display, *_rest in files):
                kept.groups[number] = entry
            position = 0
            for display, _digest, _holds, count in files:
                mine, position = listed[position:position + count], position + count
                if display in new:
                    processes = new[display]
                    same_steps = same_steps and _steps(processes) == _steps(mine)  # before the edit: mine
                else:
                    processes = mine
                    kept.places[display] = state.places.get(display, [])
                for process in processes:
                    if process.id in model.processes:
                        return None  # an id used twice: a full analysis says where
                    model.processes[process.id] = process
                if processes:
                    kept.by_file[display] = list(processes)
    except (ValueError, TypeError):
        return None
    kept.same_steps = same_steps
    for display in kept.holding:  # the places of the landscape, where findings about it are made
        model.locations.update((subject, _place(display, line, column)) for subject, line, column
                               in state.places.get(display, ()) if not subject.startswith(_PROCESS_SUBJECTS))
    for result in read:
        model.locations.update((subject_of(prefix, element_id), _place(result.display, line, column))
                               for prefix, element_id, line, column in result.defs)
    return model, kept


def _validated(cache: Cache, kind: str, entry: str) -> list:
    """An entry of the landscape or of processes, validated again; ValueError when missing or not ours."""
    payload = cache.get_bytes(entry)
    if payload is None:
        raise ValueError(f"no entry {entry}")
    return _adapter(kind).validate_json(bytes(payload), context={"policies": ()})  # pydantic reads no memoryview


def _analysis(cache: Cache, key: str, digests, state: _State, before: Stored, model: Model, kept: _Kept,
              changed: set[str], *, config: Config, as_of, notices) -> Stored | None:
    from egov_align.analyze import model_counts, run_rules
    from egov_align.metrics import compute_metrics

    index = Index(model)
    index.prepare()
    # The rules that read every process read its steps' ids, needs, reads, writes and systems, and the plan
    every_process_again = not (_plan_as_before(index, state, before) and kept.same_steps)
    by_file = kept.by_file
    again = changed | _reading_a_change(state, model, index, {d: p for d, p in by_file.items() if d not in changed})
    for display in again - changed:  # the places of the processes found about again
        model.locations.update((subject, _place(display, line, column))
                               for subject, line, column in kept.places.get(display, ()))
    view = dataclasses.replace(model, processes={p.id: p for display in again for p in by_file.get(display, ())})
    findings, index, _timings = run_rules(model, config=config, as_of=as_of, index=index, process_view=view,
                                          only=frozenset(RULES) - LANDSCAPE_RULES if every_process_again else
                                          PROCESS_RULES)
    made = []
    for finding in findings:
        if finding.rule in PROCESS_RULES:
            if _process_of(finding.subject) not in view.processes:
                continue  # integration-gap reads the hand-overs of every process: those of the others stand
            if finding.file not in again:
                return None  # not where a process rule's finding belongs: a full analysis
        made.append(finding)
    result = Result(True, made, compute_metrics(model, index, config.approved_standards), model_counts(model))
    chunks = _chunks(cache, key, before, again, made, state.model_findings if every_process_again else None)
    if chunks is None:
        return None
    stored = Stored(key, chunks, result.metrics, result.counts,
                    {"name": model.info.name, "currency": model.info.currency})
    put_manifest(cache, stored)
    remember(cache, digests, key=key, config=config, as_of=as_of, notices=notices, model=model, index=index,
             result=result, kept=kept, model_findings=None if every_process_again else state.model_findings)
    return stored


def _plan_as_before(index: Index, state: _State, before: Stored) -> bool:
    """The last analysis's consolidation plan, when what it is made from did not change: the
    landscape (no landscape file changed), how many steps each system supports, and the processes
    each supports. Else it is made again, as a full analysis makes it."""
    plan = before.metrics.get("consolidation")
    if index.steps_supported != state.supported or type(plan) is not list or \
            {s: sorted(p) for s, p in index.processes_of.items()} != state.processes_of:
        return False
    systems = index.model.systems
    if not all(type(item) is dict and type(item.get("system")) is str and item["system"] in systems for item in plan):
        return False
    index.__dict__["consolidation"] = plan  # functools.cached_property's own place
    return True


def _chunks(cache: Cache, key: str, before: Stored, again: set[str], made: list[Finding],
            model_findings_before: list | None) -> list[Chunk] | None:
    """The stored chunks with the findings made again in place of the old ones: only the chunks
    that hold one are written. `model_findings_before`: the records of the findings of the rules
    that read every process, when those rules were run again (else theirs stand)."""
    from egov_align.reporters import json_format

    model_again = model_findings_before is not None
    touched = set(again) | (_files_whose_findings_differ(model_findings_before, [
        f for f in made if _reads_every_process(f.rule)]) if model_again else set())
    chunks = list(before.chunks)
    lasts = [chunk.last for chunk in chunks]
    home = {display: min(bisect.bisect_left(lasts, display), len(chunks) - 1) for display in touched} if chunks else \
        dict.fromkeys(touched, 0)
    new_by_chunk: dict[int, list[Finding]] = defaultdict(list)
    for finding in made:
        if finding.file in touched:
            new_by_chunk[home[finding.file]].append(finding)
    rebuilt: dict[int, Chunk | None] = {}
    for number in sorted(set(home.values())):
        standing, texts = [], []  # the findings not made again, and their Texts as stored
        if number < len(chunks):
            found = chunk_findings(cache, chunks[number], plain_texts=True)
            if found is None:
                return None
            for finding, text in zip(*found, strict=True):
                if finding.file in touched and (finding.rule in PROCESS_RULES and finding.file in again
                                                or model_again and _reads_every_process(finding.rule)):
                    continue
                standing.append(finding)
                texts.append(text)
        pairs = sorted([*zip(standing, texts, strict=True), *((f, f.text) for f in new_by_chunk[number])],
                       key=lambda pair: pair[0].sort_key())
        if not pairs:
            rebuilt[number] = None
            continue
        findings = [finding for finding, _text in pairs]
        chunk = put_chunk(cache, key, f"again-{number}", findings, texts=[text for _finding, text in pairs])
        cache.put_bytes(chunk.json, json_format.members(findings))
        rebuilt[number] = chunk
    result = [rebuilt.get(number, chunk) for number, chunk in enumerate(chunks)]
    if not chunks and 0 in rebuilt:
        result = [rebuilt[0]]
    return [chunk for chunk in result if chunk is not None]


def _files_whose_findings_differ(before: list, made: list[Finding]) -> set[str]:
    """The files where the rules that read every process now find something else (records compared as stored)."""
    old: dict[str, list] = defaultdict(list)
    for record in before:
        old[record[3]].append(record)
    new: dict[str, list] = defaultdict(list)
    for record in orjson.loads(orjson.dumps(records(made))):
        new[record[3]].append(record)
    return {display for display in old.keys() | new.keys() if old.get(display) != new.get(display)}


def _reading_a_change(state: _State, model: Model, index: Index, others: dict[str, list]) -> set[str]:
    """The files of `others` (display -> its processes) with a step that reads a table entry that
    the changed files changed (rules.PROCESS_RULES say which tables those are)."""
    from egov_align.rules.inactive_support import INACTIVE, SHORTLIST

    retired = state.retired ^ index.retired_by_plan
    new_supported = index.steps_supported
    counted = {s for s in state.supported.keys() | new_supported.keys()
               if state.supported.get(s, 0) != new_supported.get(s, 0)}
    providers, new_needing = index.providers, index.steps_needing_on
    # capabilities whose providers suggest ranks otherwise now (advice names them in that order)
    ranked_again = {c for c in _touched(state.needing, new_needing, providers, retired)
                    if index.ranking(c, state.needing.get(c, {}), state.retired) != index.suggest(c, None)}
    # and those whose successors inactive-support may rank otherwise: a system on a shortlist (the
    # top of suggest's order; for a generic capability, any provider) whose count of steps changed
    succession = ranked_again | {
        c for c, systems in providers.items() if not counted.isdisjoint(
            systems if c in index.generic else [*index.suggest(c, SHORTLIST),
                                                *index.ranking(c, state.needing.get(c, {}), state.retired)[:SHORTLIST]])}
    sources = {e for e, systems in index.masters.items() if not retired.isdisjoint(systems)}
    if any(i.via in retired for i in model.integrations.values() if i.via):
        return set(others)  # a bus integration-gap names may be retired now, or kept
    if not (ranked_again or succession or sources or retired):
        return set()
    inactive = {s for s, system in model.systems.items() if system.status in INACTIVE}
    offers = index.capabilities_of

    def reads_a_change(step) -> bool:
        if not ranked_again.isdisjoint(step.needs) or not sources.isdisjoint(step.reads):
            return True
        if step.systems and not inactive.isdisjoint(step.systems):
            return not retired.isdisjoint(step.systems) or any(
                not succession.isdisjoint(offers[s]) for s in step.systems if s in inactive)
        return False

    return {display for display, processes in others.items()
            if any(reads_a_change(step) for process in processes for step in process.steps)}


def _touched(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], providers,
             retired: set[str]) -> set[str]:
    """Capabilities with a provider whose count of steps needing them changed, or whose retirement did."""
    found = {c for c, systems in providers.items() if not retired.isdisjoint(systems)}
    for capability in before.keys() | after.keys():
        old, new = before.get(capability, {}), after.get(capability, {})
        if old != new and any(old.get(s, 0) != new.get(s, 0) for s in providers.get(capability, ())):
            found.add(capability)
    return found


def _processes_by_file(model: Model) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for process in model.processes.values():
        found[model.locations[f"process:{process.id}"].file].append(process)
    return found


def _read_state(entry, digests: list[tuple[str, bytes]]) -> _State | None:
    """The state as remember wrote it, for exactly these files; None for anything else."""
    try:
        files = [(display, digest, holds, count) for display, digest, holds, count in entry["files"]]
        groups = [(group, start, end) for group, start, end in entry["groups"]]
        state = _State(entry["analysis"], files, entry["landscape"], groups, entry["places"],
                       entry["needing"], entry["supported"], entry["processes_of"], frozenset(entry["retired"]),
                       entry["model_findings"])
        return state if _well_formed(state, digests) else None
    except (TypeError, ValueError, KeyError):
        return None


def _well_formed(state: _State, digests: list[tuple[str, bytes]]) -> bool:
    files = state.files
    if len(files) != len(digests) or any(display != current for (display, *_rest), (current, _digest)
                                         in zip(files, digests, strict=True)):
        return False
    return (type(state.analysis) is str and all(type(d) is str and type(h) is bool and type(n) is int and n >= 0
                                                for _display, d, h, n in files)
            and _mapping_of(state.landscape, str) and set(state.landscape) == set(_LANDSCAPE)
            and all(type(group) is str and type(start) is int and type(end) is int and start < end
                    for group, start, end in state.groups)
            and [start for _group, start, _end in state.groups] == [0, *(end for _g, _s, end in state.groups[:-1])]
            and bool(state.groups) == bool(files) and (not files or state.groups[-1][2] == len(files))
            and _mapping_of(state.supported, int) and _mapping_of(state.processes_of, list)
            and all(type(p) is str for processes in state.processes_of.values() for p in processes)
            and type(state.needing) is dict
            and all(_mapping_of(counts, int) for counts in state.needing.values())
            and all(type(s) is str for s in state.retired)
            and type(state.places) is dict
            and all(type(places) is list and all(type(subject) is str and type(line) is int and type(column) is int
                                                 for subject, line, column in places)
                    for places in state.places.values())
            and type(state.model_findings) is list
            and all(type(record) is list and len(record) == RECORD_FIELDS and type(record[3]) is str
                    for record in state.model_findings))


def _mapping_of(value, kind: type) -> bool:
    return type(value) is dict and all(type(k) is str and type(v) is kind for k, v in value.items())


def _key(cache: Cache, digests, config: Config, as_of, notices) -> str:
    return files_key(cache, digests, config_fingerprint=config.analysis_fingerprint(), as_of=as_of, notices=notices)


def _steps(processes: list) -> list:
    """What the rules that read every process read of these processes: their steps' ids, needs,
    reads, writes and systems, in order."""
    return [(process.id, [(step.id, step.needs, step.reads, step.writes, step.systems) for step in process.steps])
            for process in processes]


def _process_of(subject: str | None) -> str | None:
    if subject is None or not subject.startswith(_PROCESS_SUBJECTS):
        return None
    return subject.partition(":")[2].partition("/")[0]


def _reads_every_process(rule: str) -> bool:
    return rule not in PROCESS_RULES and rule not in LANDSCAPE_RULES


def _place(display: str, line: int, column: int):
    from egov_align.findings import SourcePos

    return SourcePos(display, line, column)


@functools.cache
def _adapter(key: str):
    """pydantic's validator and serialiser of a list of one kind's elements (or of the model's details), made once."""
    from pydantic import TypeAdapter

    from egov_align.schema import KINDS, ModelInfo

    kind = ModelInfo if key == "model" else KINDS[key][1]
    return TypeAdapter(list[kind])


def _definition(subject: str, line: int, column: int) -> tuple:
    """A FileResult definition from a subject: `step:p/s` -> ("step", "p/s", line, column)."""
    if subject == "model":
        return ("model", "", line, column)
    prefix, _, element_id = subject.partition(":")
    return (prefix, element_id, line, column)
