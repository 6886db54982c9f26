"""The output of `egov-align history`: a table for people, JSON and CSV for spreadsheets and charts."""

from __future__ import annotations

import csv
import io
import json

from egov_align.i18n import N_, Noun, _, count
from egov_align.names import printable
from egov_align.reporters.text import percent

CSV_COLUMNS = ("commit", "date", "subject", "valid", "files", "diagnostics", "errors", "warnings", "infos",
               "alignment", "integration_coverage", "digital_services", "coordination", "redundant_spend")


COMMIT = Noun("{n:,} commit", "{n:,} commits")


def _row(point) -> dict:
    return {"commit": point.commit, "date": point.date, "subject": point.subject, "valid": point.valid,
            "files": point.files, "diagnostics": point.diagnostics,
            "errors": point.findings.get("error"), "warnings": point.findings.get("warning"),
            "infos": point.findings.get("info"), **point.metrics}


def render_text(history) -> str:
    points = history.points
    if not points:
        return _("No commit changed the model files (or none since --since).") + "\n"
    headers = [_("date"), _("commit"), _("align"), _("integr"), _("digital"), _("errors"), _("warn"), _("info"),
               _("commit subject")]
    widths = [max(10, len(headers[0])), max(8, len(headers[1]))] + [max(w, len(h)) for w, h in
                                                                   zip((5, 6, 7, 6, 5, 5), headers[2:8], strict=True)]
    lines = [_("Model history: {commits} that changed the model, oldest first", commits=count(len(points), COMMIT)),
             "  ".join(f"{h:<{w}}" if i < 2 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(headers, widths,
                                                                                           strict=False)))
             + "  " + headers[-1]]
    for point in points:
        date = point.date[:10]
        if not point.valid:
            state = _("invalid: {diagnostics} diagnostics", diagnostics=point.diagnostics)
            lines.append(f"{date:<{widths[0]}}  {point.commit[:8]:<{widths[1]}}  "
                         f"{state:<{sum(widths[2:]) + 2 * 5}}  {printable(point.subject)}")
            continue
        metrics, findings = point.metrics, point.findings
        values = [percent(metrics.get("alignment")), percent(metrics.get("integration_coverage")),
                  percent(metrics.get("digital_services")), findings["error"], findings["warning"], findings["info"]]
        lines.append(f"{date:<{widths[0]}}  {point.commit[:8]:<{widths[1]}}  "
                     + "  ".join(f"{v:>{w}}" for v, w in zip(values, widths[2:], strict=True))
                     + f"  {printable(point.subject)}")
    valid = [p for p in points if p.valid]
    if len(valid) >= 2:
        first, last = valid[0], valid[-1]
        change = []
        for name, label in (("alignment", N_("alignment {points:+d} points")),
                            ("integration_coverage", N_("integration coverage {points:+d} points")),
                            ("digital_services", N_("digital services {points:+d} points")),
                            ("coordination", N_("coordination {points:+d} points"))):
            before, after = first.metrics.get(name), last.metrics.get(name)
            if before is not None and after is not None:
                change.append(_(label, points=round((after - before) * 100)))
        before, after = first.metrics.get("redundant_spend"), last.metrics.get("redundant_spend")
        if before is not None and after is not None and before != after:
            change.append(_("redundant spend {change:+,.0f}", change=after - before))
        total = [sum(p.findings.values()) for p in (first, last)]
        change.append(_("findings {before} -> {after} (errors {errors:+d})", before=total[0], after=total[1],
                        errors=last.findings["error"] - first.findings["error"]))
        lines.append(_("Since {date}: {changes}.", date=first.date[:10], changes=", ".join(change)))
    if history.shallow:
        lines.append(_("This is a shallow clone: the history starts where the clone was cut (git fetch --unshallow)."))
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
