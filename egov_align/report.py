"""`egov-align report`: one document leaders can print and forward (DESIGN 10), as HTML or PDF.

Self-contained: styles, charts (matplotlib, drawn to SVG) and diagrams (Graphviz SVG) are
inside the file; it asks no host for anything and needs no JavaScript. Model text is
escaped. Print CSS lays it out on A4, a section per page, table headers repeated.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import warnings

from egov_align import __version__
from egov_align.consolidation import reason_in_language
from egov_align.i18n import ERROR as ERRORS
from egov_align.i18n import (
    INFO,
    N_,
    PROCESS,
    RECORD_KINDS,
    STEP,
    SYSTEM,
    WARNING,
    _,
    count,
    language,
    long_date,
    message,
    severity_word,
)
from egov_align.i18n import INSTITUTION as INSTITUTIONS
from egov_align.model import Model
from egov_align.reporters.text import money, percent
from egov_align.results import Result
from egov_align.rules import what_each_finds
from egov_align.views import findings_by_subject, rule_counts

SEVERITY_COLOURS = {"error": "#c0392b", "warning": "#e67e22", "info": "#2e86c1"}
MAX_DIAGRAMS = 40  # processes drawn; the rest are listed with their alignment
CSS = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: counter(page); font-size: 9pt; color: #666; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 24pt; margin: 0 0 6pt; } h2 { font-size: 16pt; border-bottom: 2px solid #1f4e79; }
h3 { font-size: 12pt; margin-bottom: 2pt; }
section { page-break-before: always; break-before: page; } section.cover { page-break-before: avoid; }
.cover { padding-top: 40mm; } .muted { color: #555; } .small { font-size: 9pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 9.5pt; }
thead { display: table-header-group; } tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #ccc; padding: 3pt 5pt; text-align: left; vertical-align: top; }
th { background: #1f4e79; color: #fff; } td.num { text-align: right; }
.metrics { display: flex; flex-wrap: wrap; gap: 8pt; } .metric { border: 1px solid #ccc; padding: 6pt; width: 46%; }
.metric b { font-size: 16pt; display: block; } .error { color: #c0392b; } .warning { color: #b9770e; }
.info { color: #2e86c1; } figure { margin: 6pt 0; page-break-inside: avoid; } figure svg { max-width: 100%; height: auto; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _money(value, currency: str | None) -> str:
    return _("n/a") if value is None else money(value, currency)


def _svg_only(svg: str) -> str:
    """An SVG for inlining: no XML declaration or DOCTYPE, and no reference to anything outside it."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r'\s(?:xlink:)?href="(?!#)[^"]*"', "", svg)


def _pyplot():
    """matplotlib, drawing off-screen; its own dependencies' deprecation notices are not ours to show."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot, ticker
    return pyplot, ticker


def _bar_chart(labels: list[str], values: list[int], colours: list[str], title: str) -> str:
    pyplot, _ticker = _pyplot()
    figure, axes = pyplot.subplots(figsize=(7, max(1.6, 0.32 * len(labels) + 0.8)))
    axes.barh(labels[::-1], values[::-1], color=colours[::-1])
    axes.set_title(title, fontsize=11, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    for index, value in enumerate(values[::-1]):
        axes.text(value, index, f" {value}", va="center", fontsize=8)
    return _svg_of(figure, title)


def _line_chart(points: list[dict]) -> str:
    pyplot, ticker = _pyplot()
    from matplotlib import dates as chart_dates

    figure, axes = pyplot.subplots(figsize=(7, 2.6))
    # each commit at its date and time: commits of one day are points apart, not a vertical line
    moments = [dt.datetime.fromisoformat(p["date"]) for p in points]
    for name, label in (("alignment", N_("alignment")), ("integration_coverage", N_("integration coverage")),
                        ("digital_services", N_("digital services"))):
        axes.plot(moments, [p["metrics"].get(name) for p in points], marker="o", label=_(label))
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    locator = chart_dates.AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    numeric = ["%Y", "%Y-%m", "%Y-%m-%d", "%H:%M", "%H:%M", "%S.%f"]  # no month names: the same in every language
    axes.xaxis.set_major_formatter(chart_dates.ConciseDateFormatter(
        locator, formats=numeric, zero_formats=["", "%Y", "%Y-%m", "%Y-%m-%d", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]))
    axes.tick_params(axis="x", labelsize=7)
    axes.legend(fontsize=8, loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg_of(figure, "trend")


def _svg_of(figure, name: str) -> str:
    """The chart as inline SVG, the same bytes each time: without a timestamp, and with ids made
    from the chart and its `name` (unique in the report: its charts share one HTML document)
    rather than at random, so two reports of one model on one day are identical."""
    import matplotlib
    from matplotlib import pyplot

    figure.tight_layout()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"egov-align {name}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    pyplot.close(figure)
    return _svg_only(buffer.getvalue())


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td class=\"num\">{_e(c)}</td>" if i in numeric else f"<td>{_e(c)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


MEANINGS = [  # (metric, its name, what the figure says: "{value} of the process steps ...")
    ("alignment", N_("Alignment"), N_("{value} of the process steps that need capabilities are done on systems in "
                                      "service that provide every one of them.")),
    ("integration_coverage", N_("Integration coverage"),
     N_("{value} of the hand-offs of data between systems are carried by an active integration.")),
    ("digital_services", N_("Digital services"),
     N_("{value} of the services to citizens and businesses can be used on the web, a phone, USSD, SMS or a kiosk.")),
    ("coordination", N_("Coordination"),
     N_("{value} of the hand-offs between institutions run on a shared system or an integration, not on paper.")),
    ("mediated_integrations", N_("Mediated integrations"),
     N_("{value} of the active integrations go through the government service bus.")),
    ("standardised_integrations", N_("Standardised integrations"),
     N_("{value} of the active integrations follow a named standard.")),
]


def build_report(model: Model, result: Result, *, history=None, today: dt.date | None = None,
                 policies: tuple = ()) -> str:
    """The whole document as one HTML string, in the language in force (i18n.use); `policies`, the
    configuration's, say what their findings are about."""
    metrics, summary = result.metrics, result.summary()
    currency = model.info.currency
    name = model.info.name or _("Model")
    parts = [f"<!DOCTYPE html><html lang=\"{language()}\"><head><meta charset=\"utf-8\"><title>"
             f"{_e(_('{name}: alignment report', name=name))}</title><style>{CSS}</style></head><body>"]
    counts_text = _("{institutions}, {systems}, {processes}, {steps}",
                    institutions=count(summary["institutions"], INSTITUTIONS), systems=count(summary["systems"], SYSTEM),
                    processes=count(summary["processes"], PROCESS), steps=count(summary["steps"], STEP))
    as_of = _("data as of {date}", date=long_date(model.info.as_of)) if model.info.as_of else ""
    prepared = _("Prepared {date} with egov-align {version}.", date=long_date(today or dt.date.today()),
                 version=__version__)
    parts.append(f"<section class=\"cover\"><h1>{_e(name)}</h1><p class=\"muted\">"
                 f"{_e(_('Alignment of business processes with the ICT systems that support them'))}</p>"
                 f"<p>{_e(counts_text)}{'; ' + _e(as_of) if as_of else ''}.</p>"
                 f"<p class=\"muted small\">{_e(prepared)}</p></section>")
    tiles = "".join(f"<div class=\"metric\"><b>{percent(metrics.get(key))}</b>{_e(_(label))}: "
                    f"{_e(_(meaning, value=percent(metrics.get(key))))}</div>" for key, label, meaning in MEANINGS)
    spend = _money(metrics.get("redundant_spend"), currency)
    tally = _("The analysis found {errors}, {warnings} and {infos}.", errors="\0e", warnings="\0w", infos="\0i")
    tally = _e(tally).replace("\0e", f"<span class=\"error\">{_e(count(summary['errors'], ERRORS))}</span>").replace(
        "\0w", f"<span class=\"warning\">{_e(count(summary['warnings'], WARNING))}</span>").replace(
        "\0i", f"<span class=\"info\">{_e(count(summary['infos'], INFO))}</span>")
    spend_meaning = _("Redundant spend: what the systems the consolidation plan could retire cost each year.")
    parts.append(f"<section><h2>{_e(_('Executive summary'))}</h2><div class=\"metrics\">{tiles}<div class=\"metric\">"
                 f"<b>{_e(spend)}</b>{_e(spend_meaning)}"
                 f"</div></div><p>{tally}</p></section>")
    counts = rule_counts(result.findings)
    finds = what_each_finds(policies)
    chart = _bar_chart([f"{r['rule']} ({severity_word(r['severity'])})" for r in counts],
                       [r["findings"] for r in counts],
                       [SEVERITY_COLOURS.get(r.get("severity", "info"), "#777") for r in counts],
                       _("Findings by rule")) if counts else f"<p>{_e(_('No findings.'))}</p>"
    parts.append(f"<section><h2>{_e(_('Findings by severity and rule'))}</h2><figure>{chart}</figure>"
                 + _table([_("rule"), _("what it finds"), _("severity"), _("findings")],
                          [[r["rule"], finds.get(r["rule"], ""), severity_word(r["severity"]), r["findings"]]
                           for r in counts], {3}) + "</section>")
    parts.append(_institutions(model, result))
    parts.append(_processes(model, result))
    parts.append(_consolidation(model, metrics, currency))
    parts.append(_integration_and_security(model, result))
    parts.append(_completeness(metrics))
    if history is not None and len([p for p in history.points if p.valid]) >= 2:
        valid = [p.as_record() for p in history.points if p.valid]
        parts.append(f"<section><h2>{_e(_('Over time'))}</h2><p>"
                     f"{_e(_('The last {count} commits that changed the model.', count=len(history.points)))}</p>"
                     f"<figure>{_line_chart(valid)}</figure>"
                     + _table([_("date"), _("alignment"), _("integration coverage"), _("errors"), _("warnings"),
                               _("commit")],
                              [[p["date"][:10], percent(p["metrics"].get("alignment")),
                                percent(p["metrics"].get("integration_coverage")), p["findings"]["error"],
                                p["findings"]["warning"], p["subject"]] for p in valid], {3, 4}) + "</section>")
    parts.append(f"<section><h2>{_e(_('Appendix: every finding'))}</h2>" + _table(
        [_("severity"), _("rule"), _("subject"), _("message"), _("where")],
        [[severity_word(f.severity.value), f.rule, f.subject or "", message(f), f"{f.file}:{f.line}"]
         for f in result.findings]) + "</section>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _institutions(model: Model, result: Result) -> str:
    per = result.metrics.get("institutions") or {}
    findings: dict[str, list[int]] = {}
    owner = {f"system:{s.id}": s.owner for s in model.systems.values()}
    owner.update({f"process:{p.id}": p.owner for p in model.processes.values()})
    for finding in result.findings:
        subject = finding.subject or ""
        institution = owner.get(subject) or (owner.get(f"process:{subject[5:].split('/')[0]}")
                                             if subject.startswith("step:") else None)
        if institution:
            counts = findings.setdefault(institution, [0, 0])
            counts[0 if finding.severity.value == "error" else 1] += 1
    rows = []
    for institution in model.institutions.values():
        systems = [s for s in model.systems.values() if s.owner == institution.id]
        cost = sum(s.annual_cost or 0 for s in systems)
        errors, warnings = findings.get(institution.id, [0, 0])
        rows.append([institution.name, percent((per.get(institution.id) or {}).get("alignment")), len(systems),
                     f"{cost:,.0f}", errors, warnings])
    rows.sort(key=lambda r: (-r[4], -r[5], r[0]))
    return (f"<section><h2>{_e(_('Institutions ranked'))}</h2><p>"
            f"{_e(_('By error findings, then warnings, about their systems and processes.'))}</p>"
            + _table([_("institution"), _("alignment"), _("systems"),
                      _("annual cost ({currency})", currency=model.info.currency or ""), _("errors"), _("warnings")],
                     rows, {2, 3, 4, 5}) + "</section>")


def _processes(model: Model, result: Result) -> str:
    from egov_align import diagrams

    per = result.metrics.get("processes") or {}
    drawable = shutil.which("dot") is not None
    by_subject = findings_by_subject(result.findings) if drawable else {}  # once, not once per diagram
    out = [f"<section><h2>{_e(_('Processes'))}</h2>"]
    for number, process in enumerate(model.processes.values()):
        values = per.get(process.id) or {}
        out.append(f"<h3>{_e(process.name)}</h3><p>" + _e(_(
            "Alignment {alignment}, coordination {coordination}; {steps}, owner {owner}.",
            alignment=percent(values.get("alignment")), coordination=percent(values.get("coordination")),
            steps=count(len(process.steps), STEP), owner=model.institutions[process.owner].name)) + "</p>")
        if drawable and number < MAX_DIAGRAMS:
            graph = diagrams.process_flow(model, result.findings, process.id, by_subject=by_subject)
            try:
                diagrams.check_drawable(graph)
                out.append(f"<figure>{_svg_only(graph.pipe(format='svg', encoding='utf-8'))}</figure>")
            except diagrams.DiagramTooLarge:
                out.append(f"<p class=\"muted small\">{_e(_('Too large to draw here; see the dashboard.'))}</p>")
    if not drawable:
        out.append(f"<p class=\"muted small\">"
                   f"{_e(_('Diagrams need Graphviz (`dot`), which is not installed here.'))}</p>")
    out.append("</section>")
    return "".join(out)


def _consolidation(model: Model, metrics: dict, currency: str | None) -> str:
    plan = metrics.get("consolidation") or []
    rows = [[model.systems[item["system"]].name if item["system"] in model.systems else item["system"],
             _money(item["annual_cost"], currency), item["steps_supported"],
             "; ".join(f"{s}: {reason_in_language(item.get('reasons', {}).get(s, ''))}" for s in item["taken_over_by"])]
            for item in plan]
    saving = _("Retiring these systems would save {spend} a year; each is taken over by the systems named.",
               spend=_money(metrics.get("redundant_spend"), currency))
    return (f"<section><h2>{_e(_('Consolidation plan and redundant spend'))}</h2><p>{_e(saving)}</p>"
            + _table([_("system"), _("annual cost"), _("steps supported"), _("taken over by")], rows, {1, 2})
            + "</section>")


def _integration_and_security(model: Model, result: Result) -> str:
    rules = ("integration-gap", "once-only-gap", "unprotected-sensitive-data", "unassessed-sensitive-system",
             "non-standard-integration", "divergent-standards")
    rows = [[f.rule, severity_word(f.severity.value), message(f)] for f in result.findings if f.rule in rules]
    metrics = result.metrics
    figures = _("Integration coverage {coverage}; mediated integrations {mediated}; standardised integrations "
                "{standardised}.", coverage=percent(metrics.get("integration_coverage")),
                mediated=percent(metrics.get("mediated_integrations")),
                standardised=percent(metrics.get("standardised_integrations")))
    return (f"<section><h2>{_e(_('Integration and security'))}</h2><p>{_e(figures)}</p>"
            + _table([_("rule"), _("severity"), _("finding")], rows) + "</section>")


def _completeness(metrics: dict) -> str:
    completeness = metrics.get("completeness") or {}
    rows = [[_(RECORD_KINDS.get(kind, kind)), percent(value)] for kind, value in completeness.items()]
    return (f"<section><h2>{_e(_('Data completeness'))}</h2><p>"
            f"{_e(_('How much of what matters is filled in the model records (a default value does not count).'))}"
            "</p>" + _table([_("records"), _("complete")], rows, {1}) + "</section>")



def to_pdf(document: str) -> bytes:
    """The same document as PDF (the optional extra egov-align[pdf]); no URL is ever fetched."""
    from weasyprint import HTML

    def refuse(url: str, *args, **kwargs):
        raise ValueError(f"the report fetches nothing: {url}")

    return HTML(string=document, url_fetcher=refuse).write_pdf()
