"""SARIF 2.1.0: rule metadata once in the driver, one result per finding with its region."""

from __future__ import annotations

from collections.abc import Iterator

from egov_align.findings import SEVERITY_VALUES
from egov_align.names import VALIDATION_RULES
from egov_align.perf import gc_paused
from egov_align.reporters.json_format import encoded, encoded_members, orjson

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _rule_descriptors(*, analysis: bool) -> list[dict]:
    """Validation rules always; the analysis rules (which import the graph) only for analyze."""
    descriptors = []
    for name, text in VALIDATION_RULES.items():
        descriptors.append({"id": name, "name": name, "shortDescription": {"text": text},
                            "defaultConfiguration": {"level": "error"},
                            "properties": {"category": "validation"}})
    if not analysis:
        return descriptors
    from egov_align.rules import RULES, summary  # validate never pays for networkx and the rules

    for name, rule in RULES.items():
        doc = (rule.__doc__ or "").strip()
        descriptors.append({
            "id": name, "name": name, "shortDescription": {"text": summary(rule)},
            "fullDescription": {"text": doc.split("\n\n")[0].replace("\n", " ")},
            "help": {"text": doc},
            "defaultConfiguration": {"level": _LEVEL[rule.DEFAULT_SEVERITY.value]},
            "properties": {"category": "analysis", "subject": rule.SUBJECT}})
    return descriptors


def as_document(result, *, options) -> dict:
    document = _document(options)
    results = _Results(document)
    with gc_paused():  # ten small dicts a finding on top of the model's millions of objects: 5.0 s -> 1.3 s at L
        document["runs"][0]["results"] = [results.result(finding) for finding in result.findings]
    return document


def _document(options) -> dict:
    """The log without its results (the run's last member)."""
    rules = _rule_descriptors(analysis=options.command != "validate")
    if options.command != "validate":
        rules += [_policy_descriptor(p) for p in options.policies]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "egov-align", "version": options.version, "rules": rules}}}],
    }


def _policy_descriptor(policy) -> dict:
    descriptor = {"id": policy.name, "name": policy.name, "shortDescription": {"text": policy.summary}}
    if policy.why:  # the policy's `description`: why the government has it
        descriptor |= {"fullDescription": {"text": policy.why}, "help": {"text": policy.why}}
    return descriptor | {"defaultConfiguration": {"level": _LEVEL[policy.severity]},
                         "properties": {"category": "policy", "subject": policy.kind}}


class _Results:
    """One SARIF result per finding, with the index of its rule in the driver."""

    def __init__(self, document: dict) -> None:
        self.index = {r["id"]: n for n, r in enumerate(document["runs"][0]["tool"]["driver"]["rules"])}
        self.artifacts: dict[str, dict] = {}  # one object per file, shared by its findings (serialised the same)

    def result(self, finding) -> dict:
        artifact = self.artifacts.get(finding.file)
        if artifact is None:
            artifact = self.artifacts[finding.file] = {"uri": finding.file, "uriBaseId": "%SRCROOT%"}
        entry = {
            "ruleId": finding.rule, "ruleIndex": self.index[finding.rule],
            "level": _LEVEL[SEVERITY_VALUES[finding.severity]],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": finding.line, "startColumn": finding.column}}}],
            "partialFingerprints": {"egovAlignFinding/v1": "|".join(finding.identity)},
        }
        if finding.subject:
            entry["properties"] = {"subject": finding.subject, "related": list(finding.related)}
        return entry


def render(result, *, options) -> bytes:
    """Not indented: SARIF is read by code-scanning tools, and indenting its deep nesting made a
    national model's log 188 MB rather than 108 MB, to write, keep and upload."""
    return b"".join(pieces(result, options=options))


def pieces(result, *, options) -> Iterator[bytes]:
    """render's bytes a few hundred results at a time (see json_format.pieces)."""
    if orjson is None:
        yield encoded(as_document(result, options=options), indent=False)
        return
    document = _document(options)
    head = encoded(document, indent=False)
    closing = b"}]}\n"  # the run, the runs, the log: the results go last in the run
    yield head[:-len(closing)] + b',"results":['
    yield from encoded_members(result.findings, _Results(document).result, depth=None)
    yield b"]" + closing
