"""End-to-end: the command line as CI and planners use it, with golden output per format."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, run_cli, write

from tests.hostile.runner import egov

EXAMPLES = Path(__file__).parent / "examples"
GOLDEN = Path(__file__).parent / "golden"
TINY = EXAMPLES / "valid" / "tiny"
BROKEN = EXAMPLES / "invalid" / "broken"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text())


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "markdown"])
def test_analyze_golden(cli, fmt):
    run = cli("analyze", "--format", fmt, "--no-cache", cwd=TINY)
    assert run.code == 1  # the tiny model has errors and --fail-on defaults to error
    assert run.err == ""
    check_golden(f"analyze-tiny.{fmt}", run.out)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_validate_golden_on_an_invalid_model(cli, fmt):
    run = cli("validate", "models", "--format", fmt, "--no-cache", "--color", "never", cwd=BROKEN)
    assert run.code == 1
    check_golden(f"validate-broken.{fmt}", run.out)


def test_sarif_is_valid_against_the_official_schema(cli):
    for directory, command in ((TINY, "analyze"), (BROKEN, "validate")):
        run = cli(command, "--format", "sarif", "--no-cache", cwd=directory)
        document = json.loads(run.out)
        jsonschema.validate(document, SARIF_SCHEMA)
        results = document["runs"][0]["results"]
        rules = document["runs"][0]["tool"]["driver"]["rules"]
        assert results and all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_json_output_matches_the_design_shape(cli):
    document = json.loads(cli("analyze", "--format", "json", "--no-cache", cwd=TINY).out)
    assert list(document) == ["valid", "summary", "findings", "metrics", "notices"]
    assert document["summary"] == {"files": 2, "institutions": 3, "systems": 3, "processes": 1, "steps": 3,
                                   "errors": 3, "warnings": 4, "infos": 1}  # ors->npr names no standard
    finding = document["findings"][0]
    assert list(finding) == ["rule", "severity", "subject", "message", "file", "line", "column", "related"]
    keys = [(f["file"], f["line"], f["rule"]) for f in document["findings"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on(cli, fail_on, code):
    assert cli("analyze", "--fail-on", fail_on, "--no-cache", cwd=TINY).code == code


def test_fail_on_from_the_configuration_and_rules_turned_off(cli, tmp_path):

    shutil.copytree(TINY, tmp_path / "m")
    write(tmp_path / "m", {"egov-align.toml": """
        fail-on = "never"
        [rules]
        conflicting-master = "off"
        duplicate-capability = "warning"
        unprotected-sensitive-data = "info"
    """})
    run = cli("analyze", "--format", "json", cwd=tmp_path / "m")
    assert run.code == 0
    document = json.loads(run.out)
    assert "conflicting-master" not in {f["rule"] for f in document["findings"]}
    assert document["summary"]["errors"] == 0
    assert cli("analyze", "--fail-on", "warning", cwd=tmp_path / "m").code == 1


def test_pyproject_tool_table_is_read(cli, tmp_path):

    shutil.copytree(TINY, tmp_path / "m")
    write(tmp_path / "m", {"pyproject.toml": '[tool.egov-align]\npaths = ["models"]\n'})
    document = json.loads(cli("validate", "--format", "json", cwd=tmp_path / "m").out)
    assert document["summary"]["files"] == 1


@pytest.mark.parametrize("config", ['colour = "red"\n', '[rules]\norphan-sytem = "off"\n',
                                    '[rules]\norphan-system = "loud"\n', 'overlap-threshold = 3\n',
                                    'paths = "models"\n', 'fail-on = [\n'])
def test_bad_configuration_exits_2_with_one_line(cli, tmp_path, config):

    shutil.copytree(TINY, tmp_path / "m")
    (tmp_path / "m" / "egov-align.toml").write_text(config)
    run = cli("validate", cwd=tmp_path / "m")
    assert run.code == 2 and run.out == ""
    assert len(run.err.strip().splitlines()) == 1 and run.err.startswith("egov-align: error: ")


@pytest.mark.parametrize("argv", [
    ["validate", "no-such-dir"],
    ["analyze", "--format", "xml"],
    ["analyze", "--fail-on", "sometimes"],
    ["analyze", "--as-of", "yesterday"],
    ["frobnicate"],
    ["analyze", "--retire", "no-such-system"],
    ["analyze", "--retire", "npr", "--format", "sarif"],
    ["diff", "only-one"],
])
def test_usage_errors_exit_2_with_one_line(argv):
    """In a real process, where a traceback would really reach stderr."""
    run = egov(*argv, cwd=TINY)
    assert run.code == 2, run
    assert run.one_line.startswith("egov-align: error: ")


@pytest.mark.parametrize("argv, words", [
    ([], "a command is needed"),
    (["--bogus"], "unknown option '--bogus'"),
    (["analyse"], "unknown command 'analyse' (did you mean 'analyze'?)"),
])
def test_a_wrong_start_shows_the_commands(argv, words):
    run = egov(*argv, cwd=TINY)
    assert run.code == 2 and "Traceback" not in run.err
    assert words in run.err and "commands:" in run.err and "validate" in run.err


def test_validate_imports_neither_networkx_nor_the_rules():
    """A pre-commit hook runs validate on every commit: it must not pay for the analysis."""
    code = ("import sys\nfrom egov_align.cli import main\n"
            "main(['validate', '--no-cache', '--format', 'sarif', '-o', sys.argv[1]])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('networkx', 'streamlit', 'graphviz')"
            " or m.startswith(('egov_align.rules', 'egov_align.graph', 'egov_align.analyze'))))")
    done = subprocess.run([sys.executable, "-c", code, os.devnull], cwd=TINY, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert done.stdout.strip() == "[]"


def test_no_default_paths_is_a_usage_error(cli, tmp_path):
    run = cli("validate", cwd=tmp_path)
    assert run.code == 2 and "models" in run.err


def test_validate_counts_and_exit_0(cli):
    run = cli("validate", "--no-cache", cwd=TINY)
    assert (run.code, run.out) == (0, "valid: 2 files, 3 institutions, 3 systems, 1 process, 3 steps\n")


def test_output_file_option(cli, tmp_path):
    target = tmp_path / "report.json"
    run = cli("analyze", "--format", "json", "-o", str(target), "--no-cache", cwd=TINY)
    assert run.out == "" and json.loads(target.read_text())["valid"] is True


def test_rules_lists_every_rule_with_its_purpose(cli):
    from egov_align.rules import RULES

    out = cli("rules").out
    for name in RULES:
        assert name in out


def test_schema_is_draft_2020_12(cli):
    schema = json.loads(cli("schema").out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_export_graphml_and_json(cli, tmp_path):
    import networkx as nx

    graphml = tmp_path / "g.graphml"
    assert cli("export", "--format", "graphml", "-o", str(graphml), "--no-cache", cwd=TINY).code == 0
    graph = nx.read_graphml(graphml)
    assert graph.nodes["system:npr"]["kind"] == "system"
    node_link = json.loads(cli("export", "--format", "json", "--no-cache", cwd=TINY).out)
    assert {"nodes", "edges"} <= set(node_link)
    kinds = {e["kind"] for e in node_link["edges"]}
    assert {"owns", "provides", "holds", "integrates", "supports", "needs", "writes", "reads", "flows-to",
            "part-of", "performs", "delivers"} <= kinds


def test_python_dash_m_and_no_traceback_on_garbage(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "x.yaml").write_bytes(b"\xff\xfe\x00garbage")
    done = subprocess.run([sys.executable, "-m", "egov_align", "validate"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "models/x.yaml:1:1: unreadable-file" in done.stdout


def test_the_fast_exit_keeps_every_byte_and_the_exit_code(tmp_path):
    """The process leaves with os._exit: what was printed to a pipe and written with -o is all there."""
    command = [sys.executable, "-m", "egov_align", "analyze", str(ROOT), "--no-cache", "--format", "json"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    piped = subprocess.run(command, capture_output=True, env=environment, cwd=tmp_path)
    written = subprocess.run(command + ["-o", "out.json"], capture_output=True, env=environment, cwd=tmp_path)
    assert piped.returncode == written.returncode == 1  # the sample has error findings on purpose
    document = json.loads(piped.stdout)
    assert len(document["findings"]) > 50 and piped.stdout.endswith(b"}\n")
    assert (tmp_path / "out.json").read_bytes() == piped.stdout


def test_reporting_leaves_the_collector_as_it_found_it():
    """The heap is frozen while a report is rendered (collections then skip the findings) and
    thawed after: a program that runs commands in-process keeps collecting its own garbage."""
    import gc

    from egov_align import cli

    frozen = gc.get_freeze_count()  # the dashboard's tests leave their analysed models frozen
    assert run_cli("analyze", "--no-cache", "--format", "text", cwd=TINY).code in (0, 1)
    # none of the report's objects stays frozen (frozen ones of earlier tests may be freed meanwhile,
    # by a cache that lets go of them)
    assert gc.get_freeze_count() <= frozen and gc.isenabled()
    assert cli.KEPT_UNTIL_EXIT is None  # results are kept unfreed only by the console script, which then leaves


def test_color_only_when_asked_or_on_a_terminal(cli):
    plain = cli("analyze", "--no-cache", cwd=TINY).out
    coloured = cli("analyze", "--no-cache", "--color", "always", cwd=TINY).out
    assert "\033[" not in plain and "\033[" in coloured


def test_as_of_moves_the_assessment_window(cli, tmp_path):
    write(tmp_path, {"models/m.yaml": """
        model: {name: M, as_of: 2026-06-30}
        institutions: [{id: i, name: I}]
        data_entities: [{id: p, name: Person, sensitivity: personal}]
        systems: [{id: s, name: S, owner: i, data: [{entity: p, role: master}], security: {assessed: 2025-03-01}}]
    """})

    def rules(*options):
        run = cli("analyze", "--format", "json", "--no-cache", *options, cwd=tmp_path)
        return {f["rule"] for f in json.loads(run.out)["findings"]}

    assert "unassessed-sensitive-system" in rules()  # model.as_of: 16 months after the assessment
    assert "unassessed-sensitive-system" not in rules("--as-of", "2025-12-31")


def test_an_unwritable_output_file_is_one_line_exit_2(cli, tmp_path):
    run = cli("analyze", "--format", "json", "-o", str(tmp_path / "missing" / "dir" / "r.json"), "--no-cache", cwd=TINY)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and "No such file or directory" in run.err


def test_an_internal_error_is_one_line_not_a_traceback(cli, monkeypatch):
    import egov_align.cli as cli_module

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setitem(cli_module.COMMANDS, "rules", broken)
    run = cli("rules")
    assert run.code == 3 and run.err.strip() == (
        "egov-align: internal error: RuntimeError: boom — this is a bug in egov-align 0.1.0; please report it with "
        "the command you ran (add --debug to see the traceback)")


def test_the_committed_schema_is_current(cli):
    committed = json.loads((ROOT / "schema" / "model-file.schema.json").read_text())
    assert committed == json.loads(cli("schema").out), "run: egov-align schema -o schema/model-file.schema.json"


def test_diff_prints_values_as_yaml(tmp_path):
    old = write(tmp_path / "old", {"models/m.yaml": """\
        institutions: [{id: x, name: X}]
        data_entities: [{id: p, name: P, sensitivity: personal}]
        systems:
          - {id: a, name: A, owner: x}
          - {id: b, name: B, owner: x}
        integrations: [{from: a, to: b, data: [p]}]
        """})
    new = write(tmp_path / "new", {"models/m.yaml": """\
        institutions: [{id: x, name: X}]
        data_entities: [{id: p, name: P, sensitivity: personal}]
        systems:
          - {id: a, name: A, owner: x, annual_cost: 600000000, security: {assessed: 2026-05-01}}
          - {id: b, name: B, owner: x}
        integrations: [{from: a, to: b, data: [p], encrypted: true}]
        """})
    out = run_cli("diff", str(old), str(new), cwd=tmp_path).out
    assert "annual_cost: null -> 600000000" in out and "security: null -> {assessed: 2026-05-01}" in out
    assert "encrypted: false -> true" in out and "None" not in out and "False" not in out


def test_help_points_to_the_docs_users_have():
    for argv in (["--help"], ["analyze", "--help"], ["rules"]):
        run = egov(*argv, cwd=ROOT)
        assert "DESIGN.md" not in run.out and run.code == 0
    assert "docs/rules.md" in egov("rules", cwd=ROOT).out


def test_render_infers_the_format_from_the_output_name(tmp_path):

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    run = run_cli("render", "process", "register-company", "-o", str(tmp_path / "flow.png"), cwd=TINY)
    assert run.code == 0 and (tmp_path / "flow.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run.out.strip() == f"wrote {tmp_path / 'flow.png'} (png)"
    clash = run_cli("render", "process", "register-company", "--format", "svg", "-o", str(tmp_path / "f.png"), cwd=TINY)
    assert clash.code == 2 and "give one format" in clash.err


def test_validate_accepts_fail_on_never(tmp_path):
    write(tmp_path, {"models/m.yaml": "institutions: [{id: x}]\n"})
    assert run_cli("validate", cwd=tmp_path).code == 1
    never = run_cli("validate", "--fail-on", "never", cwd=tmp_path)
    assert never.code == 0 and "missing required field" in never.out


def test_a_path_that_is_a_model_repository_means_its_model_paths(tmp_path):
    write(tmp_path, {"models/m.yaml": "institutions: [{id: x, name: X}]\n",
                     "tests/broken.yaml": "this: [is not a model\n"})
    run = run_cli("validate", ".", cwd=tmp_path)
    assert run.code == 0 and "1 file" in run.out


def test_version_answers_before_anything_heavy_is_imported():
    code = ("import sys\nsys.argv = ['egov-align', '--version']\nfrom egov_align.entry import main\nmain()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml', 'networkx', 'streamlit')"
            " or m == 'egov_align.cli'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.splitlines() == ["egov-align 0.1.0", "[]"]


def test_analyze_does_not_import_networkx():
    """The rules query relations built without it: its import cost 70 ms of every analysis."""
    code = ("import sys\nfrom egov_align.cli import main\nmain(['analyze', sys.argv[1], '--no-cache', '--format', "
            "'json', '-o', sys.argv[2]])\nprint('networkx' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(TINY), os.devnull], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "False"


def test_the_console_script_runs_commands_through_the_cli(tmp_path):
    done = subprocess.run([sys.executable, "-m", "egov_align.entry", "rules"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode == 0 and "divergent-standards" in done.stdout


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_reader_that_leaves_early_changes_neither_the_exit_code_nor_the_cache(tmp_path, fmt):
    """`egov-align analyze | head`: the exit code still says what was found (the sample has
    errors), with no traceback, and the output cut short is not remembered as printed."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "EGOV_ALIGN_CACHE_DIR": str(tmp_path / "cache")}
    environment.pop("EGOV_ALIGN_NO_CACHE", None)
    command = [sys.executable, "-m", "egov_align", "analyze", str(ROOT), "--format", fmt]
    reading, writing = os.pipe()
    os.close(reading)  # nobody reads: the first write fails
    try:
        left = subprocess.run(command, stdout=writing, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                              env=environment, timeout=120)
    finally:
        os.close(writing)
    assert left.returncode == 1 and "Traceback" not in left.stderr and "error" not in left.stderr
    whole = subprocess.run(command, capture_output=True, cwd=tmp_path, env=environment, timeout=120)
    assert whole.returncode == 1 and whole.stdout == subprocess.run(
        command + ["--no-cache"], capture_output=True, cwd=tmp_path, env=environment, timeout=120).stdout


def test_a_part_of_a_model_repository_says_what_is_left_out(tmp_path):
    """A planner checking the one file they edited sees the ids of the other files as unknown:
    the hint says why, and what reads the whole model."""
    shutil.copytree(ROOT / "models", tmp_path / "repo" / "models")
    shutil.copytree(ROOT / "processes", tmp_path / "repo" / "processes")
    (tmp_path / "repo" / ".git").mkdir()  # the top of the work tree: nothing above it is looked at
    repo = tmp_path / "repo"
    one_file = run_cli("validate", "processes/passport.yaml", cwd=repo)
    assert one_file.code == 1 and "unknown-reference" in one_file.out
    assert one_file.err == (
        "egov-align: hint: processes/passport.yaml is only part of the model repository .; the rest of its model "
        "(models, processes) is not read, so ids defined there are unknown here and the analyses see part of the "
        "model: give . as the model to read all of it (`egov-align validate .`)\n")
    from_inside = run_cli("analyze", "passport.yaml", cwd=repo / "processes")
    assert f"model repository {repo};" in from_inside.err and f"`egov-align analyze {repo}`" in from_inside.err
    drawn = run_cli("render", "process", "passport", "--model", "passport.yaml", "-o", str(tmp_path / "p.dot"),
                    cwd=repo / "processes")  # a command with more to it than the model: no command line to copy
    assert drawn.err.startswith("egov-align: hint: passport.yaml is only part") and "`egov-align render" not in drawn.err
    for whole in (["validate"], ["validate", "."], ["validate", "models", "processes"], ["validate", str(repo)]):
        assert run_cli(*whole, cwd=repo).err == "", whole
    beside = tmp_path / "repo" / "fixtures"  # beside the model paths: a model of its own
    shutil.copytree(TINY, beside)
    assert run_cli("validate", "fixtures", cwd=repo).err == ""
