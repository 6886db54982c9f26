"""`egov-align init DIR`: a model repository that validates, analyzes and passes its CI at once."""

from __future__ import annotations

import json
import os
import subprocess
from importlib import resources
from pathlib import Path

from egov_align import __version__
from egov_align.schema import json_schema

# template file (in egov_align/templates/init) -> where it goes in the new repository
FILES = {
    "README.md": "README.md",
    "egov-align.toml": "egov-align.toml",
    "gitignore": ".gitignore",
    "model.yaml": "models/model.yaml",
    "capabilities.yaml": "models/capabilities.yaml",
    "institutions.yaml": "models/institutions.yaml",
    "data.yaml": "models/data.yaml",
    "systems.yaml": "models/systems.yaml",
    "integrations.yaml": "models/integrations.yaml",
    "services.yaml": "models/services.yaml",
    "process.yaml": "processes/register-business.yaml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/egov-align.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "vscode-settings.json": ".vscode/settings.json",
    "vscode-extensions.json": ".vscode/extensions.json",
}
SCHEMA = "schema/model-file.schema.json"


def install_spec() -> tuple[str, str]:
    """What the new repository's CI installs: this egov-align's git repository, else this release.

    egov-align is not on the package index yet: a checkout's `origin` (as `git remote` gives
    it) is the way to install the same code elsewhere.
    """
    package = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "-C", str(package), "remote", "get-url", "origin"], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        done = None
    url = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    if url.startswith("git@") and ":" in url:
        host, _, path = url[4:].partition(":")
        url = f"https://{host}/{path}"
    if url:
        return f"git+{url}", "the repository egov-align was installed from, as `git remote` gives it"
    return (f"egov-align=={__version__}", "a release from the package index; until egov-align is published there, "
            "set it to git+URL of egov-align's repository")


def scaffold(directory: Path, *, currency: str = "TZS") -> tuple[list[str], list[tuple[str, str]]]:
    """Write the starter files; never overwrite one, never write through a link.

    Returns (written, skipped with the reason).
    """
    spec, note = install_spec()
    values = {"{{EGOV_ALIGN_SPEC}}": spec, "{{SPEC_NOTE}}": note, "{{CURRENCY}}": currency}
    contents = {}
    for name, target in FILES.items():
        text = resources.files("egov_align.templates.init").joinpath(name).read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        contents[target] = text
    contents[SCHEMA] = json.dumps(json_schema(), indent=2) + "\n"
    written: list[str] = []
    skipped: list[tuple[str, str]] = []
    for target, text in contents.items():
        path = directory / target
        link = _link_on_the_way(directory, target)
        if link is not None:
            skipped.append((target, f"{link} is a symbolic link; not followed"))
            continue
        if os.path.lexists(path):
            skipped.append((target, "exists; left as it is"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never through a link planted between the check and the write
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(target)
    return written, skipped


def _link_on_the_way(directory: Path, target: str) -> str | None:
    """The first symbolic link among DIR and the folders below it that lead to `target`."""
    current = directory
    for part in (".", *Path(target).parts[:-1]):
        current = current / part if part != "." else current
        if current.is_symlink():
            return str(current)
    return None
