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


def test_every_setting_the_configuration_shows_in_comments_works_when_uncommented(tmp_path):
    target = tmp_path / "our-model"
    run_cli("init", str(target))
    written = (target / "egov-align.toml").read_text()
    uncommented = re.sub(r"^# (?=[a-z][a-z.-]* = |\[)", "", written, flags=re.M)  # the settings, not the words
    assert uncommented.count("\n#") < written.count("\n#")
    (target / "egov-align.toml").write_text(uncommented)
    assert run_cli("validate", cwd=target).code == 0
    listed = run_cli("rules", cwd=target).out
    assert "gov-hosting" in listed and "Personal records stay under the government's control." in listed
    assert run_cli("analyze", "--fail-on", "never", cwd=target).code == 0
    assert "taasisi 1" in run_cli("validate", cwd=target).out  # lang = "sw"


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


def _steps(target):
    return yaml.safe_load((target / ".github" / "workflows" / "egov-align.yml").read_text())["jobs"]["model"]["steps"]


def _may_fail(step: dict) -> bool:
    """A step whose egov-align command can exit non-zero because of the model."""
    run = step.get("run", "")
    return "egov-align validate" in run or "--fail-on-new" in run or \
        ("egov-align analyze" in run and "--fail-on never" not in run)


def test_the_workflow_writes_the_pull_request_comment_even_when_findings_fail_the_job(tmp_path):
    run_cli("init", str(tmp_path / "m"))
    steps = _steps(tmp_path / "m")
    first_failing = next(n for n, step in enumerate(steps) if _may_fail(step))
    gates = [n for n, step in enumerate(steps) if _may_fail(step) and n != first_failing]
    assert gates == list(range(len(steps) - len(gates), len(steps))), "the gates are the last steps"
    for step in steps[first_failing + 1:]:
        condition = step.get("if", "")
        if "pull_request" in condition or step in [steps[n] for n in gates]:
            assert "!cancelled()" in condition or "always()" in condition, step
    annotations = next(s for s in steps if "--format github" in s.get("run", "") and "analyze" in s["run"])
    assert "--fail-on never" in annotations["run"]


def test_the_gitlab_job_reports_before_its_gate(tmp_path):
    run_cli("init", str(tmp_path / "m"))
    script = yaml.safe_load((tmp_path / "m" / ".gitlab-ci.yml").read_text())["egov-align"]["script"]
    assert "--fail-on never" in script[1] and "--fail-on-new" in script[-1] and "else egov-align analyze" in script[-1]


def test_init_asks_for_nothing_it_can_default_and_leaves_as_of_to_today(tmp_path):
    run_cli("init", str(tmp_path / "m"), "--currency", "kes")
    model = yaml.safe_load((tmp_path / "m" / "models" / "model.yaml").read_text())["model"]
    assert model["currency"] == "KES" and "as_of" not in model
    bad = run_cli("init", str(tmp_path / "n"), "--currency", "shillings")
    assert bad.code == 2 and "ISO 4217" in bad.err


def test_init_says_how_to_install_egov_align(tmp_path):
    from egov_align.scaffold import install_spec

    run_cli("init", str(tmp_path / "m"))
    spec, note = install_spec()
    workflow = (tmp_path / "m" / ".github" / "workflows" / "egov-align.yml").read_text()
    assert f'EGOV_ALIGN_SPEC: "{spec}"' in workflow and spec in (tmp_path / "m" / "README.md").read_text()
    assert spec.startswith("git+") or "set it to git+URL" in note
