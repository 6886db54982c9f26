"""Clauses of advice that several rules give in the same words."""

from __future__ import annotations

from egov_align.graph import Index
from egov_align.i18n import N_, Text, naming


def planned_platform(index: Index, capabilities) -> Text | str:
    """The shared platform planned for a step's needs: a step told only to borrow another
    ministry's system (RITA's certificates signed on BRELA's ORS) would be moved twice."""
    return naming(index.planned_platforms(capabilities),
                  N_("; `{system}` is planned as the shared platform for it: move the step onto it once it is in "
                     "service"),
                  N_("; {systems} are planned as shared platforms for it: move the step onto one of them once it "
                     "is in service"))
