"""Meta-tests: every rule is registered, documented in the template, has cases and a docs section."""

from __future__ import annotations

import datetime as dt
import pkgutil
import re
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

import egov_align.rules as rules_package
from egov_align.analyze import analyze
from egov_align.config import parse_config
from egov_align.loader import Source, load
from egov_align.rules import RULES

CASES = ROOT / "tests" / "rules" / "cases"
RULES_DOC = ROOT / "docs" / "rules.md"


def test_every_rule_module_is_registered():
    modules = {m.name for m in pkgutil.iter_modules(rules_package.__path__)}
    assert modules == {rule.__name__.rsplit(".", 1)[1] for rule in RULES.values()}
    for name, rule in RULES.items():
        assert rule.__name__.endswith(name.replace("-", "_")) and rule.NAME == name


@pytest.mark.parametrize("name", list(RULES))
def test_rule_docstring_follows_the_template(name):
    doc = RULES[name].__doc__
    for part in ("Why it matters:", "How to fix:", "Fails::", "Passes::"):
        assert part in doc, f"{name}: docstring lacks {part!r}"
    assert doc.strip().splitlines()[0].endswith(".")


@pytest.mark.parametrize("name", list(RULES))
def test_rule_has_a_case_file_with_firing_and_passing_cases(name):
    spec = yaml.safe_load((CASES / f"{name}.yaml").read_text())
    assert spec["rule"] == name
    assert any(c.get("fires") for c in spec["cases"]) and any(not c.get("fires") for c in spec["cases"])


def test_the_rule_reference_is_up_to_date():
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "build_rules.py"), "--check"], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_the_import_column_reference_is_up_to_date():
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "build_columns.py"), "--check"], capture_output=True)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def _doc_sections() -> dict[str, str]:
    text = RULES_DOC.read_text()
    return {m.group(1): m.group(2) for m in re.finditer(r"^## ([a-z-]+)\n(.*?)(?=^## |\Z)", text, re.S | re.M)}


@pytest.mark.parametrize("name", list(RULES))
def test_the_snippets_in_the_rule_reference_fire_and_do_not_fire(name):
    section = _doc_sections()[name]
    blocks = re.findall(r"^(Fires|Does not fire)[^\n]*\n\n```yaml\n(.*?)```", section, re.S | re.M)
    assert [kind for kind, _ in blocks] == ["Fires", "Does not fire"]
    for kind, block in blocks:
        base, _, case = block.partition("# --- the case (case.yaml)\n")
        base = base.replace("# --- shared part (base.yaml)\n", "")
        loaded = load([Source("base.yaml", content=base.encode()), Source("case.yaml", content=case.encode())], jobs=1)
        assert loaded.valid, loaded.diagnostics
        spec = yaml.safe_load((CASES / f"{name}.yaml").read_text())
        config = parse_config(spec.get("config", {}))
        fired = [f for f in analyze(loaded.model, config=config, as_of=dt.date(2026, 6, 30)).findings if f.rule == name]
        assert bool(fired) == (kind == "Fires"), f"{name}: the '{kind}' snippet"
