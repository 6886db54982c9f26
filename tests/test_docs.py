"""The documentation's examples are real: they validate, and the README's commands exist."""

from __future__ import annotations

import re

from conftest import ROOT

from egov_align.loader import Source, load


def yaml_blocks(path):
    return re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S)


def test_the_complete_example_of_the_model_format_validates():
    example = yaml_blocks(ROOT / "docs" / "model-format.md")[0]
    loaded = load([Source("example.yaml", content=example.encode())], jobs=1)
    assert loaded.valid, [f"{d.line}: {d.message}" for d in loaded.diagnostics]
    model = loaded.model
    assert len(model.kind("systems")) == 3 and model.integrations["registry-gepg"].via == "govesb"


def test_every_field_of_every_kind_appears_in_the_example():
    from egov_align.schema import KINDS, Holding, ModelInfo, Security, Step

    text = (ROOT / "docs" / "model-format.md").read_text()
    for cls in [c for _prefix, c in KINDS.values()] + [ModelInfo, Holding, Security, Step]:
        for name, field in cls.model_fields.items():
            key = field.alias or name
            assert re.search(rf"\b{re.escape(key)}:", text), f"{cls.__name__}.{key} has no example"


def test_the_readme_quick_start_is_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^    (make \w+)$", quick, re.M)
    assert commands == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_tutorials_pasted_output_is_what_the_tool_prints():
    from conftest import run_cli

    tutorial = (ROOT / "docs" / "tutorial.md").read_text()
    blocks = re.findall(r"```console\n\$ egov-align (analyze|validate)\n(.*?)```", tutorial, re.S)
    real = {"analyze": run_cli("analyze", "--no-cache", cwd=ROOT).out,
            "validate": run_cli("validate", "--no-cache", cwd=ROOT).out}
    checked = 0
    for command, output in blocks:
        lines = [line for line in output.splitlines() if line and "…" not in line]
        if command == "validate" and "nhiff" in output:
            continue  # the deliberately broken copy of the model
        for line in lines:
            assert line in real[command].splitlines(), line
            checked += 1
    assert checked >= 6
