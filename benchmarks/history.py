"""`egov-align history` over 200 commits of the sample (issue 14: under 60 s on these machines).

    python benchmarks/history.py [--commits 200]

Builds examples/history's year of commits, adds commits that each change one value in one
model file until there are --commits, then times `egov-align history` there (whole process).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {"GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@example.org", "GIT_COMMITTER_NAME": "B",
       "GIT_COMMITTER_EMAIL": "b@example.org", "PATH": "/usr/bin:/bin"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        repo = Path(work) / "repo"
        subprocess.run([sys.executable, str(ROOT / "examples" / "history" / "build.py"), str(repo)], check=True,
                       capture_output=True)
        systems = repo / "models" / "systems.yaml"
        text = systems.read_text()
        for number in range(args.commits - 13):
            systems.write_text(text.replace("users: 40", f"users: {41 + number}", 1))
            subprocess.run(["git", "commit", "-qam", f"Operators: {41 + number}"], cwd=repo, env=ENV, check=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "egov_align", "history", "--format", "json"], cwd=repo,
                              capture_output=True, env={**ENV, "PYTHONPATH": str(ROOT)}, check=True)
        seconds = time.perf_counter() - started
        import json

        commits = len(json.loads(done.stdout)["commits"])
    print(f"history of {commits} commits: {seconds:.1f} s (target < 60 s) {'ok' if seconds < 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
