"""A report fit for a pull-request comment: summary table, then findings by rule."""

from __future__ import annotations

from collections import defaultdict

from egov_align.reporters.text import money, percent, ratio


def cell(text: str) -> str:
    """Model text as a table cell: escape what Markdown would interpret."""
    for char in "\\`*_[]<>|":
        text = str(text).replace(char, "\\" + char)
    return text.replace("\n", " ")


def summary_table(result, options) -> list[str]:
    summary, metrics = result.summary(), result.metrics
    rows = [("Files", summary["files"]), ("Institutions", summary.get("institutions", "")),
            ("Systems", summary.get("systems", "")), ("Processes", summary.get("processes", "")),
            ("Steps", summary.get("steps", "")),
            ("Findings", f"{summary['errors']} errors, {summary['warnings']} warnings, {summary['infos']} infos")]
    if metrics is not None:
        rows += [("Alignment", percent(metrics["alignment"])),
                 ("Integration coverage", percent(metrics["integration_coverage"])),
                 ("Digital services", percent(metrics["digital_services"])),
                 ("Redundant spend", money(metrics["redundant_spend"], options.currency)),
                 ("Coordination of hand-offs", percent(metrics.get("coordination"))),
                 ("Mediated integrations", percent(metrics.get("mediated_integrations"))),
                 ("Standardised integrations", percent(metrics.get("standardised_integrations"))),
                 ("Platform duplication", ratio(metrics.get("platform_duplication"))),
                 ("Data completeness", percent((metrics.get("completeness") or {}).get("overall")))]
    return ["| | |", "| --- | --- |", *(f"| {name} | {value} |" for name, value in rows)]


def findings_tables(findings) -> list[str]:
    groups = defaultdict(list)
    for finding in findings:
        groups[finding.rule].append(finding)
    lines = []
    for rule in sorted(groups, key=lambda r: (-max(f.severity.rank for f in groups[r]), r)):
        items = groups[rule]
        lines += ["", f"<details><summary><b>{rule}</b>: {len(items)}</summary>", "",
                  "| severity | where | subject | message |", "| --- | --- | --- | --- |"]
        lines += [f"| {f.severity.value} | `{f.file}:{f.line}` | {cell(f.subject or '')} | {cell(f.message)} |"
                  for f in items]
        lines += ["", "</details>"]
    return lines


def render(result, *, options) -> str:
    title = "egov-align validation" if options.command == "validate" or not result.valid else "egov-align analysis"
    if options.model_name:
        title += f": {cell(options.model_name)}"
    lines = [f"## {title}", "", *summary_table(result, options)]
    if result.findings:
        lines += findings_tables(result.findings)
    else:
        lines += ["", "No findings."]
    return "\n".join(lines) + "\n"
