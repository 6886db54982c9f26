"""`egov-align init DIR`: a model repository that validates, analyzes and passes its CI at once."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

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


def scaffold(directory: Path) -> tuple[list[str], list[str]]:
    """Write the starter files; never overwrite one. Returns (written, skipped)."""
    from egov_align.schema import json_schema

    contents = {target: resources.files("egov_align.templates.init").joinpath(name).read_text(encoding="utf-8")
                for name, target in FILES.items()}
    contents[SCHEMA] = json.dumps(json_schema(), indent=2) + "\n"
    written, skipped = [], []
    for target, text in contents.items():
        path = directory / target
        if path.exists():
            skipped.append(target)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(target)
    return written, skipped
