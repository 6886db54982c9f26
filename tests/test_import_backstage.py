"""import backstage (DESIGN 8): the real catalog files in ../shared/corpus/backstage, and the mapping rules."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

CORPUS = ROOT.parent / "shared" / "corpus" / "backstage"
FILES = sorted(CORPUS.glob("*.yaml"))

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is beside the repository in CI")


@pytest.mark.parametrize("source", FILES, ids=[f.name for f in FILES])
def test_every_corpus_file_imports_and_validates(tmp_path, source):
    run = run_cli("import", "backstage", str(source), "-o", str(tmp_path / "out"), "--format", "json", cwd=tmp_path)
    report = json.loads(run.out)
    assert run.code == 0 and report["valid"], report["problems"]
    if report["written"]:
        assert run_cli("validate", str(tmp_path / "out"), "--no-cache", cwd=tmp_path).code == 0
    else:  # a file of Resources only: nothing maps, and that is said
        assert [p["position"] for p in report["not_mapped"]] == ["Resource (1)"]


def test_the_whole_corpus_directory(tmp_path):
    run = run_cli("import", "backstage", str(CORPUS), "-o", str(tmp_path / "out"), "--format", "json", cwd=tmp_path)
    report = json.loads(run.out)
    assert run.code == 0, report["problems"]
    assert report["counts"]["Group"] == {"read": 2, "to": "institutions", "imported": 2}
    assert report["counts"]["Component"] == {"read": 2, "to": "systems", "imported": 2}
    assert report["counts"]["User"] == {"read": 5, "to": None, "imported": 0}
    reasons = [p["message"] for p in report["not_mapped"]]
    assert "Location target './team-b-group.yaml' does not exist; not followed" in reasons
    assert "parent group 'backstage' of team-a is not in the catalog; no parent set" in reasons
    assert "API 'wayback-archive' is not in the catalog; no integration for it" in reasons
    systems = (tmp_path / "out/models/systems.yaml").read_text()
    assert "  - id: artist-lookup\n    name: artist-lookup\n    owner: team-a\n    status: planned\n" in systems
    assert 'tags: [java, data, "system:artist-engagement-portal", service]' in systems
    assert "capabilities: [artists]" in systems  # the System is in the artists Domain
    assert 'external: {backstage: "component:default/artist-lookup"}' in systems
    assert "standard: OpenAPI" in (tmp_path / "out/models/data.yaml").read_text()
    assert run_cli("validate", str(tmp_path / "out"), "--no-cache", cwd=tmp_path).code == 0


def catalog(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return directory


CATALOG = {
    "catalog/org.yaml": """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: nhif}
        spec: {type: organization, profile: {displayName: National Health Insurance Fund}, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: more}
        spec: {targets: [./more/apis.yaml, ../../outside.yaml, /etc/passwd, "https://example.com/x.yaml"]}
        """,
    "catalog/more/apis.yaml": """\
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: claims-api, title: Claims API}
        spec: {type: openapi, owner: nhif, lifecycle: production}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: claims}
        spec: {type: service, lifecycle: production, owner: group:default/nhif, providesApis: [claims-api]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: portal}
        spec: {type: website, lifecycle: deprecated, owner: hospital-team, consumesApis: [api:claims-api]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Template
        metadata: {name: new-service}
        spec: {}
        """,
    "outside.yaml": """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: should-not-be-read}
        spec: {}
        """,
}


def test_apis_become_integrations_from_provider_to_consumer_and_locations_stay_inside(tmp_path):
    catalog(tmp_path, CATALOG)
    run = run_cli("import", "backstage", "catalog/org.yaml", "-o", "out", cwd=tmp_path)
    assert run.code == 0, run.out
    integrations = (tmp_path / "out/models/integrations.yaml").read_text()
    assert "  - from: claims\n    to: portal\n    data: [claims-api]\n    mechanism: api\n    standard: OpenAPI\n" \
           in integrations
    institutions = (tmp_path / "out/models/institutions.yaml").read_text()
    assert "name: National Health Insurance Fund" in institutions
    assert "id: hospital-team" in institutions  # an owner group the catalog lacks is made, and said
    assert "institution hospital-team made: owner group 'hospital-team' is not in the catalog" in run.out
    assert "should-not-be-read" not in institutions
    assert "Location target '../../outside.yaml' is outside the directories given; not followed" in run.out
    assert "Location target '/etc/passwd' is outside the directories given; not followed" in run.out
    assert "Location target 'https://example.com/x.yaml' is remote; not followed" in run.out
    assert "Template (1): not imported: no egov-align kind for a Template" in run.out
    assert "status: retiring" in (tmp_path / "out/models/systems.yaml").read_text()


def test_a_location_cycle_and_a_link_out_of_the_catalog(tmp_path):
    catalog(tmp_path, {"c/a.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: a}\n"
                                   "spec: {targets: [./b.yaml]}\n",
                       "c/b.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: b}\n"
                                   "spec: {targets: [./a.yaml, ./link.yaml]}\n---\n"
                                   "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\nspec: {}\n",
                       "secret.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: secret}\n"})
    (tmp_path / "c/link.yaml").symlink_to(tmp_path / "secret.yaml")
    run = run_cli("import", "backstage", "c", "-o", "out", cwd=tmp_path)
    assert run.code == 0, run.out
    assert "secret" not in (tmp_path / "out/models/institutions.yaml").read_text()
    assert "outside the directories given; not read" in run.out


@pytest.mark.timeout(30)
def test_bad_yaml_is_one_problem_with_its_line_and_nothing_is_written(tmp_path):
    catalog(tmp_path, {"c/x.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: [unclosed\n"})
    run = run_cli("import", "backstage", "c", "-o", "out", cwd=tmp_path)
    assert run.code == 1 and not (tmp_path / "out").exists()
    assert "c/x.yaml:4: not valid YAML" in run.out
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(8))
    catalog(tmp_path, {"d/bomb.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\n"
                                      "spec:\n  " + laughs.replace("\n", "\n  ")})
    run = run_cli("import", "backstage", "d", "-o", "out2", cwd=tmp_path)
    assert run.code == 0  # aliases are shared, never expanded: the Group imports at once
