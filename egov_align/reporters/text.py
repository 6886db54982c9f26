"""Readable terminal output: a summary first, then findings grouped by rule, worst first."""

from __future__ import annotations

from collections import defaultdict

from egov_align.consolidation import reason_in_language
from egov_align.i18n import FILE, INSTITUTION, PROBLEM, PROCESS, SEVERITY_NOUNS, STEP, SYSTEM, _, count, message, severity_word
from egov_align.names import printable

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "bold": "\033[1m",
           "dim": "\033[2m", "ok": "\033[32m", "reset": "\033[0m"}
_NO_COLORS = dict.fromkeys(_COLORS, "")
EXCERPT_WIDTH = 200  # characters of a quoted source line


def percent(value) -> str:
    return _("n/a") if value is None else f"{value:.0%}"


def ratio(value) -> str:
    """1.0 is ideal: one in-service provider per shared capability."""
    return _("n/a") if value is None else f"{value:.1f}x"


def money(value, currency: str | None) -> str:
    return f"{value:,.0f}" + (f" {currency}" if currency else "")


def _quote(finding, options, c) -> list[str]:
    """The offending line with a caret under the column; long lines cut around the column."""
    text = None if finding.rule == "unreadable-file" else options.source_line(finding.file, finding.line)
    if text is None:
        return []
    text = text.rstrip()
    column = finding.column - 1
    start = max(0, min(column - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
    shown = text[start:start + EXCERPT_WIDTH]
    before = printable(shown[:max(0, column - start)])
    shown = ("…" if start else "") + printable(shown) + ("…" if start + EXCERPT_WIDTH < len(text) else "")
    gutter = f"{finding.line:>5} | "
    return [f"{c['dim']}{gutter}{c['reset']}{shown}",
            f"{c['dim']}{' ' * (len(gutter) - 2)}| {c['reset']}{' ' * (len(before) + bool(start))}^"]


def _counts_line(summary: dict) -> str:
    parts = [count(summary["files"], FILE)]
    for key, noun in (("institutions", INSTITUTION), ("systems", SYSTEM), ("processes", PROCESS), ("steps", STEP)):
        if key in summary:
            parts.append(count(summary[key], noun))
    return ", ".join(parts)


def _render_diagnostics(result, options, c) -> list[str]:
    lines = []
    for finding in result.findings:
        lines.append(f"{c['bold']}{printable(finding.file)}:{finding.line}:{finding.column}:{c['reset']} "
                     f"{c['error']}{finding.rule}{c['reset']}: {printable(message(finding))}")
        lines.extend(_quote(finding, options, c))
    summary = result.summary()
    if result.valid:
        lines.append(f"{c['ok']}{_('valid')}{c['reset']}: {_counts_line(summary)}")
    else:
        lines.append(f"{c['error']}{_('invalid')}{c['reset']}: " + _("{problems} in {files}", problems=count(
            len(result.findings), PROBLEM), files=count(summary["files"], FILE)))
    return lines


def render_summary(result, options, c=_NO_COLORS) -> list[str]:
    summary, metrics = result.summary(), result.metrics
    title = _("egov-align analysis of {name}", name=options.model_name) if options.model_name else \
        _("egov-align analysis")
    tally = {key: f"{c[severity]}{count(summary[key], SEVERITY_NOUNS[severity])}{c['reset']}"
             for key, severity in (("errors", "error"), ("warnings", "warning"), ("infos", "info"))}
    lines = [f"{c['bold']}{title}{c['reset']}", f"  {_counts_line(summary)}",
             "  " + _("findings: {errors}, {warnings}, {infos}", **tally),
             "  " + _("alignment {alignment} · integration coverage {integration} · digital services {digital} · "
                      "redundant spend {spend}", alignment=percent(metrics["alignment"]),
                      integration=percent(metrics["integration_coverage"]), digital=percent(metrics["digital_services"]),
                      spend=money(metrics["redundant_spend"], options.currency)),
             "  " + _("coordination {coordination} · mediated integrations {mediated} · standardised integrations "
                      "{standardised} · platform duplication {duplication} · data completeness {completeness}",
                      coordination=percent(metrics.get("coordination")),
                      mediated=percent(metrics.get("mediated_integrations")),
                      standardised=percent(metrics.get("standardised_integrations")),
                      duplication=ratio(metrics.get("platform_duplication")),
                      completeness=percent((metrics.get("completeness") or {}).get("overall")))]
    worst = sorted(((v["alignment"], p) for p, v in metrics["processes"].items() if v["alignment"] is not None))
    if worst:
        lines.append("  " + _("least aligned processes: {processes}",
                              processes=", ".join(f"{p} {percent(a)}" for a, p in worst[:5])))
    return lines


def render_plan(metrics, options) -> list[str]:
    plan = metrics["consolidation"]
    if not plan:
        return []
    lines = [_("Consolidation plan (redundant spend {spend}):", spend=money(metrics["redundant_spend"], options.currency))]
    for item in plan:
        lines.append("  " + _("retire {system} ({cost}/year, supports {steps}), taken over by:", system=item["system"],
                              cost=money(item["annual_cost"], options.currency),
                              steps=count(item["steps_supported"], STEP)))
        lines += [f"      {taker} ({reason_in_language(item['reasons'][taker])})" for taker in item["taken_over_by"]]
    return lines


def render_findings(findings, options, c=_NO_COLORS) -> list[str]:
    groups = defaultdict(list)
    for finding in findings:
        groups[finding.rule].append(finding)
    order = sorted(groups, key=lambda r: (-max(f.severity.rank for f in groups[r]), -len(groups[r]), r))
    lines = []
    for rule in order:
        items = groups[rule]
        worst = max((f.severity for f in items), key=lambda s: s.rank)
        noun = worst.value if len({f.severity for f in items}) == 1 else "finding"
        lines.append("")
        lines.append(f"{c[worst.value]}{c['bold']}{rule}{c['reset']} ({count(len(items), SEVERITY_NOUNS[noun])})")
        for finding in items:
            mark = "" if finding.severity is worst else f"[{severity_word(finding.severity.value)}] "
            lines.append(f"  {c['dim']}{printable(finding.file)}:{finding.line}:{finding.column}{c['reset']} "
                         f"{printable(finding.subject or '')}")
            lines.append(f"      {mark}{printable(message(finding))}")
    return lines


def render(result, *, options) -> str:
    c = _COLORS if options.color else _NO_COLORS
    if options.command == "validate" or not result.valid:
        return "\n".join(_render_diagnostics(result, options, c)) + "\n"
    lines = render_summary(result, options, c)
    lines.extend(render_findings(result.findings, options, c))
    plan = render_plan(result.metrics, options)
    if plan:
        lines.append("")
        lines.extend(plan)
    if not result.findings:
        lines.append(f"{c['ok']}{_('no findings')}{c['reset']}")
    return "\n".join(lines) + "\n"


__all__ = ["money", "percent", "ratio", "render"]
