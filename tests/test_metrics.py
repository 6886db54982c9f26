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
    assert metrics["processes"] == {"register-company": {"alignment": round(2 / 3, 4), "coordination": None}}
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
    # still provide d; of those the closest in domain (here: none closer), then the smaller id, takes over.
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


def _metrics(text: str) -> dict:
    loaded = load([Source("m.yaml", content=text.encode())], jobs=1)
    assert loaded.valid, [d.message for d in loaded.diagnostics]
    return analyze(loaded.model).metrics


def test_alignment_per_institution_counts_the_performer_not_the_owner():
    metrics = _metrics("""\
institutions: [{id: owner, name: Owner}, {id: clinic, name: Clinic}]
capabilities: [{id: c, name: C}]
systems: [{id: s, name: S, owner: owner, capabilities: [c]}]
processes:
  - id: p
    name: P
    owner: owner
    steps:
      - {id: a, name: A, needs: [c], systems: [s]}
      - {id: b, name: B, needs: [c], performer: clinic}
      - {id: d, name: D, needs: [c], performer: clinic, systems: [s]}
""")
    assert metrics["institutions"] == {"clinic": {"alignment": 0.5}, "owner": {"alignment": 1.0}}


CHAIN = """\
institutions: [{id: x, name: X}]
capabilities: [{id: c, name: C}]
systems:
  - {id: a, name: A, owner: x, capabilities: [c], annual_cost: 300}
  - {id: b, name: B, owner: x, capabilities: [c], annual_cost: 200}
  - {id: cc, name: CC, owner: x, capabilities: [c], annual_cost: 100}
  - {id: p, name: P, owner: x, capabilities: [c]}
"""


def test_successors_are_chosen_after_the_whole_plan():
    """a, b and cc all go (most expensive first); only p remains, so p takes over from each."""
    plan = _metrics(CHAIN)["consolidation"]
    assert [item["system"] for item in plan] == ["a", "b", "cc"]
    assert [item["taken_over_by"] for item in plan] == [["p"], ["p"], ["p"]]


def test_the_most_expensive_goes_first_not_the_cheapest():
    """Two systems of equal support cover each other: the dearer one is retired."""
    plan = _metrics("""\
institutions: [{id: x, name: X}]
capabilities: [{id: c, name: C}]
systems:
  - {id: cheap, name: Cheap, owner: x, capabilities: [c], annual_cost: 10}
  - {id: dear, name: Dear, owner: x, capabilities: [c], annual_cost: 900}
""")["consolidation"]
    assert [item["system"] for item in plan] == ["dear"]


def test_systems_supporting_fewer_steps_go_first():
    plan = _metrics("""\
institutions: [{id: x, name: X}]
capabilities: [{id: c, name: C}]
systems:
  - {id: busy, name: Busy, owner: x, capabilities: [c], annual_cost: 900}
  - {id: idle, name: Idle, owner: x, capabilities: [c], annual_cost: 10}
processes:
  - {id: p, name: P, owner: x, steps: [{id: s, name: S, needs: [c], systems: [busy]}]}
""")["consolidation"]
    assert [item["system"] for item in plan] == ["idle"]


DOMAIN = """\
institutions:
  - {id: health, name: Ministry of Health}
  - {id: nhif, name: NHIF, parent: health}
  - {id: tra, name: TRA}
  - {id: immigration, name: Immigration}
capabilities:
  - {id: registration, name: Registration, generic: true}
  - {id: health-insurance, name: Health insurance}
  - {id: inspection, name: Inspection}
  - {id: border, name: Border control}
data_entities: [{id: member, name: Member}]
systems:
  - {id: chf, name: CHF, owner: health, capabilities: [registration, health-insurance], annual_cost: 600}
  - {id: nhif-ms, name: NHIF membership, owner: nhif, capabilities: [registration, health-insurance]}
  - {id: e-immigration, name: e-Immigration, owner: immigration, capabilities: [registration, border]}
  - {id: tra-inspect, name: TRA inspection app, owner: tra, capabilities: [registration], annual_cost: 50}
"""


def test_successors_share_the_domain_and_say_why():
    plan = _metrics(DOMAIN)["consolidation"]
    assert plan == [{"system": "chf", "annual_cost": 600, "steps_supported": 0,
                     "capabilities": {"health-insurance": "nhif-ms"}, "data": {},
                     "taken_over_by": ["nhif-ms"],
                     "reasons": {"nhif-ms": "also provides health-insurance; same parent institution"}}]


def test_a_system_with_only_generic_capabilities_is_never_retired_or_a_reason_to_take_over():
    """The tax inspection app registers things, like e-Immigration: not a reason to merge them."""
    plan = _metrics(DOMAIN)["consolidation"]
    assert "tra-inspect" not in [item["system"] for item in plan]
    assert all("e-immigration" not in item["taken_over_by"] for item in plan)


def test_closer_owner_wins_between_equal_providers():
    plan = _metrics("""\
institutions: [{id: x, name: X}, {id: y, name: Y}]
capabilities: [{id: c, name: C}]
systems:
  - {id: old, name: Old, owner: y, capabilities: [c], annual_cost: 100}
  - {id: a-far, name: Far, owner: x, capabilities: [c]}
  - {id: z-near, name: Near, owner: y, capabilities: [c]}
""")["consolidation"]
    assert plan[0]["taken_over_by"] == ["z-near"] and plan[0]["reasons"] == {"z-near": "also provides c; same owner"}


def test_alignment_skips_steps_without_needs_and_goes_on():
    metrics = _metrics("""\
institutions: [{id: x, name: X}]
capabilities: [{id: c, name: C}]
systems: [{id: s, name: S, owner: x, capabilities: [c]}]
processes:
  - id: p
    name: P
    owner: x
    steps:
      - {id: start, name: Start}
      - {id: a, name: A, needs: [c], systems: [s]}
      - {id: b, name: B, needs: [c]}
""")
    assert metrics["alignment"] == 0.5 and metrics["processes"] == {"p": {"alignment": 0.5, "coordination": None}}


def test_costs_with_cents_are_rounded_to_two_places():
    plan = _metrics("""\
institutions: [{id: x, name: X}]
capabilities: [{id: c, name: C}]
systems:
  - {id: a, name: A, owner: x, capabilities: [c], annual_cost: 2.3456}
  - {id: b, name: B, owner: x, capabilities: [c]}
""")
    assert plan["consolidation"][0]["annual_cost"] == 2.35 and plan["redundant_spend"] == 2.35


def test_shared_processes_and_a_parent_owner_bring_a_successor_closer():
    plan = _metrics("""\
institutions:
  - {id: ministry, name: Ministry}
  - {id: agency, name: Agency, parent: ministry}
  - {id: other, name: Other}
capabilities: [{id: c, name: C}, {id: d, name: D}]
systems:
  - {id: old, name: Old, owner: agency, capabilities: [c, d], annual_cost: 100}
  - {id: a-unrelated, name: U, owner: other, capabilities: [c]}
  - {id: b-parent, name: P, owner: ministry, capabilities: [c]}
  - {id: c-same-process, name: S, owner: other, capabilities: [d]}
  - {id: d-other-process, name: T, owner: other, capabilities: [d]}
processes:
  - id: p
    name: P
    owner: agency
    steps:
      - {id: s1, name: S1, systems: [old]}
      - {id: s2, name: S2, systems: [c-same-process]}
  - {id: q, name: Q, owner: other, steps: [{id: t, name: T, systems: [d-other-process]}]}
""")["consolidation"]
    [item] = plan
    assert item["capabilities"] == {"c": "b-parent", "d": "c-same-process"}
    assert item["steps_supported"] == 1
    assert item["taken_over_by"] == ["b-parent", "c-same-process"]
    assert item["reasons"] == {"b-parent": "also provides c; same parent institution",
                               "c-same-process": "also provides d; also supports p"}


def test_successors_are_listed_closest_first():
    plan = _metrics("""\
institutions: [{id: x, name: X}, {id: y, name: Y}]
capabilities: [{id: c, name: C}, {id: d, name: D}]
systems:
  - {id: old, name: Old, owner: x, capabilities: [c, d], annual_cost: 100}
  - {id: a-far, name: Far, owner: y, capabilities: [c]}
  - {id: z-near, name: Near, owner: x, capabilities: [d]}
""")["consolidation"]
    assert plan[0]["taken_over_by"] == ["z-near", "a-far"]


SECTION_9 = """\
institutions: [{id: a, name: A}, {id: b, name: B}, {id: c, name: C}]
capabilities: [{id: pay, name: Pay, shared: true}, {id: id, name: Id, shared: true}, {id: other, name: O, shared: true}]
data_entities: [{id: p, name: P, sensitivity: personal}, {id: r, name: R}]
systems:
  - {id: s1, name: S1, owner: a, capabilities: [pay, id], vendor: V, data: [{entity: p, role: master}]}
  - {id: s2, name: S2, owner: b, capabilities: [pay], security: {assessed: 2026-01-01}, data: [{entity: p}]}
  - {id: s3, name: S3, owner: c, status: retired, capabilities: [pay]}
  - {id: bus, name: Bus, owner: a}
integrations:
  - {id: i1, from: s1, to: s2, data: [p], via: bus, standard: REST/OpenAPI, encrypted: true}
  - {id: i2, from: s2, to: s1, data: [r], mechanism: esb}
  - {id: i3, from: s1, to: s2, data: [r], standard: SOAP}
  - {id: i4, from: s2, to: s3, data: [r], status: planned}
services:
  - {id: v1, name: V1, provider: a, channels: [web], annual_volume: 10}
  - {id: v2, name: V2, provider: b}
processes:
  - id: p
    name: P
    owner: a
    steps:
      - {id: x, name: X, needs: [pay], systems: [s1], writes: [p]}
      - {id: y, name: Y, performer: b, systems: [s2]}
      - {id: z, name: Z, performer: c, systems: []}
"""


def test_section_9_metrics_by_hand():
    metrics = _metrics(SECTION_9)
    # hand-offs: x(a)->y(b) coordinated by i1; y(b)->z(c) not (z has no system)
    assert metrics["coordination"] == 0.5 and metrics["processes"]["p"]["coordination"] == 0.5
    # active integrations i1, i2, i3: i1 has `via`, i2 mechanism esb
    assert metrics["mediated_integrations"] == round(2 / 3, 4)
    # i1 and i3 name a standard
    assert metrics["standardised_integrations"] == round(2 / 3, 4)
    # pay: s1, s2 in service; id: s1; other: no provider (not counted) -> 3 pairs / 2 capabilities
    assert metrics["platform_duplication"] == 1.5
    completeness = metrics["completeness"]
    # s1: capabilities, vendor of 6 + security (personal data, missing) -> 2/7; s2: capabilities, security -> 2/7;
    # s3: capabilities -> 1/6; bus: 0/6
    assert completeness["systems"] == round((2 / 7 + 2 / 7 + 1 / 6 + 0) / 4, 4)
    # i1: standard, encrypted (carries p) -> 2/3; i2: mechanism -> 1/2; i3: standard -> 1/2; i4: 0/2
    assert completeness["integrations"] == round((2 / 3 + 1 / 2 + 1 / 2 + 0) / 4, 4)
    assert completeness["services"] == round((1 + 0) / 2, 4)
    # x: needs, systems, writes -> 1; y: systems -> 1/3; z: systems: [] written -> 1/3
    assert completeness["steps"] == round((1 + 1 / 3 + 1 / 3) / 3, 4)
    shares = [2 / 7, 2 / 7, 1 / 6, 0, 2 / 3, 1 / 2, 1 / 2, 0, 1, 0, 1, 1 / 3, 1 / 3]
    assert completeness["overall"] == round(sum(shares) / len(shares), 4)


def test_standardised_integrations_counts_only_approved_ones_when_configured():
    from egov_align.config import parse_config

    loaded = load([Source("m.yaml", content=SECTION_9.encode())], jobs=1)
    config = parse_config({"standards": {"approved": ["rest/openapi"]}})
    assert analyze(loaded.model, config=config).metrics["standardised_integrations"] == round(1 / 3, 4)
