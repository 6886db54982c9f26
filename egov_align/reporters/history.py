"""The output of `egov-align history`: a table for people, JSON and CSV for spreadsheets and charts."""

from __future__ import annotations

import csv
import io
import json

from egov_align.names import printable
from egov_align.reporters.text import percent

CSV_COLUMNS = ("commit", "date", "subject", "valid", "files", "diagnostics", "errors", "warnings", "infos",
               "alignment", "integration_coverage", "digital_services", "coordination", "redundant_spend")


def _row(point) -> dict:
    return {"commit": point.commit, "date": point.date, "subject": point.subject, "valid": point.valid,
            "files": point.files, "diagnostics": point.diagnostics,
            "errors": point.findings.get("error"), "warnings": point.findings.get("warning"),
            "infos": point.findings.get("info"), **point.metrics}


def render_text(history) -> str:
    points = history.points
    if not points:
        return "No commit changed the model files (or none since --since).\n"
    lines = [f"Model history: {len(points)} commit{'s' if len(points) != 1 else ''} that changed the model, "
             "oldest first", f"{'date':<10}  {'commit':<8}  {'align':>5}  {'integr':>6}  {'digital':>7}  "
             f"{'errors':>6}  {'warn':>5}  {'info':>5}  subject"]
    for point in points:
        date = point.date[:10]
        if not point.valid:
            lines.append(f"{date:<10}  {point.commit[:8]:<8}  {'invalid: ' + str(point.diagnostics) + ' diagnostics':<45}"
                         f"  {printable(point.subject)}")
            continue
        metrics, findings = point.metrics, point.findings
        lines.append(f"{date:<10}  {point.commit[:8]:<8}  {percent(metrics.get('alignment')):>5}  "
                     f"{percent(metrics.get('integration_coverage')):>6}  {percent(metrics.get('digital_services')):>7}"
                     f"  {findings['error']:>6}  {findings['warning']:>5}  {findings['info']:>5}  "
                     f"{printable(point.subject)}")
    valid = [p for p in points if p.valid]
    if len(valid) >= 2:
        first, last = valid[0], valid[-1]
        change = []
        for name, label in (("alignment", "alignment"), ("integration_coverage", "integration coverage"),
                            ("digital_services", "digital services"), ("coordination", "coordination")):
            before, after = first.metrics.get(name), last.metrics.get(name)
            if before is not None and after is not None:
                change.append(f"{label} {round((after - before) * 100):+d} points")
        before, after = first.metrics.get("redundant_spend"), last.metrics.get("redundant_spend")
        if before is not None and after is not None and before != after:
            change.append(f"redundant spend {after - before:+,.0f}")
        total = [sum(p.findings.values()) for p in (first, last)]
        change.append(f"findings {total[0]} -> {total[1]} (errors {last.findings['error'] - first.findings['error']:+d})")
        lines.append(f"Since {first.date[:10]}: " + ", ".join(change) + ".")
    if history.shallow:
        lines.append("This is a shallow clone: the history starts where the clone was cut (git fetch --unshallow).")
    return "\n".join(lines) + "\n"


def render(history, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"commits": [p.as_record() for p in history.points], "shallow": history.shallow},
                          indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        from egov_align.interop.sheet_export import csv_safe

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for point in history.points:
            writer.writerow({key: csv_safe(value) for key, value in _row(point).items()})
        return buffer.getvalue()
    return render_text(history)
