"""Hostile model files and command lines: each one clear line, the right exit code, nothing changed."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.hostile.runner import egov, snapshot

pytestmark = pytest.mark.timeout(60)

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# ---------------------------------------------------------------- hangs


def test_a_merge_key_bomb_is_one_schema_diagnostic_in_seconds(repo):
    lines = ["a0: &a0 {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9}"]
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} {{<<: [{', '.join([previous] * 10)}]}}")
    (repo / "models" / "bomb.yaml").write_text("\n".join(lines) + "\n")
    assert len((repo / "models" / "bomb.yaml").read_bytes()) < 1_000
    run = egov("validate", cwd=repo, timeout=20)
    assert run.code == 1 and "merge keys (`<<`) expand this file too far" in run.out


def test_a_fifo_among_the_model_files_is_skipped_with_a_notice(repo):
    os.mkfifo(repo / "models" / "x.yaml")
    run = egov("validate", cwd=repo, timeout=20)
    assert run.code == 0
    assert run.one_line == "egov-align: notice: models/x.yaml: not a regular file (a FIFO, device or socket); skipped"
    document = json.loads(egov("validate", "--format", "json", cwd=repo, timeout=20).out)
    assert document["notices"] == ["models/x.yaml: not a regular file (a FIFO, device or socket); skipped"]


def test_dev_null_is_no_model_exit_2(repo):
    run = egov("validate", "/dev/null", cwd=repo)
    assert run.code == 2 and "no model files" in run.err and "Traceback" not in run.err


def test_an_empty_directory_is_no_model_exit_2(repo, tmp_path):
    (tmp_path / "empty").mkdir()
    run = egov("validate", str(tmp_path / "empty"), cwd=repo)
    assert run.code == 2 and "no model files here" in run.one_line


def test_thousands_of_unknown_references_stay_fast(tmp_path):
    """Did-you-mean is bounded: 3,000 renamed owners against 3,000 institutions."""
    count = 3_000
    institutions = "\n".join(f"  - {{id: institution-{n:05d}, name: I{n}}}" for n in range(count))
    systems = "\n".join(f"  - {{id: s{n}, name: S{n}, owner: renamed-{n:05d}}}" for n in range(count))
    (tmp_path / "m.yaml").write_text(f"institutions:\n{institutions}\nsystems:\n{systems}\n")
    run = egov("validate", "--no-cache", "--format", "json", "m.yaml", cwd=tmp_path, timeout=40)
    findings = json.loads(run.out)["findings"]
    assert run.code == 1 and len(findings) == count
    assert sum("did you mean" in f["message"] for f in findings) <= 25


def test_a_dense_process_is_refused_for_drawing_but_not_as_dot(repo, tmp_path):
    steps = "\n".join(f"      - {{id: s{n}, name: S{n}, next: [{', '.join(f's{m}' for m in range(120))}]}}"
                      for n in range(120))
    (repo / "processes" / "dense.yaml").write_text(
        f"processes:\n  - id: dense\n    name: Dense\n    owner: brela\n    steps:\n{steps}\n")
    run = egov("render", "process", "dense", "-o", str(tmp_path / "d.svg"), cwd=repo, timeout=30)
    assert run.code == 2 and "over the limit of 2,000" in run.one_line and "--format dot" in run.one_line
    assert not (tmp_path / "d.svg").exists()
    dot = egov("render", "process", "dense", "--format", "dot", cwd=repo, timeout=30)
    assert dot.code == 0 and dot.out.count(" -> ") >= 14_000


# ---------------------------------------------------------------- terminal injection


def test_control_characters_in_names_and_values_are_escaped(repo):
    evil_name = "evil\x1b]0;owned\x07\nname\r.yaml"
    (repo / "models" / evil_name).write_text(
        "institutions:\n  - {id: x1, name: \"A\\e[2JB\\a\\0\", typo: \"\\e[31mred\\r\"}\n" + "#" * 500 + "\n")
    (repo / "models" / "long.yaml").write_text("institutions:\n  - {id: x2, name: N, " + "x" * 400 + ": 1}\n")
    run = egov("validate", cwd=repo)
    assert run.code == 1
    assert not CONTROL.search(run.out.replace("\n", "")), run.out
    assert "evil\\x1b]0;owned\\x07\\nname\\r.yaml" in run.out
    quoted = [line for line in run.out.splitlines() if re.match(r"\s+\d+ \| ", line)]
    assert quoted and all(len(line) <= 220 for line in quoted)



def test_a_name_suggested_for_an_id_and_a_yaml_hint_keep_control_characters_escaped(repo):
    """The name a did-you-mean quotes and the value a YAML hint quotes back come from the file.
    YAML itself refuses control characters, so the hint's value carries a right-to-left override."""
    (repo / "models" / "evil.yaml").write_text(
        "institutions:\n  - {id: evil, name: \"Ministry\\e[2J of\\a Finance\"}\n"
        "systems:\n  - {id: s1, name: S, owner: \"Ministry\\e[2J of\\a Finance\"}\n")
    (repo / "models" / "hint.yaml").write_text("institutions:\n  - id: h\n    name: @\u202ehome\n")
    before = snapshot(repo)
    for lang in ("en", "sw"):
        run = egov("validate", "--lang", lang, cwd=repo)
        assert run.code == 1 and "Traceback" not in run.err
        assert "(did you mean 'evil'" in run.out or "(ulimaanisha 'evil'" in run.out, run.out
        assert not CONTROL.search(run.out.replace("\n", "")) and "\u202e" not in run.out, run.out
        assert '"@\\u202ehome"' in run.out, run.out  # the hint, its value escaped
    assert snapshot(repo) == before


def test_every_character_escaped_for_terminals_is_one_python_calls_unprintable():
    """printable() returns text unchanged when str.isprintable(): that shortcut is only safe if
    no character it must escape counts as printable (a bidi override, a line separator ...)."""
    from egov_align.names import _UNSAFE, printable

    assert not [hex(code) for code in range(0x110000) if _UNSAFE.match(chr(code)) and chr(code).isprintable()]
    assert printable("a\u202eb\u2028c\x9b") == "a\\u202eb\\u2028c\\x9b" and printable("Kodi ya ardhi") == "Kodi ya ardhi"


# ---------------------------------------------------------------- writes and reads outside


@pytest.mark.parametrize("argv", [
    ["validate", "-o", "models/base.yaml"],
    ["validate", "-o", "models/model.yaml"],
    ["analyze", "--format", "json", "-o", "processes/reg.yaml"],
    ["render", "landscape", "--format", "dot", "-o", "models/systems.yaml"],
    ["export", "json", "-o", "models/graph.json"],
])
def test_output_onto_the_model_paths_is_refused(repo, argv):
    before = snapshot(repo)
    run = egov(*argv, cwd=repo)
    assert run.code == 2 and "never writes there" in run.one_line
    assert snapshot(repo) == before


def test_a_link_leading_out_of_the_model_paths_is_not_followed(repo, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("institutions:\n  - {id: outside, name: Outside}\n")
    (repo / "models" / "link.yaml").symlink_to(secret)
    run = egov("validate", "--format", "json", cwd=repo)
    assert run.code == 0
    assert "a link to" in run.err and "not followed" in run.err
    assert json.loads(run.out)["summary"]["institutions"] == 3


def test_the_same_file_reached_twice_is_read_once(repo):
    (repo / "models" / "again.yaml").symlink_to(repo / "models" / "base.yaml")
    run = egov("validate", "models", "models/base.yaml", "models", cwd=repo)
    assert run.code == 0 and "duplicate-id" not in run.out


@pytest.mark.parametrize("paths", ['["../elsewhere"]', '["/etc"]', '["models/../../x"]', "[]"])
def test_configured_paths_may_not_leave_the_repository(repo, paths):
    (repo / "egov-align.toml").write_text(f"paths = {paths}\n")
    run = egov("validate", cwd=repo)
    assert run.code == 2 and "egov-align.toml: `paths`" in run.one_line


def test_init_never_writes_through_a_symlink(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "new"
    target.mkdir()
    (target / "models").symlink_to(outside)
    run = egov("init", str(target), cwd=tmp_path)
    assert run.code == 0 and "is a symbolic link; not followed" in run.out
    assert list(outside.iterdir()) == []
    (tmp_path / "link-dir").symlink_to(outside)
    assert egov("init", str(tmp_path / "link-dir"), cwd=tmp_path).code == 2
    assert list(outside.iterdir()) == []


def test_init_of_an_empty_name_is_a_usage_error(tmp_path):
    run = egov("init", "", cwd=tmp_path)
    assert run.code == 2 and "name the directory" in run.one_line
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- odd input, no internal error


def test_an_unreadable_folder_is_an_unreadable_file_error(repo, monkeypatch):
    """Run in-process: as root (CI) chmod does not stop reading, so the refusal is simulated."""
    from egov_align.loader import discover, load

    real_scandir = os.scandir

    def refusing(path):
        if str(path).endswith("processes"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    found = discover([repo / "models", repo / "processes"], cwd=repo)
    result = load(found.sources, jobs=1)
    assert [(d.file, d.rule) for d in result.diagnostics] == [("processes", "unreadable-file")]
    assert "Permission denied" in result.diagnostics[0].message


def test_huge_costs_are_a_schema_error_not_an_overflow(repo):
    text = (repo / "models" / "base.yaml").read_text().replace("annual_cost: 100", "annual_cost: 1.0e+308")
    (repo / "models" / "base.yaml").write_text(text.replace("annual_cost: 50", "annual_cost: 1.0e+308"))
    run = egov("analyze", "--format", "json", cwd=repo)
    assert run.code == 1
    messages = [f["message"] for f in json.loads(run.out)["findings"]]
    assert messages == ["`annual_cost` must be at most 1,000,000,000,000,000, not 1e+308"] * 2


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_infinite_and_nan_costs_are_schema_errors_and_json_stays_strict(repo, value):
    text = (repo / "models" / "base.yaml").read_text().replace("annual_cost: 100", f"annual_cost: {value}")
    (repo / "models" / "base.yaml").write_text(text)
    run = egov("analyze", "--format", "json", cwd=repo)
    assert run.code == 1
    document = json.loads(run.out, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert document["findings"][0]["rule"] == "schema"


def test_the_earliest_as_of_date_is_handled(repo):
    text = (repo / "models" / "base.yaml").read_text().replace("as_of: 2026-06-30", "as_of: 0001-01-01")
    (repo / "models" / "base.yaml").write_text(text)
    assert egov("analyze", "--fail-on", "never", cwd=repo).code == 0
    (repo / "models" / "base.yaml").write_text(text.replace("as_of: 0001-01-01", "as_of: 2026-06-30"))
    assert egov("analyze", "--fail-on", "never", "--as-of", "0001-01-01", cwd=repo).code == 0


@pytest.mark.parametrize("setting, words", [
    ("assessment-max-age-days = 100000000000", "`assessment-max-age-days` must be a whole number from 0 to 36,500"),
    ("overlap-threshold = nan", "`overlap-threshold` must be a number above 0 and at most 1"),
    ("overlap-threshold = 0", "`overlap-threshold` must be a number above 0 and at most 1"),
])
def test_out_of_range_settings_are_configuration_errors(repo, setting, words):
    (repo / "egov-align.toml").write_text(setting + "\n")
    run = egov("analyze", cwd=repo)
    assert run.code == 2 and words in run.one_line


def test_a_non_utf8_output_name_works(repo, tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/\xff-report.txt"
    done = subprocess.run([os.sys.executable, "-m", "egov_align", "validate", "-o", name], cwd=repo,
                          capture_output=True, timeout=30, check=False,
                          env={**os.environ, "PYTHONPATH": str(repo.parent.parent.parent.parent)})
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert os.path.exists(name)


def test_eleven_hundred_nested_folders_do_not_overflow(repo):
    deep = repo / "models"
    for _ in range(1_100):
        deep = deep / "d"
        deep.mkdir()  # one by one: os.makedirs itself recurses
    (deep / "deep.yaml").write_text("institutions:\n  - {id: deep, name: Deep}\n")
    try:
        run = egov("validate", "--format", "json", cwd=repo, timeout=60)
        assert run.code == 0 and json.loads(run.out)["summary"]["institutions"] == 4
    finally:  # shutil.rmtree (pytest's clean-up) recurses too: take it down from the bottom
        (deep / "deep.yaml").unlink()
        while deep != repo / "models":
            deep.rmdir()
            deep = deep.parent


def _git(*argv, cwd):
    subprocess.run(["git", *argv], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def test_a_submodule_named_like_a_model_file_in_diff_base(repo, tmp_path):
    _git("init", "-q", "-b", "main", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "model", cwd=repo)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    _git("update-index", "--add", "--cacheinfo", f"160000,{head},models/sub.yaml", cwd=repo)
    _git("commit", "-qm", "a submodule entry", cwd=repo)
    run = egov("diff", "--base", "HEAD", cwd=repo)
    assert run.code == 0 and "Traceback" not in run.err
    bad = egov("diff", "--base", "no-such-branch", cwd=repo)
    assert bad.code == 2 and "no such revision 'no-such-branch'" in bad.one_line


def test_debug_shows_the_traceback_of_an_internal_error(repo):
    env = {"PYTHONPATH": f"{repo.parent}", "PYTHONSTARTUP": ""}
    (repo.parent / "sitecustomize.py").write_text(
        "import egov_align.cli as c\n"
        "def broken(args):\n    raise RuntimeError('boom')\n"
        "c.COMMANDS['rules'] = broken\n")
    env["PYTHONPATH"] = f"{repo.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}{os.pathsep}" \
                        f"{os.path.dirname(os.path.dirname(os.path.dirname(__file__)))}"
    plain = egov("rules", cwd=repo, env=env)
    assert plain.code == 3 and "internal error: RuntimeError: boom" in plain.one_line
    debug = egov("--debug", "rules", cwd=repo, env=env)
    assert debug.code == 3 and "Traceback" in debug.err


# ---------------------------------------------------------------- messages a planner reads


@pytest.mark.parametrize("content, words", [
    ("institutions:\n  - {id: a, name: A}\n".encode("utf-16"), "UTF-16 is not supported"),
    (b"institutions:\n  - {id: a, name: !!binary aGVsbG8=}\n", "expected text, found binary data"),
    (b"systems:\n  - {id: s, name: S, owner: nida, users: 2.5}\n", "expected a whole number, found a decimal number 2.5"),
    (b"systems:\n  - {id: s, name: S, owner: nida, users: " + b"9" * 400 + b"}\n",
     "`users` must be at most 1,000,000,000,000, not a number of 400 digits"),
    (b"systems:\n  - {id: s, name: S, owner: nida, capabilities: [~]}\n", "item 1 of `capabilities` is empty"),
])
def test_messages_say_what_was_expected_in_plain_words(repo, content, words):
    (repo / "models" / "odd.yaml").write_bytes(content)
    run = egov("validate", cwd=repo)
    assert run.code == 1 and words in run.out, run.out


def test_a_configuration_error_in_diff_old_names_its_file(repo, tmp_path):
    old = tmp_path / "old"
    os.rename(repo, old)
    (old / "egov-align.toml").write_text("pahts = ['models']\n")
    new = tmp_path / "new"
    (new / "models").mkdir(parents=True)
    (new / "models" / "m.yaml").write_text("institutions:\n  - {id: a, name: A}\n")
    run = egov("diff", "old", "new", cwd=tmp_path)
    assert run.code == 2 and "old/egov-align.toml" in run.one_line and "'pahts'" in run.one_line


POLICY = ('[[policies]]\nname = "gov-hosting"\nkind = "systems"\nrequire = {{ hosting = ["government data centre"] }}\n'
          'message = {message}\n')


@pytest.mark.parametrize("message, words", [
    ('{ "sw\\u001b[2J" = "x", en = "y" }', "language 'sw\\x1b[2J' is not available"),
    ('{ sw = "x" }', "`message` as a table needs `en`"),
    ('{ en = { nested = "x" } }', "`message.en` must be text"),
])
def test_a_policy_message_table_that_is_wrong_is_one_configuration_line(repo, message, words):
    (repo / "egov-align.toml").write_text(POLICY.format(message=message))
    before = snapshot(repo)
    run = egov("analyze", cwd=repo)
    assert run.code == 2 and words in run.one_line and not CONTROL.search(run.err.strip()), run.err
    assert snapshot(repo) == before


def test_control_characters_in_a_kiswahili_policy_message_are_escaped(repo):
    (repo / "egov-align.toml").write_text(POLICY.format(
        message='{ en = "run it at home", sw = "iendeshwe\\u001b]0;owned\\u0007 nyumbani\\r" }'))
    before = snapshot(repo)
    run = egov("analyze", "--lang", "sw", "--fail-on", "never", cwd=repo)
    assert run.code == 0, run.err
    assert "iendeshwe" in run.out and not CONTROL.search(run.out.replace("\n", "")), run.out
    assert snapshot(repo) == before


def test_control_characters_in_a_policy_message_and_description_are_escaped_by_rules(repo):
    (repo / "egov-align.toml").write_text(POLICY.format(message='"run \\u001b[2J at home"') +
                                          'description = { en = "why\\u001b]0;owned\\u0007 it", sw = "kwa nini\\r" }\n')
    before = snapshot(repo)
    for lang in ("en", "sw"):
        run = egov("rules", "--lang", lang, cwd=repo)
        assert run.code == 0 and "gov-hosting" in run.out, run.err
        assert not CONTROL.search(run.out.replace("\n", "")), run.out
    assert snapshot(repo) == before
