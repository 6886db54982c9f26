"""Advice names only systems in service in the model analysed, never one the same plan retires."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from egov_align.analyze import analyze
from egov_align.compare import what_if
from egov_align.config import Config
from egov_align.loader import Source, load, load_paths

ROOT = Path(__file__).resolve().parent.parent
ADVISING = ("no-authoritative-source", "once-only-gap", "misaligned-step", "inactive-support",
            "duplicate-capability", "integration-gap", "unsupported-step", "conflicting-master")


def _sample():
    return load_paths([ROOT / "models", ROOT / "processes"], config=Config(), jobs=1).model


# the last clause of duplicate-capability, misaligned-step and unsupported-step: planned systems, named
# as a choice to make (or the shared platform to move to) once they are in service
PLANNED_CLAUSE = re.compile(r"; ((?:`[^`]+`(?:, )?)+(?: and [\d,]+ more)?|[\d,]+ systems) (?:is|are) planned "
                            r"(?:to provide it too|as (?:the )?shared platforms? for it|to provide it as a shared "
                            r"service): .*$")


def _advice(message: str) -> str:
    """The part of a message that names systems to use: after its last semicolon (or `e.g.`), and
    after "take `x` off the step:" (x is named to be left, not used)."""
    advice = re.split(r"; |e\.g\. ", PLANNED_CLAUSE.sub("", message))[-1]
    return advice.partition(": ")[2] if advice.startswith("take ") else advice


@pytest.mark.parametrize("retire", [["gepg", "lrms"], ["nida-npr"], ["chf-imis", "lga-revenue"], ["govesb"]])
def test_what_if_advice_never_names_a_retired_system(retire):
    model = _sample()
    after = what_if(model, retire).after
    in_service = {s for s, system in model.with_systems_retired(retire).systems.items() if system.in_service}
    for finding in after.findings:
        if finding.rule not in ADVISING:
            continue
        named = set(re.findall(r"`([A-Za-z0-9._-]+)`", _advice(finding.message))) & set(model.systems)
        assert not named & set(retire), finding.message
        assert named <= in_service, finding.message
        planned = PLANNED_CLAUSE.search(finding.message)
        for system in re.findall(r"`([A-Za-z0-9._-]+)`", planned.group(1)) if planned else ():
            assert model.systems[system].status == "planned", finding.message


def test_the_plan_never_names_a_successor_it_retires():
    for item_set in (analyze(_sample()).metrics["consolidation"],):
        retired = {item["system"] for item in item_set}
        for item in item_set:
            assert not set(item["taken_over_by"]) & retired, item
            assert not set(item["capabilities"].values()) & retired and not set(item["data"].values()) & retired


def test_no_authoritative_source_suggests_only_holders_in_service():
    text = b"""\
institutions: [{id: x, name: X}]
data_entities: [{id: e, name: E}]
systems:
  - {id: old, name: Old, owner: x, status: retired, data: [{entity: e, role: master}]}
  - {id: now, name: Now, owner: x, data: [{entity: e}]}
"""
    model = load([Source("m.yaml", content=text)], jobs=1).model
    [finding] = [f for f in analyze(model).findings if f.rule == "no-authoritative-source"]
    assert finding.message.endswith("make `now` its master (role: master)")


def test_no_authoritative_source_names_an_active_holder_before_a_legacy_one():
    """A legacy system is on its way out: the plan never lets one take over, and nor does the advice."""
    text = b"""\
institutions: [{id: x, name: X}]
data_entities: [{id: e, name: E}, {id: f, name: F}]
systems:
  - {id: aging, name: Aging, owner: x, status: legacy, data: [{entity: e}, {entity: f}]}
  - {id: now, name: Now, owner: x, data: [{entity: e}]}
"""
    model = load([Source("m.yaml", content=text)], jobs=1).model
    advice = {f.subject: f.message for f in analyze(model).findings if f.rule == "no-authoritative-source"}
    assert advice["data:e"].endswith("make `now` its master (role: master)")
    assert advice["data:f"].endswith("make `aging` its master (role: master)"), "the only holder is still named"


def test_once_only_gap_integrates_with_an_active_master_before_a_legacy_one():
    """The legacy register already feeds two systems, but a new integration with it ties the step
    to a system on its way out (the plan never lets a legacy system take over either)."""
    text = b"""\
institutions: [{id: x, name: X}]
data_entities: [{id: birth, name: Birth}]
systems:
  - {id: old-reg, name: Old register, owner: x, status: legacy, data: [{entity: birth, role: master}]}
  - {id: new-reg, name: New register, owner: x, data: [{entity: birth, role: master}]}
  - {id: clinic, name: Clinic, owner: x}
  - {id: portal, name: Portal, owner: x}
  - {id: desk, name: Desk, owner: x}
integrations:
  - {from: old-reg, to: clinic, data: [birth]}
  - {from: old-reg, to: desk, data: [birth]}
processes:
  - {id: p, name: P, owner: x, steps: [{id: apply, name: Apply, reads: [birth], systems: [portal]}]}
"""
    [finding] = [f for f in analyze(load([Source("m.yaml", content=text)], jobs=1).model).findings
                 if f.rule == "once-only-gap"]
    assert finding.message.endswith("integrate with `new-reg` instead"), finding.message


def test_integration_gap_names_an_active_bus_before_a_legacy_one():
    text = b"""\
institutions: [{id: x, name: X}]
data_entities: [{id: company, name: Company}]
systems:
  - {id: ors, name: ORS, owner: x}
  - {id: itax, name: ITAX, owner: x}
  - {id: a-old-esb, name: Old ESB, owner: x, status: legacy}
  - {id: govesb, name: GovESB, owner: x}
  - {id: portal, name: Portal, owner: x}
integrations:
  - {from: ors, to: itax, via: a-old-esb, data: [company], id: old-route}
  - {from: itax, to: ors, via: govesb, data: [company], id: new-route}
processes:
  - id: p
    name: P
    owner: x
    steps:
      - {id: register, name: Register, writes: [company], systems: [ors]}
      - {id: licence, name: Licence, reads: [company], systems: [portal]}
"""
    [finding] = [f for f in analyze(load([Source("m.yaml", content=text)], jobs=1).model).findings
                 if f.rule == "integration-gap"]
    assert finding.message.endswith("add an integration through `govesb`"), finding.message


def test_the_sample_plan_reads_like_a_planner_would_sign_it():
    plan = {item["system"]: item["taken_over_by"] for item in analyze(_sample()).metrics["consolidation"]}
    assert plan == {"ffars": ["muse"], "gms": ["mgov"], "chf-imis": ["nhif-membership"], "lga-revenue": ["gepg"]}


def test_advice_never_names_a_system_the_consolidation_plan_retires():
    """One report must not say both "move the step to `lga-revenue`" and "retire `lga-revenue`"."""
    result = analyze(_sample())
    retired = {item["system"] for item in result.metrics["consolidation"]}
    assert retired, "the sample's plan retires systems: the test must be able to fail"
    advising = [f for f in result.findings if f.rule in ADVISING]
    for finding in advising:
        named = set(re.findall(r"`([A-Za-z0-9._-]+)`", _advice(finding.message)))
        assert not named & retired, finding.message


def test_a_system_the_plan_retires_is_still_named_when_nothing_else_provides_the_capability():
    text = b"""\
institutions: [{id: x, name: X}]
capabilities:
  - {id: billing, name: Billing}
  - {id: registration, name: Registration, generic: true}
systems:
  - {id: pay, name: Pay, owner: x, capabilities: [billing], annual_cost: 10}
  - {id: reg, name: Reg, owner: x, capabilities: [billing, registration], annual_cost: 50}
processes:
  - id: p
    name: P
    owner: x
    steps: [{id: s, name: Register, needs: [registration]}]
"""
    result = analyze(load([Source("m.yaml", content=text)], jobs=1).model)
    assert [item["system"] for item in result.metrics["consolidation"]] == ["reg"]
    [finding] = [f for f in result.findings if f.rule == "unsupported-step"]
    assert "`reg`" in _advice(finding.message), finding.message



def test_conflicting_master_suggests_the_source_once_only_gap_integrates_with():
    """One report, one source of truth per entity: the master to keep is the one steps are told to integrate with."""
    findings = analyze(_sample()).findings
    keep = {f.subject.removeprefix("data:"): re.search(r"e\.g\. `([^`]+)`", f.message).group(1)
            for f in findings if f.rule == "conflicting-master"}
    integrate_with = {(f.key, re.search(r"integrate with `([^`]+)` instead", f.message).group(1))
                      for f in findings if f.rule == "once-only-gap"}
    assert keep["person"] == "nida-npr"  # the national population register, not the two health systems
    assert {(entity, source) for entity, source in integrate_with if entity in keep} <= set(keep.items())
    assert any(entity in keep for entity, _source in integrate_with)


def test_a_step_needing_a_shared_capability_is_pointed_at_the_planned_platform():
    """RITA's birth certificates are not to be signed on BRELA's company registry for good: e-GA's
    signing platform is planned for every institution, and the advice says so."""
    [finding] = [f for f in analyze(_sample()).findings
                 if f.subject == "step:birth-registration/issue-certificate" and f.rule == "misaligned-step"]
    assert PLANNED_CLAUSE.search(finding.message).group(1) == "`gov-sign`", finding.message
    assert "system:gov-sign" in finding.related
