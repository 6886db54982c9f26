"""Golden DOT for each diagram kind on a small fixture; escaping; aggregation of large views."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from egov_align import diagrams
from egov_align.analyze import analyze
from egov_align.config import Config
from egov_align.loader import Source, load, load_paths

TINY = Path(__file__).parent / "examples" / "valid" / "tiny"
GOLDEN = Path(__file__).parent / "golden"


def tiny():
    model = load_paths([TINY / "models", TINY / "processes"], config=Config(), jobs=1).model
    return model, analyze(model).findings


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize(("kind", "build"), [
    ("process", lambda m, f: diagrams.process_flow(m, f, "register-company")),
    ("landscape", lambda m, f: diagrams.landscape(m)),
    ("integrations", lambda m, f: diagrams.integration_map(m, f)),
    ("system", lambda m, f: diagrams.system_neighbourhood(m, f, "ors")),
])
def test_golden_dot(kind, build):
    model, findings = tiny()
    check_golden(f"diagram-{kind}.dot", build(model, findings).source)


def test_the_integration_gap_is_a_red_dashed_edge_in_the_flow():
    model, findings = tiny()
    source = diagrams.process_flow(model, findings, "register-company").source
    assert 'step__apply -> step__pay [label="no integration: company" color="#c62828"' in source


MALICIOUS = r"""
institutions: [{id: i, name: '<b>bold</b>'}]
systems:
  - {id: s, name: '<script>alert(1)</script>', owner: i}
  - {id: t, name: 'back\slash "quoted" **bold**', owner: i}
"""


def test_model_text_is_escaped_in_every_label():
    model = load([Source("m.yaml", content=MALICIOUS.encode())], jobs=1).model
    source = diagrams.landscape(model).source
    assert 'label="<script>alert(1)</script>\\n(active)"' in source  # a quoted string, not an HTML label
    assert "label=<" not in source
    assert 'back\\\\slash \\"quoted\\" **bold**' in source
    assert 'label="<b>bold</b>"' in source


def test_large_landscapes_are_aggregated_by_institution():
    systems = "\n".join(f"  - {{id: s{n}, name: S{n}, owner: i{n % 7}}}" for n in range(400))
    institutions = "\n".join(f"  - {{id: i{n}, name: I{n}}}" for n in range(7))
    model = load([Source("m.yaml", content=f"institutions:\n{institutions}\nsystems:\n{systems}\n".encode())],
                 jobs=1).model
    source = diagrams.landscape(model).source
    assert source.count("institution__i") == 7 and "system__s" not in source
    assert diagrams.landscape(model, institution="i3").source.count("system__s") == 57


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_render_command_writes_svg_and_png(tmp_path):
    svg = tmp_path / "flow.svg"
    run = run_cli("render", "process", "register-company", "-o", str(svg), "--no-cache", cwd=TINY)
    assert run.code == 0 and svg.read_text().lstrip().startswith("<?xml")
    png = tmp_path / "landscape.png"
    assert run_cli("render", "landscape", "--format", "png", "-o", str(png), "--no-cache", cwd=TINY).code == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_render_dot_needs_no_graphviz_and_bad_ids_exit_2(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    run = run_cli("render", "system", "ors", "--format", "dot", "--no-cache", cwd=TINY)
    assert run.code == 0 and run.out.startswith("digraph")
    missing = run_cli("render", "system", "ors", "--no-cache", cwd=TINY)
    assert missing.code == 2 and "install Graphviz" in missing.err
    assert run_cli("render", "process", "nope", "--format", "dot", cwd=TINY).code == 2
    assert run_cli("render", "landscape", "--institution", "nope", "--format", "dot", cwd=TINY).code == 2


def test_the_coordination_map_colours_hand_offs_by_whether_systems_carry_them():
    from egov_align.diagrams import COORDINATED, UNCOORDINATED, coordination_map
    from egov_align.graph import Index

    model = load_paths([ROOT / "models", ROOT / "processes"], config=Config(), jobs=1).model
    index = Index(model)
    land = coordination_map(model, index.handoffs, "land-title").source
    assert "0 of 1 coordinated" in land and UNCOORDINATED in land and 'style=dashed' in land
    every = coordination_map(model, index.handoffs).source
    assert COORDINATED in every and "institution__brela" in every


def test_the_landscape_speaks_the_readers_language():
    from egov_align import i18n

    model, _findings = tiny()
    spoken = i18n.language()
    try:
        i18n.use("sw")
        source = diagrams.landscape(model).source
        close_up = diagrams.system_neighbourhood(model, _findings, "ors").source
    finally:
        i18n.use(spoken)
    assert 'ORS\\n(unatumika)\\nya pamoja: identity' in source and "(active)" not in source
    assert "(unatumika)" in close_up and "binafsi" in close_up and "chanzo rasmi" in close_up
    assert not re.search(r"\(active\)|personal|master", close_up)
