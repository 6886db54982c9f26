"""Build a small git repository of the sample model improving over a year, for `egov-align history`.

    python examples/history/build.py DIR

DIR becomes a model repository whose history starts in December 2025 from what the
ministries reported (integrations missing, steps done by hand, a second population register
kept alongside NIDA's) and reaches the sample model of this repository in November 2026, one
commit a month: integrations built, steps put on systems, the duplicate register retired —
and one commit in April that broke the model (a typo) and the fix the day after. The tests
and docs/history.md use it; the sample's own git history has too few commits to show a trend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
WITHHELD_INTEGRATIONS = ["nida-to-immigration", "nida-to-nhif", "nida-to-tin", "tin-to-ors", "nida-to-ors",
                         "ors-to-business-portal"]
MANUAL_AT_FIRST = [("passport", 1), ("passport", 2), ("health-insurance", 2), ("land-title", 2)]
DUPLICATE = {"id": "rita-population-register", "name": "RITA population register (legacy)", "owner": "rita",
             "status": "active", "capabilities": ["identity", "civil-registration"],
             "data": [{"entity": "person", "role": "master"}], "support": "vendor", "vendor": "Legacy Systems Ltd",
             "annual_cost": 450000000, "description": "A second register of persons, kept alongside NIDA's."}


def _git(directory: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Planning Unit", "GIT_AUTHOR_EMAIL": "planning@example.go.tz",
           "GIT_COMMITTER_NAME": "Planning Unit", "GIT_COMMITTER_EMAIL": "planning@example.go.tz"}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=directory, env=env, check=True, capture_output=True)


class Sample:
    """The sample's files as data, edited month by month and written back as YAML."""

    def __init__(self):
        self.files = {path.relative_to(ROOT).as_posix(): yaml.safe_load(path.read_text())
                      for folder in ("models", "processes") for path in sorted((ROOT / folder).glob("*.yaml"))}
        self.integrations = self.files["models/integrations.yaml"]["integrations"]
        self.held = {i["id"]: i for i in self.integrations if i.get("id") in WITHHELD_INTEGRATIONS}
        self.integrations[:] = [i for i in self.integrations if i.get("id") not in self.held]
        self.manual = {}
        for process_id, index in MANUAL_AT_FIRST:
            step = self.files[f"processes/{process_id}.yaml"]["processes"][0]["steps"][index]
            self.manual[(process_id, index)] = step.pop("systems", None)
            step["systems"] = []
        self.files["models/systems.yaml"]["systems"].append(dict(DUPLICATE))

    def build(self, integration: str) -> str:
        self.integrations.append(self.held.pop(integration))
        return f"Integration {integration} in service"

    def automate(self, process_id: str, index: int) -> str:
        step = self.files[f"processes/{process_id}.yaml"]["processes"][0]["steps"][index]
        step["systems"] = self.manual.pop((process_id, index))
        return f"{process_id}: step {step['id']} now supported by {', '.join(step['systems'])}"

    def set_duplicate(self, **values) -> None:
        system = next(s for s in self.files["models/systems.yaml"]["systems"] if s["id"] == DUPLICATE["id"])
        system.update(values)

    def write(self, directory: Path) -> None:
        for name, data in self.files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120))


def build(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise SystemExit(f"{directory}: not empty")
    directory.mkdir(parents=True, exist_ok=True)
    _git(directory, "init", "-q", "-b", "main")
    shutil.copy(ROOT / "egov-align.toml", directory / "egov-align.toml")
    sample = Sample()
    months = [
        ("2025-12-01", lambda: "Inventory as the ministries reported it"),
        ("2026-01-05", lambda: sample.build("nida-to-immigration")),
        ("2026-02-02", lambda: sample.automate("passport", 1)),
        ("2026-03-02", lambda: sample.build("nida-to-nhif")),
        ("2026-04-06", lambda: sample.set_duplicate(owner="rita-agency") or "Register moved to RITA's agency"),
        ("2026-04-07", lambda: sample.set_duplicate(owner="rita") or "Fix the owner of the population register"),
        ("2026-05-04", lambda: sample.build("nida-to-tin")),
        ("2026-06-01", lambda: sample.automate("passport", 2)),
        ("2026-07-06", lambda: sample.set_duplicate(status="retiring") or "Retire the second population register"),
        ("2026-08-03", lambda: sample.build("tin-to-ors")),
        ("2026-09-07", lambda: sample.automate("health-insurance", 2)),
        ("2026-10-05", lambda: sample.build("nida-to-ors")),
        ("2026-11-02", lambda: (sample.build("ors-to-business-portal"), sample.automate("land-title", 2),
                                sample.set_duplicate(status="retired"))[0] + "; the old register is off"),
    ]
    for date, change in months:
        subject = change()
        sample.write(directory)
        _git(directory, "add", "-A")
        _git(directory, "commit", "-q", "-m", subject, date=f"{date}T09:00:00+03:00")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    build(Path(sys.argv[1]))
    print(f"built {sys.argv[1]}: a year of commits; run `egov-align history` there")
