"""Clauses of advice that several rules give in the same words."""

from __future__ import annotations

from egov_align.graph import Index
from egov_align.i18n import N_, SYSTEM, Count, Text, naming

PLATFORMS_NAMED = 3  # more planned "shared platforms" than this are no platform yet: a choice to make


def planned_platform(index: Index, capabilities) -> tuple[Text | str, list[str]]:
    """The shared platform planned for a step's needs, and the systems the clause names: a step
    told only to borrow another ministry's system (RITA's certificates signed on BRELA's ORS)
    would be moved twice."""
    planned = index.planned_platforms(capabilities)
    if len(planned) > PLATFORMS_NAMED:
        return Text.of(N_("; {count} are planned to provide it as a shared service: once one of them is chosen and "
                          "in service, move the step onto it"), count=Count(len(planned), SYSTEM)), []
    return naming(planned,
                  N_("; `{system}` is planned as the shared platform for it: move the step onto it once it is in "
                     "service"),
                  N_("; {systems} are planned as shared platforms for it: move the step onto one of them once it "
                     "is in service")), planned


def none_nearby(index: Index, capabilities, institution: str | None, none: Text) -> Text:
    """What advice says when it names no system: for a generic capability (`institution` given)
    that only unrelated institutions' systems provide, that the performer needs its own; else `none`."""
    if institution is not None and any(index.providers.get(c) for c in capabilities):
        return Text.of(N_("neither `{institution}` nor a related institution has a system in service that provides "
                          "it: plan one"), institution=institution)
    return none


def systems_for(index: Index, capabilities, institution: str | None, one: str, many: str,
                none: Text) -> tuple[Text | str, Text | str, list[str]]:
    """What a step's advice says about the systems for `capabilities` (performed by `institution`
    when one is generic): the systems in service that provide them, named by `one` or `many`
    (`none` when there are none); the planned shared platform; and the subjects both name."""
    offering = list(dict.fromkeys(s for capability in capabilities for s in index.suggest_for(capability, institution)))
    planned, coming = planned_platform(index, capabilities)
    return (naming(offering, one, many, none_nearby(index, capabilities, institution, none)), planned,
            [f"capability:{c}" for c in capabilities] + [f"system:{s}" for s in [*offering, *coming]])
