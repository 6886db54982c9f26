"""[[policies]]: parsed with errors that name the key, checked like rules, listed, suppressible."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, write

from egov_align.analyze import analyze
from egov_align.config import ConfigError, parse_config
from egov_align.loader import Source, load

MODEL = """\
institutions: [{id: x, name: X}]
data_entities: [{id: p, name: P, sensitivity: personal}, {id: r, name: R, sensitivity: public}]
systems:
  - {id: home, name: Home, owner: x, hosting: Government Data Centre, data: [{entity: p}]}
  - {id: abroad, name: Abroad, owner: x, hosting: vendor cloud, data: [{entity: p}]}
  - {id: unset, name: Unset, owner: x, data: [{entity: p}]}
  - {id: public, name: Public, owner: x, hosting: vendor cloud, data: [{entity: r}]}
  - {id: gone, name: Gone, owner: x, status: retired, data: [{entity: p}]}
  - {id: waived, name: Waived, owner: x, data: [{entity: p}], ignore: [gov-hosting]}
integrations:
  - {id: mail, from: home, to: abroad, data: [p], mechanism: email}
  - {id: api, from: home, to: abroad, data: [p]}
services:
  - {id: s1, name: S1, provider: x, channels: [web, ussd]}
  - {id: s2, name: S2, provider: x, channels: [counter]}
processes:
  - id: proc
    name: Proc
    owner: x
    steps:
      - {id: a, name: A}
"""
HOSTING = {"name": "gov-hosting", "kind": "systems",
           "where": {"status": ["active", "legacy"], "data.sensitivity": ["personal", "confidential"]},
           "require": {"hosting": ["government data centre", "government cloud"]},
           "message": "systems holding personal data run in the government data centre or cloud"}


def _findings(policies: list[dict], rules: dict | None = None) -> list:
    loaded = load([Source("m.yaml", content=MODEL.encode())], jobs=1,
                  policies=("gov-hosting", *(p["name"] for p in policies)))
    assert loaded.valid, [d.message for d in loaded.diagnostics]
    config = parse_config({"policies": policies, "rules": rules or {}})
    names = {p["name"] for p in policies}
    return [f for f in analyze(loaded.model, config=config).findings if f.rule in names]


def test_a_policy_fires_on_each_element_that_matches_where_and_fails_require():
    found = _findings([HOSTING])
    assert sorted(f.subject for f in found) == ["system:abroad", "system:unset"]  # case-insensitive, derived field
    by_subject = {f.subject: f for f in found}
    assert by_subject["system:abroad"].message == (
        "systems holding personal data run in the government data centre or cloud (`hosting` is vendor cloud)")
    assert by_subject["system:unset"].message.endswith("(`hosting` is not set)")
    assert {f.severity.value for f in found} == {"warning"}


@pytest.mark.parametrize("policy, fired", [
    ({"name": "no-email", "kind": "integrations", "where": {"data.sensitivity": "personal"},
      "require": {"mechanism": ["api", "esb"]}, "severity": "error"}, ["integration:mail"]),
    ({"name": "mobile", "kind": "services", "require": {"channels": ["mobile", "ussd"]}}, ["service:s2"]),
    ({"name": "named", "kind": "systems", "where": {"status": "active"}, "require": {"vendor": "*"}},
     ["system:abroad", "system:home", "system:public", "system:unset", "system:waived"]),
    ({"name": "performer", "kind": "steps", "require": {"performer": "y"}}, ["step:proc/a"]),
    ({"name": "defaults-count", "kind": "systems", "where": {"status": "ACTIVE"}, "require": {"support": "in-house"}},
     []),
])
def test_lists_stars_steps_and_defaults(policy, fired):
    assert sorted(f.subject for f in _findings([policy])) == fired


def test_ignore_levels_and_off_apply_to_policies():
    assert "system:waived" not in {f.subject for f in _findings([HOSTING])}
    assert {f.severity.value for f in _findings([HOSTING], {"gov-hosting": "error"})} == {"error"}
    assert _findings([HOSTING], {"gov-hosting": "off"}) == []


def test_ignore_naming_an_unknown_policy_is_a_schema_error():
    loaded = load([Source("m.yaml", content=MODEL.encode())], jobs=1)
    assert [d.rule for d in loaded.diagnostics] == ["schema"]
    assert "unknown rule 'gov-hosting'" in loaded.diagnostics[0].message


@pytest.mark.parametrize("policy, words", [
    ({**HOSTING, "kind": "system"}, "`kind` must be one of"),
    ({**HOSTING, "require": {"hostng": "x"}}, "systems have no field 'hostng' (did you mean 'hosting'?)"),
    ({**HOSTING, "severity": "fatal"}, "`severity` must be one of info, warning, error"),
    ({**HOSTING, "name": "orphan-system"}, "clashes with the built-in rule 'orphan-system'"),
    ({**HOSTING, "name": "Gov Hosting"}, "`name` must be a kebab-case rule name"),
    ({**HOSTING, "sevrity": "error"}, "unknown key 'sevrity' (did you mean 'severity'?)"),
    ({k: v for k, v in HOSTING.items() if k != "require"}, "`require` is missing"),
    ({**HOSTING, "where": {"status": [{"a": 1}]}}, "must be a value, a list of values, or \"*\""),
])
def test_a_malformed_policy_is_a_configuration_error_naming_the_key(policy, words):
    with pytest.raises(ConfigError, match=re.escape(words)):
        parse_config({"policies": [policy]}, source="egov-align.toml")


def test_the_cli_lists_policies_and_sarif_describes_them(tmp_path):
    write(tmp_path, {"models/m.yaml": MODEL.replace(", ignore: [gov-hosting]", ""),
                     "egov-align.toml": '[[policies]]\nname = "gov-hosting"\nkind = "systems"\n'
                                        'require = { hosting = ["government data centre"] }\n'
                                        'message = "run in the government data centre"\n'})
    listed = run_cli("rules", cwd=tmp_path).out
    assert "gov-hosting" in listed and "systems: run in the government data centre" in listed
    sarif = json.loads(run_cli("analyze", "--format", "sarif", "--fail-on", "never", cwd=tmp_path).out)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {"id": "gov-hosting", "name": "gov-hosting", "shortDescription": {"text": "run in the government data centre"},
            "defaultConfiguration": {"level": "warning"}, "properties": {"category": "policy", "subject": "systems"}} in rules
    assert any(r["ruleId"] == "gov-hosting" for r in sarif["runs"][0]["results"])
    bad = run_cli("analyze", cwd=write(tmp_path / "bad", {"models/m.yaml": MODEL,
                                                          "egov-align.toml": '[[policies]]\nname = "x"\n'}))
    assert bad.code == 2 and "policy 'x'" in bad.err


def test_the_five_example_policies_in_the_docs_parse_and_run_on_the_sample():
    import tomllib

    blocks = re.findall(r"```toml\n(.*?)```", (ROOT / "docs" / "policies.md").read_text(), re.S)
    examples = [tomllib.loads(b)["policies"][0] for b in blocks[1:]]
    assert len(examples) == 5
    config = parse_config({"policies": examples})
    loaded = load([Source(p.name, content=p.read_bytes()) for p in sorted(Path(ROOT, "models").glob("*.yaml"))]
                  + [Source(p.name, content=p.read_bytes()) for p in sorted(Path(ROOT, "processes").glob("*.yaml"))],
                  jobs=1, policies=config.policy_names)
    assert loaded.valid
    fired = {f.rule for f in analyze(loaded.model, config=config).findings}
    assert {"gov-hosting", "no-email-for-personal-data"} <= fired


@pytest.mark.parametrize("kind", ["institutions", "capabilities", "data_entities", "systems", "integrations",
                                  "services", "processes", "steps"])
def test_the_written_out_field_paths_are_the_schemas(kind):
    """policies.FIELD_PATHS spares start-up the import of pydantic; it must say what the schema says."""
    from egov_align.policies import FIELD_PATHS, POLICY_KINDS, derived_field_paths
    from egov_align.schema import KINDS

    assert list(FIELD_PATHS[kind]) == derived_field_paths(kind)
    assert POLICY_KINDS == (*KINDS, "steps")


BILINGUAL = ('[[policies]]\nname = "gov-hosting"\nkind = "systems"\n'
             'require = { hosting = ["government data centre"] }\n'
             'message = { en = "run in the government data centre", sw = "iendeshwe katika kituo cha data cha Serikali" }\n')


def test_a_policy_message_in_english_and_kiswahili_is_shown_in_the_readers_language():
    from egov_align.i18n import message

    policy = {**HOSTING, "message": {"en": "run in the government data centre",
                                     "sw": "iendeshwe katika kituo cha data cha Serikali"}}
    found = {f.subject: f for f in _findings([policy])}
    assert found["system:abroad"].message == "run in the government data centre (`hosting` is vendor cloud)"
    assert message(found["system:abroad"], "sw") == "iendeshwe katika kituo cha data cha Serikali (`hosting` ni vendor cloud)"


def test_a_bilingual_policy_message_survives_the_analysis_cache_and_machine_output_stays_english(tmp_path,
                                                                                                 monkeypatch):
    import egov_align.analyze

    write(tmp_path, {"models/m.yaml": MODEL.replace(", ignore: [gov-hosting]", ""), "egov-align.toml": BILINGUAL})
    cold = run_cli("analyze", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    monkeypatch.setattr(egov_align.analyze, "analyze", None)  # the warm run below must come from the cache
    warm = run_cli("analyze", "--lang", "sw", "--fail-on", "never", cwd=tmp_path)
    assert "run in the government data centre (`hosting` is vendor cloud)" in cold.out and "iendeshwe" not in cold.out
    assert "iendeshwe katika kituo cha data cha Serikali (`hosting` ni vendor cloud)" in warm.out
    assert "iendeshwe katika kituo" in run_cli("rules", "--lang", "sw", cwd=tmp_path).out
    assert "systems: run in the government data centre" in run_cli("rules", cwd=tmp_path).out
    sarif = run_cli("analyze", "--lang", "sw", "--format", "sarif", "--fail-on", "never", cwd=tmp_path).out
    assert "run in the government data centre" in sarif and "iendeshwe" not in sarif


@pytest.mark.parametrize("written, words", [
    ({"sw": "iendeshwe Serikalini"}, "`message` as a table needs `en`"),
    ({"en": "x", "fr": "y"}, "language 'fr' is not available; use one of en, sw"),
    ({"en": "x", "sw": 3}, "`message.sw` must be text"),
    ({"en": " ", "sw": "y"}, "`message.en` must be text, and not empty"),
    ({"en": "x", "SW": "y"}, "write the language as 'sw', not 'SW'"),
    (["x"], "`message` must be text, or a table such as"),
    ({}, "`message` as a table needs `en`"),
])
@pytest.mark.parametrize("key", ["message", "description"])
def test_a_message_or_description_table_needs_english_and_known_languages(written, words, key):
    with pytest.raises(ConfigError, match=re.escape(words.replace("message", key))):
        parse_config({"policies": [{**HOSTING, key: written}]}, source="egov-align.toml")


DESCRIBED = BILINGUAL + ('description = { en = "records stay under the government\'s control", '
                         'sw = "taarifa zibaki chini ya udhibiti wa Serikali" }\n')


def test_a_description_says_why_in_rules_sarif_and_the_report(tmp_path):
    write(tmp_path, {"models/m.yaml": MODEL.replace(", ignore: [gov-hosting]", ""), "egov-align.toml": DESCRIBED})
    listed = run_cli("rules", cwd=tmp_path).out.splitlines()
    at = next(n for n, line in enumerate(listed) if line.lstrip().startswith("gov-hosting"))
    assert listed[at + 1].strip() == "records stay under the government's control"  # under the message
    assert run_cli("rules", "--lang", "sw", cwd=tmp_path).out.count("taarifa zibaki chini ya udhibiti wa Serikali") == 1
    sarif = json.loads(run_cli("analyze", "--lang", "sw", "--format", "sarif", "--fail-on", "never", cwd=tmp_path).out)
    rule = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "gov-hosting")
    assert rule["fullDescription"] == rule["help"] == {"text": "records stay under the government's control"}
    run_cli("report", "-o", "report.html", cwd=tmp_path)
    report = (tmp_path / "report.html").read_text()
    assert "<td>gov-hosting</td><td>run in the government data centre</td>" in report  # what the policy finds


def test_a_policy_without_a_description_has_none():
    policy = parse_config({"policies": [HOSTING]}).policies[0]
    assert policy.description == "" and policy.why == ""
