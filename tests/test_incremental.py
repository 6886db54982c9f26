"""Analysis after an edit (issue 15, egov_align.incremental): the same output as a full analysis,
whatever the edit, byte for byte; and which rules read what, checked on real models."""

from __future__ import annotations

import dataclasses
import random
import shutil
import subprocess
import sys

import pytest
import yaml

from egov_align import incremental
from egov_align.analyze import run_rules
from egov_align.config import Config
from egov_align.graph import Index
from egov_align.loader import load_paths
from egov_align.rules import LANDSCAPE_RULES, PROCESS_RULES
from tests.conftest import ROOT, run_cli, sample_with_a_cache

pytestmark = pytest.mark.timeout(300)


def _without_policies(repo) -> None:
    """The sample's configuration without its two policies: a model with policies is analysed whole."""
    toml = repo / "egov-align.toml"
    toml.write_text(toml.read_text().split("[[policies]]")[0])


@pytest.fixture
def sample(tmp_path, monkeypatch):
    repo = sample_with_a_cache(tmp_path, monkeypatch)
    _without_policies(repo)
    return repo


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The benchmark generator's scale S: 1,000 systems, 500 process files."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    out = tmp_path_factory.mktemp("synthetic") / "S"
    generate("S", out)
    return out


@pytest.fixture
def taken(monkeypatch):
    """What each reanalyse call gave: a list of True (made after the edit) or False (a full analysis)."""
    calls = []
    real = incremental.reanalyse

    def recording(*args, **kwargs):
        stored = real(*args, **kwargs)
        calls.append(stored is not None)
        return stored
    monkeypatch.setattr(incremental, "reanalyse", recording)
    return calls


def _same_as_whole(repo, *formats: str) -> None:
    """Each format from the cache (after the edit) is what a full analysis without a cache prints."""
    for fmt in formats or ("json",):
        cached = run_cli("analyze", "--format", fmt, cwd=repo)
        whole = run_cli("analyze", "--no-cache", "--format", fmt, cwd=repo)
        assert (cached.code, cached.out, cached.err) == (whole.code, whole.out, whole.err), fmt


# ---------------------------------------------------------------- edits of process files


def _edit(path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data["processes"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _step(processes, rng):
    process = rng.choice(processes)
    return process, rng.choice(process["steps"])


def rename_a_step(processes, rng, systems):
    _process, step = _step(processes, rng)
    step["name"] = step["name"] + " (renamed)"


def add_a_system(processes, rng, systems):
    _process, step = _step(processes, rng)
    step["systems"] = list(dict.fromkeys([*step.get("systems", []), rng.choice(systems)]))


def take_the_systems_off(processes, rng, systems):
    _process, step = _step(processes, rng)
    step.pop("systems", None)


def add_a_need(processes, rng, systems):
    _process, step = _step(processes, rng)
    needs = step.get("needs", [])
    step["needs"] = list(dict.fromkeys([*needs, rng.choice(sorted({c for p in processes for s in p["steps"]
                                                                  for c in s.get("needs", [])}) or ["x"])]))


def read_what_another_step_writes(processes, rng, systems):
    process, step = _step(processes, rng)
    written = [e for s in process["steps"] for e in s.get("writes", [])]
    if written:
        step["reads"] = list(dict.fromkeys([*step.get("reads", []), rng.choice(written)]))


def hand_the_step_to_the_owner(processes, rng, systems):
    _process, step = _step(processes, rng)
    step.pop("performer", None)


def reverse_the_flow(processes, rng, systems):
    process = rng.choice(processes)
    for step in process["steps"]:
        step.pop("next", None)
    process["steps"].reverse()


def ignore_a_rule(processes, rng, systems):
    _process, step = _step(processes, rng)
    step["ignore"] = [rng.choice(sorted(PROCESS_RULES))]


def drop_a_step(processes, rng, systems):
    process = rng.choice([p for p in processes if len(p["steps"]) > 2] or processes)
    if len(process["steps"]) > 1:
        gone = process["steps"].pop(rng.randrange(1, len(process["steps"])))["id"]
        for step in process["steps"]:
            if "next" in step:
                step["next"] = [n for n in step["next"] if n != gone]


EDITS = [rename_a_step, add_a_system, take_the_systems_off, add_a_need, read_what_another_step_writes,
         hand_the_step_to_the_owner, reverse_the_flow, ignore_a_rule, drop_a_step]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
def test_after_an_edit_to_a_process_file_the_output_is_a_full_analysiss(sample, taken, edit):
    assert run_cli("analyze", "--format", "json", cwd=sample).code == 1
    taken.clear()  # that first analysis had no state to start from
    systems = sorted(load_paths([sample / "models"], config=Config(), jobs=1).model.systems)
    rng = random.Random(edit.__name__)
    for _round in range(3):
        _edit(sample / "processes" / rng.choice(sorted(p.name for p in (sample / "processes").iterdir())),
              lambda processes: edit(processes, rng, systems))
        _same_as_whole(sample)
    assert taken and all(taken)  # an edit that changed nothing is no call at all


def test_random_edits_to_a_synthetic_national_model_keep_its_output(synthetic, tmp_path, monkeypatch, taken):
    """Twelve rounds of one to three edited files, each edit any of EDITS, on 500 process files;
    in some, other processes read what the edit changed, and are analysed again too."""
    reading = []
    real = incremental._reading_a_change
    monkeypatch.setattr(incremental, "_reading_a_change", lambda *args: reading.append(real(*args)) or reading[-1])
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EGOV_ALIGN_NO_CACHE", raising=False)
    repo = tmp_path / "S"
    shutil.copytree(synthetic, repo)
    run_cli("analyze", "--format", "json", "models", "processes", cwd=repo)
    taken.clear()
    systems = sorted(load_paths([repo / "models"], config=Config(), jobs=1).model.systems)
    files = sorted((repo / "processes").iterdir())
    rng = random.Random(15)
    for _round in range(12):
        for path in rng.sample(files, rng.randint(1, 3)):
            edit = rng.choice(EDITS)
            _edit(path, lambda processes, edit=edit: edit(processes, rng, systems))
        cached = run_cli("analyze", "--format", "json", "models", "processes", cwd=repo)
        whole = run_cli("analyze", "--no-cache", "--format", "json", "models", "processes", cwd=repo)
        assert (cached.code, cached.out) == (whole.code, whole.out)
    assert len(taken) >= 10 and all(taken)
    assert any(reading) and not all(reading)


def test_every_format_and_language_after_an_edit(sample, taken):
    run_cli("analyze", "--format", "json", cwd=sample)
    taken.clear()
    _edit(sample / "processes" / "passport.yaml", lambda processes: processes[0]["steps"][0].update(systems=[]))
    _same_as_whole(sample, "json", "sarif", "text", "markdown", "github")
    assert taken[0] is True
    assert run_cli("analyze", "--format", "text", "--lang", "sw", cwd=sample).out == \
        run_cli("analyze", "--no-cache", "--format", "text", "--lang", "sw", cwd=sample).out


def test_a_comment_added_is_an_edit_like_any_other(sample, taken):
    run_cli("analyze", "--format", "json", cwd=sample)
    taken.clear()
    path = sample / "processes" / "land-title.yaml"
    path.write_text("# reviewed by the planning unit\n" + path.read_text())  # every line moves down one
    _same_as_whole(sample)
    assert taken == [True]


# ---------------------------------------------------------------- when the whole model is analysed again


def _append_to(path, text: str) -> None:
    path.write_text(path.read_text() + text)


@pytest.mark.parametrize("change", [
    lambda repo: _append_to(repo / "models" / "systems.yaml", "# a comment in a landscape file\n"),
    lambda repo: (repo / "processes" / "extra.yaml").write_text(
        "processes:\n  - id: extra\n    name: Extra\n    owner: nida\n    steps: [{id: a, name: A}]\n"),
    lambda repo: (repo / "processes" / "passport.yaml").unlink(),
    lambda repo: _append_to(repo / "processes" / "passport.yaml",
                            "institutions:\n  - {id: new-agency, name: A new agency}\n"),
    lambda repo: _append_to(repo / "processes" / "passport.yaml", "  - {id: oops, name: Oops, owner: nobody, "
                                                                   "steps: [{id: a, name: A}]}\n"),
    lambda repo: _append_to(repo / "processes" / "passport.yaml",
                            "  - {id: birth-registration, name: Twice, owner: rita, steps: [{id: a, name: A}]}\n"),
], ids=["landscape-edited", "file-added", "file-removed", "landscape-added", "invalid", "id-twice"])
def test_what_an_edit_cannot_cover_is_a_full_analysis(sample, taken, change):
    run_cli("analyze", "--format", "json", cwd=sample)
    change(sample)
    _same_as_whole(sample, "json", "text")
    assert True not in taken


def test_with_policies_every_analysis_is_whole(sample, taken):
    shutil.copy(ROOT / "egov-align.toml", sample)
    run_cli("analyze", "--format", "json", cwd=sample)
    _append_to(sample / "processes" / "passport.yaml", "# edited\n")
    _same_as_whole(sample)
    assert True not in taken


def test_a_state_of_the_wrong_shape_is_a_full_analysis(sample, taken, tmp_path):
    from egov_align.cache import Cache

    run_cli("analyze", "--format", "json", cwd=sample)
    taken.clear()
    cache = Cache(tmp_path / "cache", salt="unused")
    entries = {path.stem: cache.get(path.stem) for path in (tmp_path / "cache").rglob("*.json")}
    [(key, good)] = [(k, v) for k, v in entries.items() if isinstance(v, dict) and "model_findings" in v]
    group = good["groups"][0][0]
    for broken in ({**good, "files": good["files"][1:]}, {**good, "groups": good["groups"][1:]},
                   {**good, "groups": [[group, 0, 1]] + good["groups"][1:]},
                   {**good, "groups": [["no-such-entry", *good["groups"][0][1:]]] + good["groups"][1:]},
                   {**good, "landscape": {**good["landscape"], "systems": "no-such-entry"}},
                   {**good, "supported": {"x": "1"}}, {**good, "places": {"a.yaml": [["s", 1]]}},
                   {**good, "model_findings": [["short"]]}, {**good, "retired": [7]}, [], None):
        cache.put(key, broken)
        _append_to(sample / "processes" / "passport.yaml", "# edited\n")
        _same_as_whole(sample)
    good = next(v for k, v in ((p.stem, cache.get(p.stem)) for p in (tmp_path / "cache").rglob("*.json"))
                if isinstance(v, dict) and "model_findings" in v)
    cache.put_bytes(good["groups"][0][0], b'[{"id": 5}]')  # signed, but not processes
    _append_to(sample / "processes" / "passport.yaml", "# edited\n")
    _same_as_whole(sample)
    assert taken == [False] * 12


# ---------------------------------------------------------------- what the rules read


def test_landscape_rules_read_no_process(synthetic):
    for model in (load_paths([ROOT / "models", ROOT / "processes"], config=Config(), jobs=1).model,
                  load_paths([synthetic], config=Config(), jobs=1).model):
        whole = [f for f in run_rules(model, config=Config())[0] if f.rule in LANDSCAPE_RULES]
        bare = dataclasses.replace(model, processes={})
        assert run_rules(bare, config=Config(), only=LANDSCAPE_RULES)[0] == whole
        assert whole


def test_process_rules_make_each_finding_from_its_process(synthetic):
    """Run on a view with one process (and the whole model's tables), a process rule finds about it
    exactly what it finds in a full analysis."""
    for model, sampled in ((load_paths([ROOT / "models", ROOT / "processes"], config=Config(), jobs=1).model, None),
                           (load_paths([synthetic], config=Config(), jobs=1).model, 40)):
        whole = [f for f in run_rules(model, config=Config())[0] if f.rule in PROCESS_RULES]
        index = Index(model)
        processes = list(model.processes.values())
        if sampled:
            processes = random.Random(7).sample(processes, sampled)
        for process in processes:
            view = dataclasses.replace(model, processes={process.id: process})
            alone = [f for f in run_rules(model, config=Config(), index=index, only=PROCESS_RULES,
                                          process_view=view)[0]
                     if incremental._process_of(f.subject) == process.id]
            assert alone == [f for f in whole if incremental._process_of(f.subject) == process.id], process.id


# ---------------------------------------------------------------- a pull request's base


def _git(cwd, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("edit", [rename_a_step, add_a_system, take_the_systems_off], ids=lambda e: e.__name__)
def test_a_pull_requests_base_is_analysed_from_the_heads_state(sample, taken, edit):
    """CI analyses the head, then runs `diff --base`: the base, one process file apart, is made
    from the head's state, and the comparison is the one made without a cache."""
    _git(sample, "init", "-q", "-b", "main")
    _git(sample, "add", ".")
    _git(sample, "commit", "-qm", "base")
    systems = [s["id"] for s in yaml.safe_load((sample / "models" / "systems.yaml").read_text())["systems"]]
    _edit(sample / "processes" / "passport.yaml", lambda processes: edit(processes, random.Random(3), systems))
    assert run_cli("analyze", "--format", "json", cwd=sample).code in (0, 1)
    taken.clear()
    for fmt in ("json", "markdown"):
        made = run_cli("diff", "--base", "HEAD", "--format", fmt, cwd=sample)
        whole = run_cli("diff", "--base", "HEAD", "--format", fmt, "--no-cache", cwd=sample)
        assert (made.code, made.out, made.err) == (whole.code, whole.out, whole.err), fmt
    assert taken == [True]  # the base once; the head, and the base the second time, from the cache
    assert _git(sample, "status", "--porcelain") == " M processes/passport.yaml\n"
