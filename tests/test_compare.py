"""What-if retirements and baseline-vs-target diffs, through the library and the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from egov_align.compare import diff_elements, what_if
from egov_align.config import Config
from egov_align.loader import load_paths
from egov_align.model import step_subject
from egov_align.schema import KINDS

TINY = Path(__file__).parent / "examples" / "valid" / "tiny"


def tiny_model():
    return load_paths([TINY / "models", TINY / "processes"], config=Config(), jobs=1).model


def test_what_if_retiring_the_second_identity_provider():
    comparison = what_if(tiny_model(), ["npr"])
    introduced = {(f.rule, f.subject) for f in comparison.introduced}
    resolved = {(f.rule, f.subject) for f in comparison.resolved}
    # npr was the duplicate identity provider and second master of person: both resolve.
    assert ("duplicate-capability", "capability:identity") in resolved
    assert ("conflicting-master", "data:person") in resolved
    assert ("unassessed-sensitive-system", "system:npr") in resolved
    # ors -> npr is still active but now points at a retired system: nothing new appears for it.
    assert introduced == set()
    assert comparison.metric_deltas["redundant_spend"] == {"before": 100, "after": 0, "delta": -100}


def test_what_if_retiring_the_only_payment_system():
    comparison = what_if(tiny_model(), ["gepg"])
    introduced = {(f.rule, f.subject) for f in comparison.introduced}
    assert ("inactive-support", "step:register-company/pay") in introduced
    assert ("capability-gap", "capability:payments") in introduced
    assert comparison.metric_deltas["alignment"] == {"before": 0.6667, "after": 0.3333, "delta": -0.3334}


def test_what_if_on_the_command_line(cli):
    run = cli("analyze", "--retire", "gepg", "--format", "json", "--no-cache", cwd=TINY)
    document = json.loads(run.out)
    assert document["retired"] == ["gepg"]
    assert {f["rule"] for f in document["findings"]["introduced"]} >= {"capability-gap", "inactive-support"}
    text = cli("analyze", "--retire", "gepg,npr", "--no-cache", cwd=TINY).out
    assert text.startswith("What if gepg, npr were retired?")
    assert "Findings introduced:" in text and "Findings resolved:" in text


def _copy_tiny(target: Path) -> Path:
    shutil.copytree(TINY, target)
    return target


def test_diff_of_two_directories(cli, tmp_path):
    _copy_tiny(tmp_path / "old")
    new = _copy_tiny(tmp_path / "new")
    base = (new / "models" / "base.yaml").read_text()
    base = base.replace("{from: ors, to: npr, data: [person]}", "{from: ors, to: npr, data: [person], encrypted: true}")
    base = base.replace("  - {id: gepg, name: GePG,", "  - {id: gepg-2, name: GePG 2, owner: mof, capabilities: [payments]}\n"
                        "  - {id: gepg, name: GePG,")
    (new / "models" / "base.yaml").write_text(base)
    run = cli("diff", "old", "new", "--format", "json", cwd=tmp_path)
    assert run.code == 0
    document = json.loads(run.out)
    assert document["elements"]["added"] == ["system:gepg-2"]
    assert document["elements"]["changed"] == {"integration:ors->npr": {"encrypted": {"before": False, "after": True}}}
    assert [f["rule"] for f in document["findings"]["resolved"]] == ["unprotected-sensitive-data"]
    assert {f["rule"] for f in document["findings"]["introduced"]} == {"duplicate-capability", "orphan-system"}
    assert cli("diff", "old", "new", "--fail-on-new", "warning", cwd=tmp_path).code == 1
    # payments is `shared: true`, so its new duplicate is an error
    assert cli("diff", "old", "new", "--fail-on-new", "error", cwd=tmp_path).code == 1
    markdown = cli("diff", "old", "new", "--format", "markdown", cwd=tmp_path).out
    assert "| metric | before | after | change |" in markdown and "system:gepg-2" in markdown


def test_a_second_diff_of_two_directories_reads_only_the_files_that_differ(cli, tmp_path, monkeypatch):
    """Each side's files are compared by their path under its own directory (old/models/x.yaml
    with new/models/x.yaml), so a warm diff of a baseline and a target reads what differs only."""
    import egov_align.loader

    _copy_tiny(tmp_path / "old")
    new = _copy_tiny(tmp_path / "new")
    base = new / "models" / "base.yaml"
    base.write_text(base.read_text().replace("{from: ors, to: npr, data: [person]}",
                                             "{from: ors, to: npr, data: [person], encrypted: true}"))
    uncached = cli("diff", "old", "new", "--format", "json", "--no-cache", cwd=tmp_path)
    cli("diff", "old", "new", "--format", "json", cwd=tmp_path)
    read = []
    parts = egov_align.loader._run_all
    monkeypatch.setattr(egov_align.loader, "load", None)
    monkeypatch.setattr(egov_align.loader, "_run_all", lambda sources, **k: read.extend(sources) or parts(sources, **k))
    again = cli("diff", "old", "new", "--format", "json", cwd=tmp_path)
    assert (again.out, again.code) == (uncached.out, uncached.code)
    assert [s.display for s in read] == ["old/models/base.yaml", "new/models/base.yaml"]


def test_diff_fails_on_new_findings_only(cli, tmp_path):
    _copy_tiny(tmp_path / "old")
    _copy_tiny(tmp_path / "new")
    # the same model: existing errors are not new
    assert cli("diff", "old", "new", "--fail-on-new", "info", cwd=tmp_path).code == 0


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_diff_against_a_git_revision_leaves_the_checkout_alone(cli, tmp_path):
    repo = _copy_tiny(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", ".")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "baseline")
    process = repo / "processes" / "reg.yaml"
    process.write_text(process.read_text().replace(
        "- {id: check, name: Check ID, needs: [identity]}", "- {id: check, name: Check ID, needs: [identity], systems: [npr]}"))
    status_before = _git(repo, "status", "--porcelain")
    run = cli("diff", "--base", "HEAD", "--format", "json", cwd=repo)
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert document["elements"]["changed"] == {
        "step:register-company/check": {"systems": {"before": [], "after": ["npr"]}}}
    assert [f["rule"] for f in document["findings"]["resolved"]] == ["unsupported-step"]
    assert _git(repo, "status", "--porcelain") == status_before
    assert cli("diff", "--base", "no-such-ref", cwd=repo).code == 2


def test_diff_base_from_a_subdirectory_and_paths(cli, tmp_path):
    repo = _copy_tiny(tmp_path / "repo")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", ".")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "baseline")
    run = cli("diff", "--base", "HEAD", "models", "processes", "--format", "json", cwd=repo)
    document = json.loads(run.out)
    assert document["elements"] == {"added": [], "removed": [], "changed": {}}
    assert document["findings"] == {"introduced": [], "resolved": []}


def _every_element_dumped(old, new) -> dict:
    """diff_elements as it was: every element and step of both models dumped, then compared."""
    def dumped(model):
        found = {f"{prefix}:{element_id}": element.model_dump(by_alias=True, mode="json", exclude={"steps"})
                 for key, (prefix, _class) in KINDS.items() for element_id, element in model.kind(key).items()}
        found.update({step_subject(process.id, step.id): step.model_dump(mode="json")
                      for process, step in model.steps()})
        return found

    before, after = dumped(old), dumped(new)
    changed = {}
    for subject in sorted(before.keys() & after.keys()):
        fields = {name: {"before": before[subject].get(name), "after": after[subject].get(name)}
                  for name in sorted(before[subject].keys() | after[subject].keys())
                  if before[subject].get(name) != after[subject].get(name)}
        if fields:
            changed[subject] = fields
    return {"added": sorted(after.keys() - before.keys()), "removed": sorted(before.keys() - after.keys()),
            "changed": changed}


def test_diff_elements_dumps_only_what_differs_and_finds_what_dumping_everything_finds():
    sample = [ROOT / "models", ROOT / "processes"]
    old, new = (load_paths(sample, config=Config(), jobs=1).model for _ in range(2))
    assert diff_elements(old, new) == {"added": [], "removed": [], "changed": {}}
    system_id, capability_id = sorted(new.systems)[0], sorted(new.capabilities)[-1]
    new.systems[system_id] = new.systems[system_id].model_copy(update={"name": "Renamed", "status": "retired"})
    process = next(p for p in new.processes.values() if len(p.steps) > 1)
    new.processes[process.id] = process.model_copy(update={"name": "A new name", "steps": [
        process.steps[0].model_copy(update={"systems": []}), *process.steps[2:]]})
    del new.capabilities[capability_id]
    institution = next(iter(new.institutions.values()))
    new.institutions["new-agency"] = institution.model_copy(update={"id": "new-agency"})
    expected = _every_element_dumped(old, new)
    assert diff_elements(old, new) == expected
    assert expected["added"] == ["institution:new-agency"]
    assert f"capability:{capability_id}" in expected["removed"] and len(expected["removed"]) == 2  # and a step
    assert {f"system:{system_id}", f"process:{process.id}",
            step_subject(process.id, process.steps[0].id)} <= expected["changed"].keys()


def _committed_then_encrypted(tmp_path: Path) -> Path:
    """The tiny model committed, then one integration encrypted in the working tree."""
    repo = _copy_tiny(tmp_path / "repo")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", ".")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "baseline")
    systems = repo / "models" / "base.yaml"
    systems.write_text(systems.read_text().replace("{from: ors, to: npr, data: [person]}",
                                                   "{from: ors, to: npr, data: [person], encrypted: true}"))
    return repo


def test_diff_through_the_cache_prints_what_it_prints_without(cli, tmp_path):
    repo = _committed_then_encrypted(tmp_path)
    uncached = cli("diff", "--base", "HEAD", "--format", "json", "--no-cache", cwd=repo)
    first, again = (cli("diff", "--base", "HEAD", "--format", "json", cwd=repo) for _ in range(2))
    assert uncached.code == first.code == again.code == 0
    assert first.out == again.out == uncached.out and json.loads(first.out)["elements"]["changed"]


def test_diff_analyses_only_what_the_analysis_cache_lacks(cli, tmp_path, monkeypatch):
    """The workflow `init` writes runs `analyze`, then `diff --base` twice on each pull request: at
    national scale five analyses of 4 s each, where two differ. Each side's analysis is cached
    like `analyze`'s (same key), so the head is not analysed again, nor anything the second time,
    when only the files that differ are read."""
    import egov_align.analyze
    import egov_align.compare

    repo = _committed_then_encrypted(tmp_path)
    uncached = cli("diff", "--base", "HEAD", "--format", "json", "--no-cache", cwd=repo)
    uncached_gate = cli("diff", "--base", "HEAD", "--fail-on-new", "info", "--no-cache", cwd=repo)
    cli("analyze", "--format", "sarif", cwd=repo)
    analysed = []
    real = egov_align.analyze.analyze

    def counted(model, **options):
        analysed.append(len(model.integrations))
        return real(model, **options)

    monkeypatch.setattr(egov_align.analyze, "analyze", counted)
    monkeypatch.setattr(egov_align.compare, "analyze", counted)
    import egov_align.loader

    read_whole, load = [], egov_align.loader.load
    monkeypatch.setattr(egov_align.loader, "load", lambda sources, **k: read_whole.append(1) or load(sources, **k))
    first = cli("diff", "--base", "HEAD", "--format", "json", cwd=repo)
    assert len(analysed) == 1, "the head was analysed by `analyze` already: only the base is left"
    assert len(read_whole) == 1, "and only the base is read whole"
    monkeypatch.setattr(egov_align.loader, "load", None)  # nor is either model read whole: only the changed file
    again = cli("diff", "--base", "HEAD", "--format", "markdown", cwd=repo)
    assert len(analysed) == 1, "both sides come from the cache the second time"
    assert first.out == uncached.out and first.code == uncached.code == 0
    assert "unprotected-sensitive-data" in again.out and again.code == 0
    gate = cli("diff", "--base", "HEAD", "--fail-on-new", "info", cwd=repo)
    assert (gate.out, gate.code) == (uncached_gate.out, uncached_gate.code)


def _sample_sources() -> dict[str, bytes]:
    return {p.relative_to(ROOT).as_posix(): p.read_bytes()
            for part in ("models", "processes") for p in sorted((ROOT / part).glob("*.yaml"))}


def _moved_gms(files: dict[str, bytes]) -> dict[str, bytes]:
    """gms cut from systems.yaml into a file of its own: nothing about it changes."""
    text = files["models/systems.yaml"].decode()
    start = text.index("  - id: gms\n")
    end = text.index("  - id: ", start + 1)
    return {**files, "models/systems.yaml": (text[:start] + text[end:]).encode(),
            "models/z-gms.yaml": ("systems:\n" + text[start:end]).encode()}


def _edited(files, name, old, new):
    assert old.encode() in files[name]
    return {**files, name: files[name].replace(old.encode(), new.encode(), 1)}


@pytest.mark.parametrize("change", [
    lambda f: _edited(f, "processes/passport.yaml", "name: Upload a scan", "name: Upload a photo"),
    _moved_gms,
    lambda f: _edited(_moved_gms(f), "models/z-gms.yaml", "users:", "vendor: X\n    users:"),
    lambda f: {k: v for k, v in f.items() if k != "processes/passport.yaml"},
    lambda f: {**{k: v for k, v in f.items() if k != "processes/land-title.yaml"},
               "processes/land.yaml": f["processes/land-title.yaml"]},
    lambda f: {**f, "models/more.yaml": b"systems: [{id: extra, name: Extra, owner: ega}]\n"},
    lambda f: f,
], ids=["step-renamed", "system-moved", "system-moved-and-changed", "file-removed", "file-renamed", "file-added",
        "nothing"])
def test_the_changed_files_alone_give_the_element_diff_of_the_whole_models(change):
    """A warm diff compares only the files that differ (loader.changed_parts): the same added,
    removed and changed elements as comparing both whole models."""
    from egov_align.loader import Source, changed_parts, load

    before = _sample_sources()
    after = change(before)
    old = [Source(name, content=content) for name, content in sorted(before.items())]
    new = [Source(name, content=content) for name, content in sorted(after.items())]
    whole = [load(sources, jobs=1) for sources in (old, new)]
    assert all(side.valid for side in whole), [d.message for side in whole for d in side.diagnostics]
    expected = diff_elements(whole[0].model, whole[1].model)
    assert diff_elements(*changed_parts(old, new, max_bytes=5_000_000)) == expected
