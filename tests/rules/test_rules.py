"""Each rule's YAML case file, turned into one test per case (sqlfluff's way).

A case is a model (plus the file's shared `base`), and `fires` lists exactly the findings
of that rule expected: `SUBJECT @ LINE` (line in the case model) or `SUBJECT @ base:LINE`.
Each case's findings in full (message, related, key) are also kept as golden output in
`golden/<rule>.json` (UPDATE_GOLDEN=1 rewrites it), so advice and related ids are pinned too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import yaml

from egov_align.analyze import analyze
from egov_align.config import parse_config
from egov_align.i18n import message
from egov_align.loader import Source, load

CASES = Path(__file__).parent / "cases"
GOLDEN = Path(__file__).parent / "golden"


def _cases():
    for path in sorted(CASES.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            yield pytest.param((spec, case), id=f"{spec['rule']}:{case['name']}")


def pytest_generate_tests(metafunc):
    if "rule_case" in metafunc.fixturenames:
        metafunc.parametrize("rule_case", list(_cases()))


def _expected(case) -> list[tuple]:
    found = []
    for text in case.get("fires") or []:
        subject, _, where = (part.strip() for part in text.partition("@"))
        file, _, line = where.rpartition(":")
        found.append((subject, "base.yaml" if file == "base" else "case.yaml", int(line)))
    return sorted(found)


def run_case(spec: dict, case: dict):
    sources = [Source("base.yaml", content=spec.get("base", "").encode()),
               Source("case.yaml", content=case["model"].encode())]
    loaded = load(sources, jobs=1)
    assert loaded.diagnostics == [], [f"{d.file}:{d.line}: {d.message}" for d in loaded.diagnostics]
    config = parse_config({**spec.get("config", {}), **case.get("config", {})})
    as_of = case.get("as_of") or spec.get("as_of")
    result = analyze(loaded.model, config=config,
                     as_of=dt.date.fromisoformat(str(as_of)) if as_of else dt.date(2026, 6, 30))
    return [f for f in result.findings if f.rule == spec["rule"]]


def test_rule_case(rule_case):
    spec, case = rule_case
    findings = run_case(spec, case)
    assert sorted((f.subject, f.file, f.line) for f in findings) == _expected(case)
    if "severity" in case:
        assert {f.severity.value for f in findings} == {case["severity"]}
    for finding in findings:
        assert finding.message and finding.column >= 1
    if "related" in case:
        assert [list(f.related) for f in findings] == case["related"]
    _check_golden(spec["rule"], case["name"], [
        {"subject": f.subject, "line": f.line, "severity": f.severity.value, "message": f.message,
         "message_sw": message(f, "sw"), "related": list(f.related), "key": f.key} for f in findings])


def _check_golden(rule: str, case: str, found: list[dict]) -> None:
    path = GOLDEN / f"{rule}.json"
    golden = json.loads(path.read_text()) if path.exists() else {}
    if os.environ.get("UPDATE_GOLDEN"):
        golden[case] = found
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(dict(sorted(golden.items())), indent=2, ensure_ascii=False) + "\n")
    assert found == golden.get(case), f"{rule}:{case} differs from {path.name} (UPDATE_GOLDEN=1 rewrites it)"
