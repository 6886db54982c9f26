"""From drafts to model files: ids, references, the schema's check, the YAML, and the only writes.

DESIGN 12: `-o DIR` must be new or empty; `--into REPO` adds new files to a model repository
and never changes one (elements it already has, by foreign identifier or exact name, are
reused); `--force` replaces only files an earlier import wrote, known by their first line.
Nothing is written while any problem is left.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from egov_align import __version__
from egov_align.config import Config, load_config
from egov_align.discovery import Source, discover, is_model_repository, model_paths
from egov_align.interop.draft import (
    KIND_ORDER,
    KIND_SINGULAR,
    Draft,
    Known,
    Ref,
    Report,
    StepRef,
    assign_ids,
    slug,
    unique,
)
from egov_align.interop.yamltext import YamlText, scalar
from egov_align.names import did_you_mean, printable

HEADER_MARK = "Written by egov-align import"


class TargetError(Exception):
    """-o / --into / --force that cannot be honoured: a usage error (exit 2)."""


@dataclass
class Target:
    directory: Path
    into: bool = False
    force: bool = False

    @property
    def shown(self) -> str:
        return printable(str(self.directory))


def target(output: str | None, into: str | None, force: bool) -> Target:
    """Check where an import may write before reading anything."""
    if bool(output) == bool(into):
        raise TargetError("say where the model goes: -o DIR (a new or empty directory) or --into REPO "
                          "(an existing model repository)")
    if into:
        directory = Path(into)
        if not is_model_repository(directory):
            raise TargetError(f"--into {into}: not a model repository (no egov-align.toml, models/ or processes/)")
        return Target(directory, into=True, force=force)
    directory = Path(output)
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise TargetError(f"-o {output}: exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise TargetError(f"-o {output}: not empty; importers never write into an existing model: give a new or "
                          "empty directory, --into REPO to add to a model repository, or --force to replace the "
                          "files an earlier import wrote there")
    return Target(directory, force=force)


# ---------------------------------------------------------------- resolving


class _Resolver:
    def __init__(self, report: Report):
        self.report = report
        self.known = {kind: Known() for kind in KIND_ORDER}

    def value(self, value: object) -> object:
        if type(value) is str:
            return value
        if isinstance(value, Ref):
            return self.known[value.kind].resolve(value, self.report)
        if type(value) is list and value and type(value[0]) is Ref:
            known = self.known[value[0].kind]
            return [known.resolve(ref, self.report) for ref in value]
        if type(value) is tuple and isinstance(value[0], Ref):  # (entity, role)
            entity = self.value(value[0])
            return {"entity": entity} if value[1] is None else {"entity": entity, "role": value[1]}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def steps(self, process: Draft) -> list:
        ids = {step.id for step in process.steps}
        names: dict[str, list[str]] = {}
        for step in process.steps:
            if step.name:
                names.setdefault(step.name, []).append(step.id)
        resolved = []
        for step in process.steps:
            values = {}
            for name, value in step.values.items():
                if name == "next" and isinstance(value, list):
                    value = [self._step(ref, ids, names, process.id) for ref in value]
                values[name] = self.value(value)
            resolved.append((values, step.origin, step.origins))
        return resolved

    def _step(self, ref: StepRef, ids: set, names: dict, process_id: str) -> str | None:
        if ref.text in ids:
            return ref.text
        if len(names.get(ref.text, [])) == 1:
            return names[ref.text][0]
        self.report.problem(ref.origin, f"no step {ref.text!r} in process {process_id}"
                                        f"{did_you_mean(ref.text, [*ids, *names])}; give its id or exact name")
        return None


def _reuse(drafts: list[Draft], existing: dict, known: Known, kind: str, report: Report) -> list[Draft]:
    """Drafts the model does not have yet; the others take the existing element's id."""
    if not existing:
        return drafts
    by_name = {e.name: e.id for e in existing.values() if getattr(e, "name", None)}
    by_external = {(source, str(value)): e.id for e in existing.values() for source, value in e.external.items()}
    fresh = []
    for draft in drafts:
        external = draft.values.get("external") or {}
        match = next((by_external[(s, str(v))] for s, v in external.items() if (s, str(v)) in by_external), None)
        how = "the same external id"
        if match is None and draft.name in by_name:
            match, how = by_name[draft.name], "the same name"
        if match is None:
            fresh.append(draft)
            continue
        given = draft.values.get("id")
        draft.id = match
        known.add(match, draft.name, {**external, "given": given} if isinstance(given, str) else external)
        report.reused.append(f"{KIND_SINGULAR[kind]} {draft.name or match!r} ({draft.origin}): already in the model "
                             f"as {match} ({how}); not written again")
    return fresh


def _integration_ids(drafts: list[Draft], taken: set[str]) -> None:
    """An integration without an id is `FROM->TO` (DESIGN 2), `-2`, `-3` … when that is taken."""
    for draft in drafts:
        if draft.values.get("id"):
            continue
        source, destination = draft.values.get("from"), draft.values.get("to")
        if not (isinstance(source, str) and isinstance(destination, str)):
            continue
        base = f"{source}->{destination}"
        candidate = unique(base, taken)
        draft.id = candidate
        if candidate != base:
            draft.values = {"id": candidate, **draft.values}


# ---------------------------------------------------------------- files


def header(fmt: str, source: str) -> str:
    return (f"{HEADER_MARK} {fmt} from {source} ({dt.date.today().isoformat()}, egov-align {__version__}).\n"
            "Edit freely. `egov-align import --force` replaces this file only while this first line is here.")


def _layout(target: Target, config: Config) -> tuple[Path, Path]:
    if not target.into:
        return Path("models"), Path("processes")
    roots = [Path(p) for p in config.paths]
    models = next((p for p in roots if p.name == "models"), roots[0] if roots else Path("models"))
    processes = next((p for p in roots if p.name == "processes"), models)
    return models, processes


def _free(directory: Path, relative: Path, planned: set[Path], stem_suffix: str) -> Path:
    """A file name that neither exists nor is planned (--into never changes a file)."""
    candidate, number = relative, 1
    while (directory / candidate).exists() or candidate in planned:
        number += 1
        suffix = f"-{stem_suffix}" if number == 2 and stem_suffix else f"-{number}"
        candidate = relative.with_name(f"{relative.stem}{suffix}{relative.suffix}")
    return candidate


def build_files(elements: dict[str, list[tuple]], model_info: tuple | None, *, target: Target, config: Config,
                head: str, source_stem: str) -> dict[Path, YamlText]:
    """One file per kind (split when it would pass half the size limit), one per process."""
    models_dir, processes_dir = _layout(target, config)
    files: dict[Path, YamlText] = {}

    def new_file(relative: Path, key: str) -> YamlText:
        if target.into:
            relative = _free(target.directory, relative, set(files), source_stem)
        text = YamlText(head)
        text.add(f"{key}:", None)
        files[relative] = text
        return text

    if model_info is not None:
        values, origin, origins = model_info
        text = new_file(models_dir / "model.yaml", "model")
        for name, value in values.items():
            text.add(f"  {name}: {scalar(value)}", origins.get(name, origin))
    budget = max(config.max_file_bytes // 2, 10_000)
    for kind in KIND_ORDER:
        if kind == "processes":
            continue
        items = elements.get(kind, [])
        if not items:
            continue
        name = "data" if kind == "data_entities" else kind
        text, size, part = new_file(models_dir / f"{name}.yaml", kind), 0, 1
        for values, origin, origins in items:
            before = len(text.lines)
            text.element(values, origin, origins)
            size += sum(len(line) + 1 for line in text.lines[before:])
            if size > budget:
                part += 1
                text, size = new_file(models_dir / f"{name}-{part}.yaml", kind), 0
    for values, origin, origins in elements.get("processes", []):
        text = new_file(processes_dir / f"{values['id']}.yaml", "processes")
        text.element(values, origin, origins)
    return {path: text for path, text in files.items() if len(text.lines) > len(head.splitlines()) + 1}


# ---------------------------------------------------------------- the whole import


def finish(drafts: dict[str, list[Draft]], model_info: tuple | None, report: Report, target: Target, *,
           fmt: str, source_name: str) -> None:
    """Keep or make ids, resolve references, check the elements, then write; problems go to the report.

    With --into, the repository's model is loaded first (it must be valid): its elements are
    what references may name and what imported elements are reused as.
    """
    from egov_align.loader import load

    config = load_config(target.directory) if target.into else Config()
    existing_sources: list[Source] = []
    existing_model = None
    if target.into:
        existing_sources = discover([str(p) for p in model_paths(target.directory, config.paths)]).sources
        loaded = load(existing_sources, max_bytes=config.max_file_bytes, jobs=1, policies=config.policy_names)
        if not loaded.valid:
            first = loaded.diagnostics[0]
            report.problem(f"{first.file}:{first.line}", f"the model in {target.shown} is invalid "
                           f"({len(loaded.diagnostics)} problems, first: {first.message}); fix it first "
                           f"(`egov-align validate {target.shown}`)")
            return
        existing_model = loaded.model
        if model_info is not None and existing_model.locations.get("model"):
            report.left_out(model_info[1], "the model's name, currency and date: the repository has them already")
            model_info = None
    resolver = _Resolver(report)
    fresh: dict[str, list[Draft]] = {}
    for kind in KIND_ORDER:
        known = resolver.known[kind]
        existing = existing_model.kind(kind) if existing_model else {}
        for element in existing.values():
            known.add(element.id, getattr(element, "name", None), element.external)
        items = _reuse(drafts.get(kind, []), existing, known, kind, report)
        if kind != "integrations":
            assign_ids(items, set(existing), report, kind)
        for draft in items:
            if draft.id:
                known.add(draft.id, draft.name, draft.values.get("external"))
        fresh[kind] = items
    for process in fresh.get("processes", []):
        assign_ids(process.steps, set(), report, "steps")
    elements: dict[str, list[tuple]] = {}
    for kind in KIND_ORDER:
        resolved = []
        for draft in fresh[kind]:
            values = {name: resolver.value(value) for name, value in draft.values.items() if name != "steps"}
            if draft.steps:
                values["steps"] = resolver.steps(draft)
            draft.values = values
            resolved.append(draft)
        if kind == "integrations":
            taken = set(existing_model.integrations) if existing_model else set()
            taken |= {d.values["id"] for d in resolved if d.values.get("id")}
            _integration_ids(resolved, taken)
        elements[kind] = [(d.values, d.origin, d.origins) for d in resolved]
    if report.problems:  # every bad cell and reference is told, but nothing goes further
        return
    _check(elements, model_info, existing_model, config, report)
    if report.problems:
        return
    files = build_files(elements, model_info, target=target, config=config, head=header(fmt, source_name),
                        source_stem=_stem(source_name))
    _write(files, target, report)


def _stem(source_name: str) -> str:
    return slug(Path(source_name).stem, "import")


def _check(elements: dict[str, list[tuple]], model_info: tuple | None, existing, config: Config,
           report: Report) -> None:
    """What `validate` checks, on the elements as they will be written, told at the source's positions.

    References were resolved against the import and the model it goes into, so what is left
    is the schema (types, values, required fields) and ids: each element is validated by the
    model's own classes, and ids are checked for repeats within their kind (steps: within their
    process), the existing model's included. What is written is the same data in YAML
    (yamltext.py, whose every value reads back as itself).
    """
    from pydantic import ValidationError

    from egov_align.diagnostics import describe
    from egov_align.schema import KINDS, ModelFile, ModelInfo

    context = {"policies": config.policy_names}

    def validate(cls, kind: str, values: dict, origin: str, origins: dict, steps: list | None = None) -> None:
        try:
            cls.model_validate(values, context=context)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                loc = tuple(detail["loc"])
                message = describe({**detail, "loc": (kind, 0, *loc)}, ModelFile)[0] if kind else detail["msg"]
                where = origins.get(str(loc[0]), origin) if loc else origin
                if steps is not None and loc[:1] == ("steps",) and len(loc) > 1 and isinstance(loc[1], int):
                    _values, step_origin, step_origins = steps[loc[1]]
                    where = step_origins.get(str(loc[2]), step_origin) if len(loc) > 2 else step_origin
                report.problem(where, f"schema: {message}")

    if model_info is not None:
        validate(ModelInfo, "", *model_info)
    for kind, items in elements.items():
        cls = KINDS[kind][1]
        first: dict[str, str] = {i: "the model" for i in (existing.kind(kind) if existing else {})}
        for values, origin, origins in items:
            steps = values.get("steps") if kind == "processes" else None
            data = {**values, "steps": [step[0] for step in steps]} if steps is not None else values
            validate(cls, kind, data, origin, origins, steps)
            element_id = values.get("id") or f"{values.get('from')}->{values.get('to')}"
            if element_id in first:
                report.problem(origins.get("id", origin), f"duplicate-id: {KIND_SINGULAR[kind]} id {element_id!r} "
                                                          f"is also at {first[element_id]}")
            first.setdefault(element_id, origin)
            seen_steps: dict[str, str] = {}
            for step_values, step_origin, step_origins in steps or ():
                step_id = step_values.get("id")
                if step_id in seen_steps:
                    report.problem(step_origins.get("id", step_origin), f"duplicate-id: step id {step_id!r} is also "
                                   f"at {seen_steps[step_id]} in process {values.get('id')!r}")
                seen_steps.setdefault(step_id, step_origin)


def _write(files: dict[Path, YamlText], target: Target, report: Report) -> None:
    """Create each file anew (never through a link, never over a file an import did not write)."""
    replace, refused = set(), []
    if target.directory.is_dir() and any(target.directory.iterdir()):
        for relative in files:
            path = target.directory / relative
            if not os.path.lexists(path):
                continue
            if target.into or not target.force or not _written_by_import(path):
                refused.append(str(relative))
            replace.add(relative)
    if refused:
        report.problem(target.shown, f"would replace {', '.join(refused)}, which an import did not write; "
                                     "nothing written")
        return
    for directory in {relative.parent for relative in files}:
        (target.directory / directory).mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for relative, text in files.items():
        path = target.directory / relative
        if relative in replace:
            path.unlink()
        with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as handle:
            handle.write(text.text())
        report.written.append(str(relative))


def _written_by_import(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.readline().startswith(f"# {HEADER_MARK}")
