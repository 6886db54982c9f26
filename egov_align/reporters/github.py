"""GitHub Actions workflow commands: annotations on the YAML lines of a pull request."""

from __future__ import annotations

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(result, *, options) -> str:
    lines = []
    for finding in result.findings:
        lines.append(
            f"::{_COMMAND[finding.severity.value]} file={_escape_property(finding.file)},"
            f"line={finding.line},col={finding.column},title={_escape_property(finding.rule)}::"
            f"{_escape_data(finding.message)}")
    return "".join(line + "\n" for line in lines)
