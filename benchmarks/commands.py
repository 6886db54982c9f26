"""Time the commands run.py does not, at national scale, against the same floor (not a unit test).

run.py times what CI runs on every pull request (validate, analyze); this times the rest a planner
runs on a whole national model: every export, the report, each diagram, importing back what the
exports wrote, and diff. No issue sets targets for them; what this guards against is a command
that works on the sample and takes minutes or gigabytes at scale (`export archimate` took over
nine minutes before its identifiers were handed out in constant time). Each command is timed
once (--runs for more, best taken) right after the floor, whole process, with the peak resident
memory of its process tree; a command over LIMIT_RATIO times the floor or LIMIT_MB is flagged.

    python benchmarks/commands.py --scale L --model national
    python benchmarks/commands.py --scale L                     # the project's own generator
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from generate import synthetic_model
from run import FLOOR, national_model, timed

LIMIT_RATIO = 10
LIMIT_MB = 2_000  # a planner's laptop or a CI runner has 7-8 GB, and more than a model is open


def commands(model: Path, work: Path) -> list[tuple[str, list[str]]]:
    """(what, argv after `egov-align`), in an order where each import reads what an export wrote."""
    process = sorted((model / "processes").glob("*.yaml"))[0]
    first_process = next(line.split(":", 1)[1].strip() for line in process.read_text().splitlines()
                         if line.lstrip("- ").startswith("id:"))
    edited = work / "edited"
    shutil.copytree(model, edited)
    with open(sorted((edited / "models").glob("*.yaml"))[-1], "a") as handle:
        handle.write("# edited for diff\n")
    out = str(work)
    return [
        ("export json", ["export", "json", str(model), "-o", f"{out}/model.json"]),
        ("export graphml", ["export", "graphml", str(model), "-o", f"{out}/model.graphml"]),
        ("export sheet", ["export", "sheet", str(model), "-o", f"{out}/model.xlsx"]),
        ("export archimate", ["export", "archimate", str(model), "-o", f"{out}/model.xml"]),
        ("report (HTML)", ["report", str(model), "-o", f"{out}/report.html"]),
        ("render landscape", ["render", "landscape", "--model", str(model), "-o", f"{out}/landscape.svg"]),
        ("render integrations", ["render", "integrations", "--model", str(model), "-o", f"{out}/integrations.svg"]),
        ("render process", ["render", "process", first_process, "--model", str(model), "-o", f"{out}/process.svg"]),
        ("import sheet (the export)", ["import", "sheet", f"{out}/model.xlsx", "-o", f"{out}/from-sheet"]),
        ("import archimate (the export)", ["import", "archimate", f"{out}/model.xml", "-o", f"{out}/from-archimate",
                                           "--max-xml-bytes", "500,000,000"]),  # our own file: trusted
        ("diff (one file edited)", ["diff", str(model), str(edited), "--format", "json"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="L", choices=("S", "M", "L"))
    parser.add_argument("--model", choices=("own", "national"), default="national")
    parser.add_argument("--runs", type=int, default=1, help="take the best of this many runs of each")
    args = parser.parse_args()
    model = synthetic_model(args.scale) if args.model == "own" else national_model(args.scale)
    with tempfile.TemporaryDirectory() as work:
        floor_script = Path(work) / "floor.py"
        floor_script.write_text(FLOOR)
        rows = []
        for what, argv in commands(model, Path(work)):
            floors, runs = [], []
            for _run in range(args.runs):
                floors.append(timed([sys.executable, str(floor_script), str(model)])[0])
                cold = [] if argv[0] == "import" else ["--no-cache"]  # imports keep no cache
                seconds, peak, code = timed([sys.executable, "-m", "egov_align", *argv, *cold],
                                            env={"EGOV_ALIGN_CACHE_DIR": str(Path(work) / "cache")})
                runs.append((seconds, peak, code))
            floor, (seconds, peak, code) = min(floors), min(runs)
            flagged = seconds / floor > LIMIT_RATIO or peak / 1e6 > LIMIT_MB
            rows.append((what, seconds, floor, peak, code, flagged))
            print(f"{what:<30} {seconds:7.2f} s = {seconds / floor:5.2f}x floor ({floor:.2f} s), "
                  f"peak {peak / 1e6:6.0f} MB, exit {code}{'  OVER' if flagged else ''}", flush=True)
    over = [what for what, *_figures, flagged in rows if flagged]
    print(f"{args.model} model, scale {args.scale}: " + (f"over {LIMIT_RATIO}x the floor or {LIMIT_MB:,} MB: "
                                                          f"{', '.join(over)}" if over else "every command within "
                                                          f"{LIMIT_RATIO}x the floor and {LIMIT_MB:,} MB"))


if __name__ == "__main__":
    main()
