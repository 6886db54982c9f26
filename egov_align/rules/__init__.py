"""The registry of analysis rules (DESIGN.md section 4): one module each, one explicit tuple.

Rule names are public, stable ids: never rename one, never reuse a retired name.
"""

from __future__ import annotations

from egov_align.names import RULE_NAMES, VALIDATION_RULES
from egov_align.rules import (
    capability_gap,
    conflicting_master,
    divergent_standards,
    duplicate_capability,
    fragmented_process,
    inactive_support,
    integration_gap,
    misaligned_step,
    no_authoritative_source,
    non_digital_service,
    non_standard_integration,
    once_only_gap,
    orphan_system,
    overlapping_systems,
    unassessed_sensitive_system,
    unprotected_sensitive_data,
    unreachable_step,
    unsupported_step,
    vendor_concentration,
)

RULES = {rule.NAME: rule for rule in (
    unsupported_step,
    misaligned_step,
    inactive_support,
    unreachable_step,
    capability_gap,
    integration_gap,
    once_only_gap,
    no_authoritative_source,
    non_digital_service,
    duplicate_capability,
    conflicting_master,
    overlapping_systems,
    orphan_system,
    vendor_concentration,
    unprotected_sensitive_data,
    unassessed_sensitive_system,
    divergent_standards,
    non_standard_integration,
    fragmented_process,
)}
ALL_RULE_NAMES = RULE_NAMES

# What each rule reads besides the landscape (institutions, capabilities, data, systems,
# integrations, services): an analysis after an edit (egov_align.incremental) runs a rule again
# only where what it read changed. tests/test_incremental.py checks both sets on the sample.
# Each finding of these is made from one process, which reads the others only through the tables
# Index makes over all of them: steps_needing_on, steps_supported and retired_by_plan.
PROCESS_RULES = frozenset({unsupported_step.NAME, misaligned_step.NAME, inactive_support.NAME, unreachable_step.NAME,
                           integration_gap.NAME, once_only_gap.NAME, fragmented_process.NAME})
# These read no process at all. The others read all of them (capability-gap counts the steps that
# need a capability), and are run again after any edit.
LANDSCAPE_RULES = frozenset({overlapping_systems.NAME, non_standard_integration.NAME, unprotected_sensitive_data.NAME,
                             unassessed_sensitive_system.NAME, divergent_standards.NAME, vendor_concentration.NAME,
                             non_digital_service.NAME})


def summary(rule) -> str:
    """The first line of the rule's docstring: its one-line purpose."""
    return (rule.__doc__ or "").strip().splitlines()[0]


def explanation(rule) -> dict[str, str]:
    """The docstring's title, "Why it matters" and "How to fix", each as one line of English.

    These are message ids of the catalog (egov_align/locale/catalog.py extracts them), so the
    dashboard and the report explain a rule in the reader's language.
    """
    found = {"title": summary(rule)}
    for paragraph in (rule.__doc__ or "").strip().split("\n\n"):
        for key, label in (("why", "Why it matters:"), ("fix", "How to fix:")):
            if paragraph.startswith(label):
                found[key] = " ".join(paragraph.removeprefix(label).split())
    return found


def what_each_finds(policies=()) -> dict[str, str]:
    """Rule or policy name -> what it finds, in the language in force: beside a rule's id where
    leaders read counts (the dashboard's overview, the report)."""
    from egov_align.i18n import _

    return {name: _(explanation(rule)["title"]) for name, rule in RULES.items()} | \
        {policy.name: policy.summary for policy in policies}


__all__ = ["ALL_RULE_NAMES", "LANDSCAPE_RULES", "PROCESS_RULES", "RULES", "VALIDATION_RULES", "explanation", "summary",
           "what_each_finds"]
