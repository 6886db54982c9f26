"""Validate with every institution renamed, against a normal validate: did-you-mean must stay bounded.

    python benchmarks/renamed.py [--scale S|M|L] [--runs 3]

Builds ../shared/bench/nationalmodel.py's model, and a copy in which every institution's id
is changed where it is defined (so each owner, provider and process owner becomes an
unknown reference: 20,000 at scale L). Both are validated with `--no-cache`, interleaved,
best of --runs; the target is renamed <= 2x normal.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NATIONAL = HERE.parent.parent / "shared" / "bench" / "nationalmodel.py"
DEFINITION = re.compile(r"^(institutions:\n- id: )(\S+)$", re.MULTILINE)


def _validate(directory: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "egov_align", "validate", "--no-cache", "--format", "json",
                           str(directory / "models"), str(directory / "processes")],
                          capture_output=True, check=False, cwd=HERE.parent)
    return time.perf_counter() - start, done.stdout.count(b'"unknown-reference"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="L", choices=("S", "M", "L"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        normal, renamed = Path(work) / "normal", Path(work) / "renamed"
        subprocess.run([sys.executable, str(NATIONAL), str(normal), "--scale", args.scale], check=True,
                       capture_output=True)
        shutil.copytree(normal, renamed)
        for path in (renamed / "models").glob("i*.yaml"):
            path.write_text(DEFINITION.sub(r"\1renamed-\2", path.read_text()))
        times: dict[str, list[float]] = {"normal": [], "renamed": []}
        unknown = 0
        for _ in range(args.runs):
            times["normal"].append(_validate(normal)[0])
            seconds, unknown = _validate(renamed)
            times["renamed"].append(seconds)
    best = {name: min(values) for name, values in times.items()}
    ratio = best["renamed"] / best["normal"]
    print(f"scale {args.scale}: validate {best['normal']:.2f} s; with every institution renamed "
          f"({unknown:,} unknown references) {best['renamed']:.2f} s = {ratio:.2f}x (target <= 2x) "
          f"{'ok' if ratio <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
