"""Import and export: meet planners where their data already is (DESIGN 8, docs/import-export.md).

Every importer reads its source into drafts (`draft.py`), and `output.finish` turns them into
model files the loader accepts, or into problems told at the source's positions.
"""

from __future__ import annotations

from pathlib import Path

from egov_align.interop.draft import Report
from egov_align.interop.output import Target, finish
from egov_align.names import printable
from egov_align.perf import gc_paused

IMPORT_FORMATS = ("sheet", "backstage", "bpmn", "archimate")
ONE_SOURCE = {"sheet": "one workbook or CSV file", "archimate": "one model file"}


def run_import(fmt: str, sources: list[str], target: Target, **options) -> Report:
    """Read the sources, and write the model into the target unless a problem was found.

    Options: `kind` (sheet: what a CSV file holds), `lanes` and `owner` (bpmn), `name_lang` (archimate),
    `max_xml_bytes` (archimate, bpmn: a higher limit for a file the user trusts).
    """
    with gc_paused():  # millions of small objects, all alive to the end: the collector would only rescan them
        return _run_import(fmt, sources, target, **options)


def _run_import(fmt: str, sources: list[str], target: Target, *, kind: str | None = None, lanes: str = "roles",
                owner: str | None = None, name_lang: str | None = None, max_xml_bytes: int | None = None) -> Report:
    shown = ", ".join(sources)
    report = Report(source=shown, format=fmt)
    if fmt in ONE_SOURCE and len(sources) != 1:
        report.problem(shown, f"import {fmt} reads {ONE_SOURCE[fmt]} at a time")
        return report
    if fmt == "sheet":
        from egov_align.interop.sheet_import import import_counts, read_drafts

        drafts, model_info = read_drafts(Path(sources[0]), report, kind=kind)
        import_counts(drafts, report)
    elif fmt == "archimate":
        from egov_align.interop.archimate import read_drafts as read_archimate

        drafts, model_info = read_archimate(Path(sources[0]), report, lang=name_lang, max_bytes=max_xml_bytes)
    elif fmt == "bpmn":
        from egov_align.interop.bpmn import read_drafts as read_bpmn

        drafts, model_info = read_bpmn([Path(s) for s in sources], report, lanes=lanes, owner=owner,
                                       max_bytes=max_xml_bytes)
    else:
        from egov_align.interop.backstage import read_drafts as read_backstage

        drafts, model_info = read_backstage([Path(s) for s in sources], report)
    if drafts or model_info:
        finish(drafts, model_info, report, target, fmt=fmt, source_name=Path(sources[0]).name)
    report.sort_problems()
    return report


def render_text(report: Report, target: Target) -> str:
    lines = [f"import {report.format}: {printable(report.source)}"]
    for source_type, entry in report.counts.items():
        to = (entry["to"] or "").replace("_", " ")
        lines.append(f"  {printable(source_type)}: {entry['read']} read -> {entry['imported']} {to}".rstrip())
    for title, items in (("mapped", report.mapped), ("notes", report.notes), ("reused", report.reused)):
        if items:
            lines.append(f"{title}:")
            lines += [f"  {printable(item)}" for item in items]
    if report.not_mapped:
        lines.append("not mapped:")
        lines += [f"  {printable(p.position)}: {printable(p.message)}" for p in report.not_mapped]
    if report.problems:
        lines.append(f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}; nothing written:")
        lines += [f"  {printable(p.position)}: {printable(p.message)}" for p in report.problems]
        return "\n".join(lines) + "\n"
    if not report.written:
        lines.append("nothing to write: nothing in the source maps to a model element")
        return "\n".join(lines) + "\n"
    lines.append(f"wrote {len(report.written)} file{'s' if len(report.written) != 1 else ''} to {target.shown}:")
    lines += [f"  {printable(name)}" for name in report.written]
    lines.append(f"Next: egov-align analyze {target.shown}")
    return "\n".join(lines) + "\n"
