"""Helpers for the hostile-input tests: each attack runs the real command in a subprocess, with a timeout.

Each test asserts the exit code, the one-line message, no traceback, no file changed under
the model, and nothing left behind.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TINY = ROOT / "tests" / "examples" / "valid" / "tiny"


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def one_line(self) -> str:
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert "Traceback" not in self.err
        return lines[0]


def egov(*argv: str, cwd: Path, env: dict | None = None, timeout: float = 30) -> Ran:
    """`egov-align ARGV` as a user runs it, in its own process (a traceback would really show)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run([sys.executable, "-m", "egov_align", *argv], cwd=cwd, env=environment,
                          capture_output=True, timeout=timeout, check=False)
    return Ran(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def snapshot(directory: Path) -> dict[str, str]:
    """Every entry under `directory` with a hash of its content: to show nothing was written."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_symlink():
            found[str(path)] = "link:" + os.readlink(path)
        elif path.is_file():
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[str(path)] = "dir"
    return found
