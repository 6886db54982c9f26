"""The fast JSON writer (orjson) gives the same bytes as the standard library's, byte for byte;
the reports written in pieces the same bytes as the whole document encoded at once; and findings
made without their messages (the dashboard's analysis) get the very ones analyze gives them."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

from egov_align.analyze import analyze
from egov_align.compare import what_if
from egov_align.config import Config, load_config
from egov_align.findings import with_messages
from egov_align.loader import load_paths
from egov_align.reporters import IN_PIECES, ReportOptions, json_format
from egov_align.reporters.json_format import as_document, dumps, encoded, orjson
from egov_align.reporters.sarif import as_document as sarif_document
from egov_align.results import Result

pytestmark = pytest.mark.skipif(orjson is None, reason="orjson is not installed")


def _same(document: dict) -> None:
    assert dumps(document, fast=True) == dumps(document, fast=False)
    assert dumps(document, fast=True, indent=False) == dumps(document, fast=False, indent=False)


def _same_in_pieces(result: Result, options: ReportOptions) -> None:
    for fmt, whole in (("json", encoded(as_document(result))),
                       ("sarif", encoded(sarif_document(result, options=options), indent=False))):
        written = list(IN_PIECES[fmt](result, options=options))
        assert b"".join(written) == whole
        assert all(piece.decode("utf-8") for piece in written)  # each piece whole UTF-8 (a text-only stdout)


def _same_with_messages_written_later(model, config: Config, result: Result) -> None:
    later = analyze(model, config=config, messages=False)
    assert later.findings and all(f.message is None for f in later.findings)
    written = Result(True, with_messages(later.findings), later.metrics, later.counts)
    assert written.findings == result.findings
    assert encoded(as_document(written)) == encoded(as_document(result))


def test_the_sample_in_every_json_shape(monkeypatch):
    config = load_config(ROOT)
    model = load_paths([ROOT / "models", ROOT / "processes"], config=config, jobs=1).model
    result = analyze(model, config=config)
    _same_with_messages_written_later(model, config, result)
    options = ReportOptions(command="analyze", version="x", policies=config.policies)
    _same(as_document(result))
    _same(sarif_document(result, options=options))
    _same(what_if(model, ["gepg", "chf-imis"], config=config, baseline=result).as_document())
    for batch in (1, 7, len(result.findings), 256):
        monkeypatch.setattr(json_format, "_BATCH", batch)
        _same_in_pieces(result, options)


@pytest.mark.parametrize("findings", ["none", "one"])
def test_a_report_in_pieces_with_no_or_one_finding_and_no_metrics(findings):
    """validate's results have no metrics; an empty list of findings is `[]` in both encodings."""
    config = load_config(ROOT)
    result = analyze(load_paths([ROOT / "models", ROOT / "processes"], config=config, jobs=1).model, config=config)
    kept = [] if findings == "none" else result.findings[:1]
    for metrics in (None, result.metrics):
        _same_in_pieces(Result(True, kept, metrics, {"files": 1}, notices=["a notice"]),
                        ReportOptions(command="analyze", version="x"))


@pytest.mark.timeout(300)
def test_a_synthetic_national_model(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    generate("S", tmp_path / "S")
    model = load_paths([tmp_path / "S"], config=Config(), jobs=1).model
    result = analyze(model)
    assert len(result.findings) > 1_000
    _same_with_messages_written_later(model, Config(), result)
    _same(as_document(result))
    _same_in_pieces(result, ReportOptions(command="analyze", version="x"))
