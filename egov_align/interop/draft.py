"""What every importer builds before anything is written (DESIGN 8 and 12).

An importer turns its source into `Draft` elements whose references are still in the
source's words (`Ref`: an id, an exact name or a foreign identifier) and whose every field
remembers where it came from (`Sheet!B7`, `catalog.yaml:12`). Ids are then kept or made
from names, references resolved and every element validated by the model's own classes
(output.py), so that what an import writes is what `validate` accepts, and every problem is
told at the source's position.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from egov_align.names import did_you_mean

KIND_SINGULAR = {
    "institutions": "institution", "capabilities": "capability", "data_entities": "data entity",
    "systems": "system", "integrations": "integration", "services": "service", "processes": "process",
    "steps": "step",
}
# the order in which kinds are written, and resolved
KIND_ORDER = ("institutions", "capabilities", "data_entities", "systems", "integrations", "services", "processes")


class Ref(NamedTuple):  # a tuple: a national inventory makes a million of them
    """A reference as the source wrote it: resolved by id, then exact name, then foreign identifier."""

    kind: str
    text: str
    origin: str


class StepRef(NamedTuple):
    """A `next` entry: a step of the same process, by id or exact name."""

    text: str
    origin: str


@dataclass
class Draft:
    kind: str
    origin: str  # where the element starts in the source
    values: dict  # field -> value; Ref / [Ref] / [(Ref, role)] / [StepRef] where the field refers
    origins: dict[str, str] = field(default_factory=dict)  # field -> where its value was written
    steps: list[Draft] = field(default_factory=list)  # a process's steps, in order
    id: str | None = None  # set by assign_ids: given, or made from the name

    @property
    def name(self) -> str | None:
        name = self.values.get("name")
        return name if isinstance(name, str) else None


@dataclass
class Problem:
    position: str  # `Sheet!B7`, `file.xml:12`, `file.csv:7`
    message: str


@dataclass
class Report:
    """What an import read, mapped, left out and wrote: printed as text, or one JSON object."""

    source: str
    format: str
    counts: dict[str, dict] = field(default_factory=dict)  # source type -> {"read": n, "to": kind, "imported": m}
    mapped: list[str] = field(default_factory=list)
    not_mapped: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    def count(self, source_type: str, to: str | None, read: int = 1, imported: int | None = None) -> None:
        entry = self.counts.setdefault(source_type, {"read": 0, "to": to, "imported": 0})
        entry["read"] += read
        entry["imported"] += read if imported is None else imported

    def problem(self, position: str, message: str) -> None:
        self.problems.append(Problem(position, message))

    def left_out(self, position: str, message: str) -> None:
        self.not_mapped.append(Problem(position, message))

    def sort_problems(self) -> None:
        """In the order of the source: sheet by sheet (as counted), then row and column; others as found."""
        order = {name.removeprefix("sheet "): number for number, name in enumerate(self.counts)}

        def key(problem: Problem) -> tuple:
            sheet, _, cell = problem.position.rpartition("!")
            match = re.fullmatch(r"([A-Z]+)([0-9]+)", cell)
            if not sheet or match is None:
                return (len(order), 0, 0, "")
            return (order.get(sheet, len(order)), int(match.group(2)), len(match.group(1)), match.group(1))

        self.problems.sort(key=key)

    def as_json(self) -> dict:
        return {"source": self.source, "format": self.format, "valid": not self.problems, "counts": self.counts,
                "mapped": self.mapped, "not_mapped": [vars(p) for p in self.not_mapped], "notes": self.notes,
                "reused": self.reused, "problems": [vars(p) for p in self.problems], "written": self.written}


def slug(text: str, fallback: str) -> str:
    """An id made from a name: lower case ASCII letters, digits and `-` (DESIGN 8)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out, dash = [], False
    for char in ascii_text:
        if char.isalnum():
            out.append(char)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    made = "".join(out).strip("-")[:60].strip("-")
    return made or fallback


def unique(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … whichever is not used yet; it is then used."""
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    used.add(candidate)
    return candidate


def breadth_first(starts: list[str], following: dict[str, list[str]], everything: list[str]) -> list[str]:
    """Steps in flow order: what the starts lead to, breadth first, then the rest in their own order."""
    ordered, seen = [], set()
    queue = deque(starts)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        ordered.append(current)
        queue.extend(following.get(current, ()))
    return ordered + [item for item in everything if item not in seen]


def assign_ids(drafts: list[Draft], taken: set[str], report: Report, kind: str) -> None:
    """Keep the ids the source gives; make the others from names, `-2`, `-3` … on clashes."""
    used = set(taken) | {d.values["id"] for d in drafts if isinstance(d.values.get("id"), str)}
    made = 0
    for draft in drafts:
        given = draft.values.get("id")
        if isinstance(given, str):
            draft.id = given
            continue
        candidate = unique(slug(draft.name or "", KIND_SINGULAR[kind].replace(" ", "-")), used)
        draft.id = candidate
        draft.values = {"id": candidate, **draft.values}
        made += 1
    if made:
        report.notes.append(f"{kind}: {made} id{'s' if made != 1 else ''} made from names (no id given)")


@dataclass
class Known:
    """One kind's elements, existing and imported, by id, exact name and foreign identifier."""

    ids: set[str] = field(default_factory=set)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    by_external: dict[str, str] = field(default_factory=dict)

    def add(self, element_id: str, name: str | None, external: dict | None) -> None:
        self.ids.add(element_id)
        if name and element_id not in self.by_name.setdefault(name, []):
            self.by_name[name].append(element_id)
        for identifier in (external or {}).values():
            self.by_external.setdefault(str(identifier), element_id)

    def resolve(self, ref: Ref, report: Report) -> str | None:
        text = ref[1]
        if text in self.ids:
            return text
        named = self.by_name.get(ref.text, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            report.problem(ref.origin, f"{ref.text!r} names {len(named)} {ref.kind.replace('_', ' ')} "
                                       f"({', '.join(sorted(named))}): use the id")
            return None
        if ref.text in self.by_external:
            return self.by_external[ref.text]
        candidates = [*self.ids, *self.by_name]
        same_letters = [c for c in candidates if c.casefold() == ref.text.casefold()]
        hint = f" (did you mean {same_letters[0]!r}?)" if same_letters else did_you_mean(ref.text, candidates)
        report.problem(ref.origin, f"no {KIND_SINGULAR[ref.kind]} {ref.text!r}{hint}; give its id or exact name")
        return None
