"""`egov-align init`: a model repository that validates, analyzes and passes its own CI at once."""

from __future__ import annotations

import json
import re
import subprocess

import yaml
from conftest import run_cli


def test_init_scaffolds_a_clean_repository(tmp_path):
    target = tmp_path / "our-model"
    run = run_cli("init", str(target))
    assert run.code == 0
    for expected in ("egov-align.toml", "models/capabilities.yaml", "processes/register-business.yaml",
                     ".pre-commit-config.yaml", ".github/workflows/egov-align.yml", ".gitlab-ci.yml",
                     ".vscode/settings.json", "schema/model-file.schema.json"):
        assert (target / expected).is_file(), expected
    assert run_cli("validate", cwd=target).code == 0
    document = json.loads(run_cli("analyze", "--format", "json", "--fail-on", "info", cwd=target).out)
    assert document["findings"] == [] and document["valid"]
    capabilities = yaml.safe_load((target / "models" / "capabilities.yaml").read_text())["capabilities"]
    assert len(capabilities) >= 20 and any(c.get("shared") for c in capabilities)


def test_init_never_overwrites(tmp_path):
    target = tmp_path / "m"
    (target / "models").mkdir(parents=True)
    (target / "models" / "systems.yaml").write_text("systems: []\n")
    run = run_cli("init", str(target))
    assert "skipped" in run.out and "models/systems.yaml" in run.out
    assert (target / "models" / "systems.yaml").read_text() == "systems: []\n"
    again = run_cli("init", str(target))
    assert "created" not in again.out


def test_every_file_points_editors_at_the_schema(tmp_path):
    run_cli("init", str(tmp_path / "m"))
    for path in (tmp_path / "m").glob("*/*.yaml"):
        if path.parent.name in ("models", "processes"):
            assert path.read_text().startswith("# yaml-language-server: $schema=../schema/model-file.schema.json")
    settings = json.loads((tmp_path / "m" / ".vscode" / "settings.json").read_text())
    assert "./schema/model-file.schema.json" in settings["yaml.schemas"]


def test_the_generated_ci_commands_pass_on_the_first_commit(tmp_path):
    target = tmp_path / "m"
    run_cli("init", str(target))
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "."], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=target, check=True)
    workflow = yaml.safe_load((target / ".github" / "workflows" / "egov-align.yml").read_text())
    gitlab = yaml.safe_load((target / ".gitlab-ci.yml").read_text())
    lines = [s["run"] for s in workflow["jobs"]["model"]["steps"] if "run" in s] + gitlab["egov-align"]["script"]
    commands = [line.strip() for block in lines for line in block.splitlines() if line.strip().startswith("egov-align ")]
    assert len(commands) >= 6
    for command in commands:
        command = re.sub(r'"origin/\$\{\{ github.base_ref \}\}"', "HEAD", command)
        argv = command.split()[1:]
        assert run_cli(*argv, cwd=target).code == 0, command
    hooks = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())
    entry = hooks["repos"][0]["hooks"][0]["entry"].split()
    assert run_cli(*entry[1:], cwd=target).code == 0
