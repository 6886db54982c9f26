"""Time egov-align's start-up against the bare interpreter (not a unit test).

Targets (issue 15): `egov-align --version` within +40 ms of `python -c pass`, and a warm
`validate` of the 14-file sample (its cache filled by a run before) within +150 ms. Medians of
--runs (15) each, interleaved, in --rounds (2) rounds.

Timed as an installed egov-align starts: with its modules' bytecode written once (pip compiles
it when it installs a wheel). Some machines set PYTHONDONTWRITEBYTECODE, which would time
compiling every module from source on every run; the bytecode goes to a temporary
PYTHONPYCACHEPREFIX rather than into the checkout.

    python benchmarks/startup.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_SCRIPT = Path(sys.executable).parent / "egov-align"  # what `pip install` puts beside the interpreter


def median_ms(argv: list[str], env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    egov_align = [str(CONSOLE_SCRIPT)] if CONSOLE_SCRIPT.exists() else [sys.executable, "-m", "egov_align"]
    with tempfile.TemporaryDirectory() as pycache, tempfile.TemporaryDirectory() as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=pycache, EGOV_ALIGN_CACHE_DIR=cache)
        commands = {"bare": [sys.executable, "-c", "pass"], "version": [*egov_align, "--version"],
                    "validate": [*egov_align, "validate"]}
        for argv in commands.values():  # the bytecode written, the sample's cache filled
            subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for number in range(1, args.rounds + 1):
            bare, version, validate = (median_ms(argv, env, args.runs) for argv in commands.values())
            print(f"round {number}: python -c pass {bare:.0f} ms; egov-align --version {version:.0f} ms "
                  f"({version - bare:+.0f} ms, target <= +40) {'ok' if version - bare <= 40 else 'MISSED'}; "
                  f"warm validate of the sample {validate:.0f} ms ({validate - bare:+.0f} ms, target <= +150) "
                  f"{'ok' if validate - bare <= 150 else 'MISSED'}")


if __name__ == "__main__":
    main()
