"""Reports of a Comparison (what-if or diff) in text, JSON or Markdown."""

from __future__ import annotations

import datetime as dt

import yaml

from egov_align.i18n import N_, _, in_english, message, severity_word
from egov_align.names import printable
from egov_align.reporters.json_format import dumps
from egov_align.reporters.markdown import cell
from egov_align.reporters.text import money, percent, ratio

_LABELS = {"alignment": N_("alignment"), "integration_coverage": N_("integration coverage"),
           "digital_services": N_("digital services"), "redundant_spend": N_("redundant spend"),
           "coordination": N_("coordination"), "mediated_integrations": N_("mediated integrations"),
           "standardised_integrations": N_("standardised integrations"),
           "platform_duplication": N_("platform duplication"), "completeness": N_("data completeness")}


def _value(name: str, value, currency) -> str:
    if value is None:
        return _("n/a")
    if name == "platform_duplication":
        return ratio(value)
    return money(value, currency) if name == "redundant_spend" else percent(value)


def _delta(name: str, delta, currency) -> str:
    if delta is None:
        return ""
    if name == "redundant_spend":
        return f"{delta:+,.0f}"
    if name == "platform_duplication":
        return f"{delta:+.2f}"
    return f"{delta * 100:+.1f} pt"


def yaml_text(value) -> str:
    """A field value as a planner wrote it in YAML: null, true, 600000000, {assessed: 2026-05-01}."""
    def plain(item):
        if isinstance(item, float) and item.is_integer() and abs(item) < 1e15:
            return int(item)
        if isinstance(item, dict):
            return {k: plain(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [plain(v) for v in item]
        if isinstance(item, str) and len(item) == 10 and item[4] == "-" == item[7]:
            try:
                return dt.date.fromisoformat(item)  # a date as written, not as a quoted string
            except ValueError:
                return item
        return item

    text = yaml.safe_dump(plain(value), default_flow_style=True, width=10_000, allow_unicode=True).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _metric_lines(comparison, currency) -> list[tuple[str, str, str, str]]:
    return [(_(_LABELS[name]), _value(name, d["before"], currency), _value(name, d["after"], currency),
             _delta(name, d["delta"], currency)) for name, d in comparison.metric_deltas.items()]


def render_text(comparison, options) -> str:
    lines = []
    if comparison.retired:
        lines.append(_("What if {systems} were retired?", systems=", ".join(comparison.retired)))
    if comparison.elements is not None:
        elements = comparison.elements
        lines.append(_("Elements: {added} added, {removed} removed, {changed} changed", added=len(elements["added"]),
                       removed=len(elements["removed"]), changed=len(elements["changed"])))
        lines += [printable(f"  + {s}") for s in elements["added"]]
        lines += [printable(f"  - {s}") for s in elements["removed"]]
        for subject, fields in elements["changed"].items():
            changes = "; ".join(f"{name}: {yaml_text(d['before'])} -> {yaml_text(d['after'])}"
                                for name, d in fields.items())
            lines.append(printable(f"  ~ {subject}: {changes}"))
    lines.append(_("Metrics:"))
    lines += [f"  {label:<25} {before:>14} -> {after:<14} {delta}".rstrip()
              for label, before, after, delta in _metric_lines(comparison, options.currency)]
    for title, findings in ((N_("Findings introduced: {count}"), comparison.introduced),
                            (N_("Findings resolved: {count}"), comparison.resolved)):
        lines.append(_(title, count=len(findings)))
        lines += [printable(f"  {severity_word(f.severity.value):<7} {f.rule}: {f.subject or f.file} — {message(f)}")
                  for f in findings]
    return "\n".join(lines) + "\n"


@in_english
def render_markdown(comparison, options) -> str:
    title = (f"What if {', '.join(comparison.retired)} were retired?" if comparison.retired
             else "egov-align: what this change does to the landscape")
    lines = [f"## {cell(title)}", ""]
    if comparison.elements is not None:
        elements = comparison.elements
        lines += [f"**Elements:** {len(elements['added'])} added, {len(elements['removed'])} removed, "
                  f"{len(elements['changed'])} changed", ""]
        for mark, key in (("added", "added"), ("removed", "removed")):
            if elements[key]:
                lines.append(f"- {mark}: " + ", ".join(f"`{s}`" for s in elements[key]))
        if elements["changed"]:
            lines.append("- changed: " + ", ".join(
                f"`{s}` ({', '.join(elements['changed'][s])})" for s in elements["changed"]))
        lines.append("")
    lines += ["| metric | before | after | change |", "| --- | --- | --- | --- |"]
    lines += [f"| {label} | {before} | {after} | {delta} |"
              for label, before, after, delta in _metric_lines(comparison, options.currency)]
    for title, findings in (("Findings introduced", comparison.introduced),
                            ("Findings resolved", comparison.resolved)):
        lines += ["", f"### {title}: {len(findings)}"]
        if findings:
            lines += ["", "| severity | rule | subject | message |", "| --- | --- | --- | --- |"]
            lines += [f"| {f.severity.value} | {f.rule} | {cell(f.subject or '')} | {cell(f.message)} |"
                      for f in findings]
    return "\n".join(lines) + "\n"


def render_comparison(comparison, fmt: str, options) -> str:
    if fmt == "json":
        return dumps(comparison.as_document())  # English: messages are English, no text is translated here
    if fmt == "markdown":
        return render_markdown(comparison, options)
    if fmt == "text":
        return render_text(comparison, options)
    raise ValueError(f"format {fmt!r} does not apply to comparisons; use text, json or markdown")
