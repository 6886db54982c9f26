"""The published JSON Schema accepts every valid file we ship and rejects what validate rejects for its shape."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from egov_align.loader import Source, load

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schema" / "model-file.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server sees it: dates stay text (JSON has no date type)."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _valid_documents():
    """(name, YAML text) of every file in the repository that `validate` accepts."""
    files = [*ROOT.glob("models/*.yaml"), *ROOT.glob("processes/*.yaml"), *ROOT.glob("examples/**/*.yaml"),
             *ROOT.glob("tests/examples/valid/**/*.yaml"),
             *(p for p in (ROOT / "egov_align" / "templates" / "init").glob("*.yaml") if "pre-commit" not in p.name)]
    for path in sorted(files):
        yield path.relative_to(ROOT).as_posix(), path.read_text().replace("{{CURRENCY}}", "TZS")  # as init fills it
    for block in re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "model-format.md").read_text(), re.S):
        if not block.lstrip().startswith("# yaml-language-server"):
            yield "docs/model-format.md", block
    for path in sorted((ROOT / "tests" / "rules" / "cases").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        yield f"{path.name}:base", spec.get("base", "")
        for case in spec["cases"]:
            yield f"{path.name}:{case['name']}", case["model"]


DOCUMENTS = list(_valid_documents())


@pytest.mark.parametrize("name, text", DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_every_valid_file_validates_against_the_published_schema(name, text):
    if "\nmodel:" not in "\n" + text and name.startswith("docs/") and "id:" not in text:
        pytest.skip("not a model file")
    own = load([Source("f.yaml", content=text.encode())], jobs=1, want_model=False)
    schema_only = [d for d in own.diagnostics if d.rule in ("yaml-syntax", "schema", "duplicate-key")]
    assert schema_only == [], "validate itself rejects this file"
    data = yaml.load(text, Loader=_EditorLoader)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)] if data is not None else []
    assert errors == []


def test_enough_files_were_checked():
    assert len(DOCUMENTS) > 100


@pytest.mark.parametrize("text", [
    "systems:\n  - {id: s, name: S, owner: x, ownr: y}\n",                 # unknown field
    "systems:\n  - {id: s, name: S, owner: x, status: retirng}\n",         # enum value
    "systems:\n  - {id: s, name: S, owner: x, users: many}\n",             # type
    "systems:\n  - {id: s, name: S}\n",                                    # required field
    "integrations:\n  - {from: a, to: b, data: []}\n",                     # empty list
    "integrations:\n  - {from: a, to: b, data: [e], mechanism: fax}\n",    # enum value
    "processes:\n  - {id: p, name: P, owner: x, steps: []}\n",             # no steps
    "processes:\n  - {id: p, name: P, owner: x, steps: [{id: s, name: S, nxt: [t]}]}\n",
    "capabilities:\n  - {id: 'bad id', name: C}\n",                        # id pattern
    "institutoins: []\n",                                                  # top-level key
    "model: {currency: shillings}\n",                                      # currency pattern
])
def test_the_schema_rejects_what_validate_rejects_for_its_shape(text):
    own = load([Source("f.yaml", content=text.encode())], jobs=1, want_model=False)
    assert any(d.rule == "schema" for d in own.diagnostics)
    assert list(VALIDATOR.iter_errors(yaml.load(text, Loader=_EditorLoader)))


def test_an_integration_without_an_id_is_valid_for_both():
    text = "integrations:\n  - {from: a, to: b, data: [e]}\n"
    assert not list(VALIDATOR.iter_errors(yaml.load(text, Loader=_EditorLoader)))


def test_every_field_an_editor_completes_says_what_it_is_for():
    """Hovering `owner` in VS Code shows what to write there, not just "Owner"."""
    for name, definition in SCHEMA["$defs"].items():
        for field, described in definition["properties"].items():
            assert described.get("description"), f"{name}.{field}"
    assert all(SCHEMA["properties"][key].get("description") for key in SCHEMA["properties"])
    assert SCHEMA["$defs"]["System"]["properties"]["owner"]["description"] == \
        "The id of the institution that owns the system."
