"""The sample model tells its story: every rule fires, and one service is fully aligned."""

from __future__ import annotations

import json

from conftest import ROOT, run_cli

from egov_align.config import load_config
from egov_align.rules import RULES


def analysis() -> dict:
    return json.loads(run_cli("analyze", "--format", "json", "--no-cache", cwd=ROOT).out)


def test_the_sample_validates_and_is_national_in_size():
    document = analysis()
    summary = document["summary"]
    assert document["valid"] and summary["institutions"] >= 12 and summary["systems"] >= 25
    assert summary["steps"] >= 60 and summary["processes"] >= 6


def test_every_rule_and_both_policies_fire_on_the_sample():
    policies = {p.name for p in load_config(ROOT).policies}
    assert policies == {"gov-hosting", "no-email-for-personal-data"}
    assert {f["rule"] for f in analysis()["findings"]} == set(RULES) | policies


def test_national_id_registration_is_the_healthy_example():
    document = analysis()
    assert document["metrics"]["processes"]["national-id"]["alignment"] == 1.0
    assert not [f for f in document["findings"] if f.get("subject", "").startswith("step:national-id/")]


def test_the_target_state_improves_on_the_sample():
    document = json.loads(run_cli("diff", ".", "examples/target", "--format", "json", cwd=ROOT).out)
    metrics = document["metrics"]
    assert metrics["alignment"]["delta"] > 0 and metrics["integration_coverage"]["after"] == 1.0
    assert document["findings"]["introduced"] == [] and len(document["findings"]["resolved"]) >= 20
    assert "system:chf-imis" in document["elements"]["changed"]
