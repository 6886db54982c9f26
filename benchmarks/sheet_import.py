"""import sheet of a 10,000-system workbook, against validate of the same model as YAML.

    python benchmarks/sheet_import.py [--scale S|M|L] [--runs 3]

Generates the synthetic model (benchmarks/generate.py; scale L: 10,000 systems, 50,000 steps),
exports it with `egov-align export sheet` (so the workbook holds exactly that model), then
times, whole process and interleaved, `validate --no-cache` of the YAML and `import sheet` of
the workbook into a fresh folder (which reads the workbook, writes the YAML and validates it).
Target (issue 11): import <= 2x validate. Median of --runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import synthetic_model  # noqa: E402


def _timed(*argv: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "egov_align", *argv], capture_output=True, check=False,
                          cwd=HERE.parent)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"egov-align {' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="L", choices=("S", "M", "L"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    model = synthetic_model(args.scale)
    with tempfile.TemporaryDirectory() as work:
        workbook = Path(work) / "model.xlsx"
        exported = _timed("export", "sheet", str(model), "-o", str(workbook), "--no-cache")
        times: dict[str, list[float]] = {"validate": [], "import": []}
        for run in range(args.runs):
            times["validate"].append(_timed("validate", "--no-cache", str(model)))
            out = Path(work) / f"imported-{run}"
            times["import"].append(_timed("import", "sheet", str(workbook), "-o", str(out)))
            if not (out / "models").is_dir():
                raise SystemExit("the import wrote nothing: run it by hand to see why")
            # not deleted until the end: removing thousands of files just before a timed run slows
            # the next run's file creation on ext4 (measured: 0.2 s -> 2.4 s for 5,000 files)
        size = workbook.stat().st_size
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = median["import"] / median["validate"]
    print(f"scale {args.scale}: workbook {size / 1e6:.1f} MB (export sheet {exported:.2f} s); "
          f"validate {median['validate']:.2f} s; import sheet {median['import']:.2f} s = {ratio:.2f}x "
          f"(target <= 2x) {'ok' if ratio <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
