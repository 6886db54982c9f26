"""DESIGN.md section 5 on models small enough to compute by hand."""

from __future__ import annotations

from pathlib import Path

from egov_align.analyze import analyze
from egov_align.config import Config
from egov_align.loader import Source, load, load_paths

TINY = Path(__file__).parent / "examples" / "valid" / "tiny"


def tiny_metrics():
    loaded = load_paths([TINY / "models", TINY / "processes"], config=Config(), jobs=1)
    assert loaded.valid
    return analyze(loaded.model).metrics


def test_alignment_counts_steps_with_needs_whose_systems_provide_them():
    metrics = tiny_metrics()
    # apply (ors provides registration) and pay (gepg provides payments) are aligned;
    # check needs identity and has no system.
    assert metrics["alignment"] == round(2 / 3, 4)
    assert metrics["processes"] == {"register-company": {"alignment": round(2 / 3, 4)}}
    assert metrics["institutions"] == {"brela": {"alignment": round(2 / 3, 4)}}


def test_integration_coverage_counts_uncovered_handovers():
    # apply -> pay hands `company` from ors to gepg with no integration; pay -> check has no system.
    assert tiny_metrics()["integration_coverage"] == 0.0


def test_digital_services_share():
    assert tiny_metrics()["digital_services"] == 1.0


def test_consolidation_plan_retires_what_others_fully_cover():
    metrics = tiny_metrics()
    # npr (0 steps) goes first: ors also provides identity and masters person.
    # ors and gepg are each the only provider of registration / payments.
    assert metrics["consolidation"] == [{
        "system": "npr", "annual_cost": 100, "steps_supported": 0,
        "capabilities": {"identity": "ors"}, "data": {"person": "ors"}, "taken_over_by": ["ors"],
        "reasons": {"ors": "also provides identity; also masters person"}}]
    assert metrics["redundant_spend"] == 100


MODEL = """\
institutions: [{id: x, name: X}]
capabilities: [{id: c, name: C}, {id: d, name: D}]
data_entities: [{id: e, name: E}]
systems:
  - {id: legacy-a, name: Legacy A, owner: x, status: legacy, capabilities: [c], annual_cost: 500}
  - {id: legacy-b, name: Legacy B, owner: x, status: legacy, capabilities: [c], annual_cost: 400}
  - {id: active-d1, name: D1, owner: x, capabilities: [d], data: [{entity: e, role: master}], annual_cost: 10}
  - {id: active-d2, name: D2, owner: x, capabilities: [d], annual_cost: 20}
  - {id: free-d3, name: D3, owner: x, capabilities: [d]}
processes:
  - id: p
    name: P
    owner: x
    steps:
      - {id: s, name: S, needs: [d], systems: [active-d2]}
services: [{id: sv, name: SV, provider: x, channels: [counter]}]
"""


def test_a_legacy_system_may_go_but_never_takes_over():
    model = load([Source("m.yaml", content=MODEL.encode())], jobs=1).model
    metrics = analyze(model).metrics
    # legacy-a and legacy-b only cover each other: neither is active, so both stay.
    # active-d1 masters e, which no other active system masters: it stays.
    # active-d2 (1 step) comes last; active-d1 and free-d3 (no cost, so never a candidate)
    # still provide d; of those the one supporting most steps, then the smaller id, takes over.
    assert [item["system"] for item in metrics["consolidation"]] == ["active-d2"]
    assert metrics["consolidation"][0]["capabilities"] == {"d": "active-d1"}
    assert metrics["redundant_spend"] == 20
    assert metrics["alignment"] == 1.0
    assert metrics["integration_coverage"] is None
    assert metrics["digital_services"] == 0.0


def test_metrics_are_null_without_steps_or_services():
    model = load([Source("m.yaml", content=b"institutions: [{id: x, name: X}]\n")], jobs=1).model
    metrics = analyze(model).metrics
    assert (metrics["alignment"], metrics["integration_coverage"], metrics["digital_services"]) == (None, None, None)
    assert metrics["redundant_spend"] == 0
