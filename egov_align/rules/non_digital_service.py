"""A service offered on no digital channel (web, mobile, USSD, SMS or kiosk).

Why it matters: citizens must travel to a counter or send post; few services through few
channels is one of the problems e-government is meant to solve.

How to fix: offer the service on at least one digital channel (web, mobile, USSD, SMS or
kiosk) and list it in `channels`.

Fails::

    services: [{id: title, name: Land title, provider: lands, channels: [counter]}]

Passes::

    services: [{id: title, name: Land title, provider: lands, channels: [counter, web]}]
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_, Text
from egov_align.schema import DIGITAL_CHANNELS

NAME = "non-digital-service"
SUBJECT = "service"
DEFAULT_SEVERITY = Severity.WARNING


def is_digital(service) -> bool:
    return not DIGITAL_CHANNELS.isdisjoint(service.channels)


def check(ctx):
    for service_id, service in ctx.model.services.items():
        if is_digital(service):
            continue
        yield ctx.finding(
            f"service:{service_id}",
            N_("service '{name}' is offered only through {channels}; add a digital channel (web, mobile, ussd, sms "
               "or kiosk)"),
            name=service.name, channels=", ".join(service.channels) or Text(N_("no channel at all")))
