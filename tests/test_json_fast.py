"""The fast JSON writer (orjson) gives the same bytes as the standard library's, byte for byte."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

from egov_align.analyze import analyze
from egov_align.compare import what_if
from egov_align.config import Config, load_config
from egov_align.loader import load_paths
from egov_align.reporters import ReportOptions
from egov_align.reporters.json_format import as_document, dumps, orjson
from egov_align.reporters.sarif import as_document as sarif_document

pytestmark = pytest.mark.skipif(orjson is None, reason="orjson is not installed")


def _same(document: dict) -> None:
    assert dumps(document, fast=True) == dumps(document, fast=False)
    assert dumps(document, fast=True, indent=False) == dumps(document, fast=False, indent=False)


def test_the_sample_in_every_json_shape():
    config = load_config(ROOT)
    model = load_paths([ROOT / "models", ROOT / "processes"], config=config, jobs=1).model
    result = analyze(model, config=config)
    _same(as_document(result))
    _same(sarif_document(result, options=ReportOptions(command="analyze", version="x", policies=config.policies)))
    _same(what_if(model, ["gepg", "chf-imis"], config=config, baseline=result).as_document())


@pytest.mark.timeout(300)
def test_a_synthetic_national_model(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    generate("S", tmp_path / "S")
    model = load_paths([tmp_path / "S"], config=Config(), jobs=1).model
    result = analyze(model)
    assert len(result.findings) > 1_000
    _same(as_document(result))
