"""A visitor's model is analysed in a worker process with a time limit."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from conftest import ROOT

from egov_align.config import Config
from egov_align.isolated import AnalysisTimeout, analyse_isolated

pytestmark = pytest.mark.timeout(120)
TINY = ROOT / "tests" / "examples" / "valid" / "tiny"


def test_the_analysis_runs_in_another_process_and_comes_back_whole():
    analysed = analyse_isolated([str(TINY / "models"), str(TINY / "processes")], Config(), timeout=60)
    assert analysed.worker_pid != os.getpid()
    assert analysed.loaded.valid and analysed.result.metrics["alignment"] == round(2 / 3, 4)
    assert multiprocessing.active_children() == []


def test_an_analysis_over_the_time_limit_is_stopped_with_a_message():
    with pytest.raises(AnalysisTimeout, match="longer than 0.01 seconds"):
        analyse_isolated([str(TINY / "models")], Config(), timeout=0.01)
    assert multiprocessing.active_children() == []


def test_an_invalid_model_comes_back_with_its_diagnostics(tmp_path):
    (tmp_path / "m.yaml").write_text("systems:\n  - {id: s, name: S, owner: nobody}\n")
    analysed = analyse_isolated([str(tmp_path)], Config(), timeout=60)
    assert not analysed.loaded.valid and analysed.result is None
    assert [d.rule for d in analysed.loaded.diagnostics] == ["unknown-reference"]
