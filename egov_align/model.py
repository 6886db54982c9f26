"""The loaded model: every element by kind and id, and where each was defined."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from egov_align.findings import SourcePos
from egov_align.schema import (
    Capability,
    DataEntity,
    Institution,
    Integration,
    ModelInfo,
    Process,
    Service,
    Step,
    System,
)


@dataclass
class Model:
    info: ModelInfo = field(default_factory=ModelInfo)
    institutions: dict[str, Institution] = field(default_factory=dict)
    capabilities: dict[str, Capability] = field(default_factory=dict)
    data_entities: dict[str, DataEntity] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    integrations: dict[str, Integration] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    locations: dict[str, SourcePos] = field(default_factory=dict)  # subject -> definition
    files: list[str] = field(default_factory=list)

    def kind(self, key: str) -> dict:
        return getattr(self, key)

    def steps(self):
        """(process, step) pairs in file order."""
        for process in self.processes.values():
            for step in process.steps:
                yield process, step

    @property
    def step_count(self) -> int:
        return sum(len(p.steps) for p in self.processes.values())

    def performer(self, process: Process, step: Step) -> str:
        return step.performer or process.owner

    def with_systems_retired(self, system_ids) -> Model:
        """A copy in which the given systems have status `retired` (the what-if)."""
        systems = dict(self.systems)
        for system_id in system_ids:
            systems[system_id] = systems[system_id].model_copy(update={"status": "retired"})
        return dataclasses.replace(self, systems=systems)

    def location(self, subject: str) -> SourcePos:
        return self.locations.get(subject) or SourcePos(self.files[0] if self.files else "", 1, 1)


def step_subject(process_id: str, step_id: str) -> str:
    return f"step:{process_id}/{step_id}"
