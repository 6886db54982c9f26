"""One vendor supports many of the systems in service.

Fires when a vendor (compared case-insensitively) is on at least `vendor-min-systems`
in-service systems with support `vendor` or `mixed`, and these are at least
`vendor-min-share` of all systems in service. The finding sits at the first such system.

Why it matters: heavy dependence on one contractor is a risk to continuity and to price;
it is one of the problems named when governments stop buying systems agency by agency.

How to fix: build in-house or mixed support capacity for some of the systems, or plan
exits and open standards so the vendor can be replaced.

Fails::

    systems:
      - {id: a, name: A, owner: x, vendor: Acme, support: vendor}
      - {id: b, name: B, owner: x, vendor: ACME, support: vendor}
      - {id: c, name: C, owner: x, vendor: acme, support: mixed}

Passes::

    systems:
      - {id: a, name: A, owner: x, vendor: Acme, support: in-house}
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_, Names

NAME = "vendor-concentration"
SUBJECT = "vendor"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    in_service = ctx.index.in_service
    by_vendor = defaultdict(list)
    for system_id in sorted(in_service):
        system = in_service[system_id]
        if system.vendor and system.support in ("vendor", "mixed"):
            by_vendor[system.vendor.strip().casefold()].append(system_id)
    total = len(in_service)
    for systems in by_vendor.values():
        share = len(systems) / total
        if len(systems) < ctx.config.vendor_min_systems or share < ctx.config.vendor_min_share:
            continue
        first = min(systems, key=lambda s: (ctx.model.location(f"system:{s}").file,
                                            ctx.model.location(f"system:{s}").line, s))
        vendor = in_service[first].vendor.strip()
        yield ctx.finding(
            f"vendor:{vendor}",
            N_("vendor '{vendor}' supports {count} of {total} systems in service ({share:.0%}): {systems}; build "
               "in-house capacity or plan an exit for some of them"),
            vendor=vendor, count=len(systems), total=total, share=share, systems=Names(systems),
            related=[f"system:{s}" for s in systems], at=f"system:{first}")
