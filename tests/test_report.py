"""egov-align report (DESIGN 10): one self-contained document, in HTML or PDF."""

from __future__ import annotations

import builtins
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

SECTIONS = ["Executive summary", "Findings by severity and rule", "Institutions ranked", "Processes",
            "Consolidation plan and redundant spend", "Integration and security", "Data completeness",
            "Appendix: every finding"]
SECTIONS_SW = ["Muhtasari kwa viongozi", "Matokeo kwa uzito na kanuni", "Taasisi kwa mpangilio", "Michakato",
               "Mpango wa kuunganisha mifumo na gharama zisizo za lazima", "Muunganiko na usalama",
               "Ukamilifu wa taarifa", "Kiambatisho: matokeo yote"]


class _Outside(HTMLParser):
    """Every reference a browser would follow to another host or file."""

    def __init__(self):
        super().__init__()
        self.references, self.scripts, self.headings = [], 0, []
        self._heading = False

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self._heading = tag == "h2"
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and value and not value.startswith(("#", "data:")):
                self.references.append(value)

    def handle_data(self, data):
        if self._heading:
            self.headings.append(data)
            self._heading = False


@pytest.fixture
def sample(tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    for part in ("models", "processes"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "egov-align.toml", tmp_path)
    return tmp_path


def test_the_html_report_is_complete_and_self_contained(sample):
    run = run_cli("report", "-o", "report.html", cwd=sample)
    assert run.code == 0, run.err
    text = (sample / "report.html").read_text()
    parser = _Outside()
    parser.feed(text)
    assert parser.references == [] and parser.scripts == 0
    assert [u for u in text.split("url(")[1:] if not u.startswith("#")] == []  # CSS and SVG: only local ids
    assert parser.headings == SECTIONS
    assert "Illustrative e-Government landscape" in text and "@page" in text and "<svg" in text
    assert text.count("<tr>") > 65  # the appendix lists every finding


def test_two_reports_of_one_model_on_one_day_are_the_same_bytes(sample):
    """The charts carried the time they were drawn and random ids: reports could not be compared."""
    assert run_cli("report", "-o", "one.html", "--no-cache", cwd=sample).code == 0
    assert run_cli("report", "-o", "two.html", "--no-cache", cwd=sample).code == 0
    one = (sample / "one.html").read_bytes()
    assert one == (sample / "two.html").read_bytes()
    assert one.count(b"<svg") >= 2 and b"<dc:date>" not in one
    made = re.findall(rb'\sid="([a-z][0-9a-f]{10})"', one)  # clip paths and markers, made from the chart
    assert made and len(made) == len(set(made))  # the charts share one document: none made twice


def test_the_report_in_kiswahili(sample):
    assert run_cli("report", "-o", "ripoti.html", "--lang", "sw", cwd=sample).code == 0
    text = (sample / "ripoti.html").read_text()
    parser = _Outside()
    parser.feed(text)
    assert parser.headings == SECTIONS_SW and parser.references == []
    assert '<html lang="sw">' in text and "ripoti ya uwiano" in text
    for words in ("Uwiano:", "ya hatua za michakato", "Imeandaliwa ", "inahitaji",
                  "kazi ya kila mmoja inachukuliwa", "pia unatoa", "Gharama zisizo za lazima:"):
        assert words in text, words
    for english in ("Executive summary", "Prepared ", " is provided by ", "Redundant spend:"):
        assert english not in text, english
    assert "Illustrative e-Government landscape" in text  # model text is shown as written


def test_model_text_is_escaped(sample):
    names = sample / "models" / "institutions.yaml"
    names.write_text(names.read_text().replace("name: e-Government Authority (e-GA)",
                                               'name: "<script>alert(1)</script> & <b>e-GA</b>"', 1))
    assert run_cli("report", "-o", "r.html", cwd=sample).code == 0
    text = (sample / "r.html").read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;e-GA&lt;/b&gt;" in text


@pytest.mark.timeout(300)
def test_the_pdf_report_reads_as_the_document(sample):
    pytest.importorskip("weasyprint")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is installed in CI")
    assert run_cli("report", "-o", "report.pdf", cwd=sample).code == 0
    text = subprocess.run(["pdftotext", str(sample / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Executive summary" in text and "sample)" in text
    assert run_cli("report", "-o", "ripoti.pdf", "--lang", "sw", cwd=sample).code == 0
    text = subprocess.run(["pdftotext", str(sample / "ripoti.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("Muhtasari kwa viongozi", "Kiambatisho: matokeo yote", "Uwiano kati ya taratibu za utendaji"):
        assert heading in text, heading


def test_usage_errors(sample, monkeypatch):
    assert "name an .html or .pdf file" in run_cli("report", "-o", "r.txt", cwd=sample).err
    assert "invalid choice: 'fr'" in run_cli("report", "-o", "r.html", "--lang", "fr", cwd=sample).err
    real_import = builtins.__import__

    def without_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_weasyprint)
    run = run_cli("report", "-o", "r.pdf", cwd=sample)
    assert run.code == 2 and "pip install 'egov-align[pdf]'" in run.err
    assert not Path(sample / "r.pdf").exists()


def test_summary_and_rule_counts_count_each_severity_and_rule():
    from egov_align.findings import Finding, Severity
    from egov_align.results import Result
    from egov_align.views import rule_counts

    def found(rule, severity):
        return Finding(rule, severity, "m", "f.yaml", 1, 1)

    findings = [found("b-rule", Severity.WARNING), found("a-rule", Severity.ERROR), found("b-rule", Severity.WARNING),
                found("a-rule", Severity.WARNING), found("c-rule", Severity.INFO), found("a-rule", Severity.ERROR)]
    assert Result(True, findings, {}, {"files": 2}).summary() == {"files": 2, "errors": 2, "warnings": 3, "infos": 1}
    assert Result(True, [], {}, {}).summary() == {"errors": 0, "warnings": 0, "infos": 0}
    assert rule_counts(findings) == [{"rule": "a-rule", "severity": "error", "findings": 2},
                                     {"rule": "b-rule", "severity": "warning", "findings": 2},
                                     {"rule": "a-rule", "severity": "warning", "findings": 1},
                                     {"rule": "c-rule", "severity": "info", "findings": 1}]


def test_the_trend_chart_puts_commits_of_one_day_apart(monkeypatch):
    """Commits on one day shared an x position: the lines dropped vertically there."""
    from egov_align import report

    drawn = []
    monkeypatch.setattr(report, "_svg_of", lambda figure, name: drawn.append(figure) or "<svg/>")
    points = [{"date": date, "metrics": {"alignment": share, "integration_coverage": 0.5, "digital_services": 1.0}}
              for date, share in (("2026-11-28T21:03:30+00:00", 0.7), ("2026-11-30T09:00:00+03:00", 0.75),
                                  ("2026-11-30T17:45:10+03:00", 0.8))]
    report._line_chart(points)
    [axes] = drawn[0].axes
    lines = [set(line.get_xdata()) for line in axes.get_lines()]
    report._pyplot()[0].close(drawn[0])
    assert len(lines) == 3 and all(len(moments) == 3 for moments in lines)
