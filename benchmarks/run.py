"""Time egov-align against the YAML floor measured in the same run (not a unit test).

The floor is plain `yaml.load(..., Loader=yaml.CSafeLoader)` of the same files in one
process: no line numbers, no validation. Targets at scale L (issues 2 and 3):
cold validate <= 1.5x floor, repeated validate (cache) <= 0.25x, peak memory <= 1 GB,
cold analyze <= 2.0x floor, graph + all rules <= 0.5x floor.

    python benchmarks/run.py --scale L                    # the project's own synthetic model
    python benchmarks/run.py --scale L --model national   # ../shared/bench/nationalmodel.py's model (issue 15)

Issue 15 adds, at L against the same floor: warm analyze (files unchanged, caches present)
<= 0.4x, analyze after editing one file <= 0.6x, cold analyze with sarif and text <= 2.2x.
One file is edited two ways, in copies of the model of their own, anew before each run: a step
renamed (its findings' messages change), and a system added to a step, another one each run
(what steps use changes, and with it what other processes can be told).
"warm, new format" is a warm analyze whose output format was not rendered before (SARIF after
JSON, as a CI job that uploads both runs it): the cached analysis, rendered again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from generate import synthetic_model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob('*.yaml')):
    with open(path, 'rb') as handle:
        yaml.load(handle, Loader=yaml.CSafeLoader)
"""


NATIONAL = ROOT.parent / "shared" / "bench" / "nationalmodel.py"


def rename_a_step(path: Path, run: int) -> None:
    """The first step of the file's first process gets a new name."""
    data = yaml.safe_load(path.read_text())
    data["processes"][0]["steps"][0]["name"] = f"Step renamed in run {run}"
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def add_a_system(path: Path, run: int, *, pristine: dict) -> None:
    """The first step of the file's first process gets one more system: another of the file's each run."""
    data = yaml.safe_load(path.read_text())
    step = data["processes"][0]["steps"][0]
    before = pristine["processes"][0]["steps"][0].get("systems", [])
    others = sorted({s for p in pristine["processes"] for t in p["steps"] for s in t.get("systems", [])} - set(before))
    step["systems"] = [*before, others[run % len(others)]]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def national_model(scale: str) -> Path:
    """../shared/bench/nationalmodel.py's model in benchmarks/out/national-SCALE, generated on first use."""
    out = HERE / "out" / f"national-{scale}"
    if not out.exists():
        subprocess.run([sys.executable, str(NATIONAL), str(out), "--scale", scale], check=True, capture_output=True)
    return out


def _children(pid: int) -> list[int]:
    """The direct children of a process: /proc/PID/task/*/children (one small read per thread,
    not a scan of all of /proc, which on a 2-core machine took CPU from the command measured)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def _tree_rss(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(_children(pid))
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def timed(argv: list[str], *, env: dict | None = None) -> tuple[float, int, int]:
    """(seconds, peak resident bytes of the whole process tree, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                               env={**os.environ, **(env or {})})
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, peak, code


def rule_timings(directory: Path) -> dict:
    """Graph building, each rule and the metrics, in this process, on the loaded model."""
    from egov_align.analyze import analyze
    from egov_align.config import Config
    from egov_align.loader import load_paths

    loaded = load_paths([directory], config=Config(), jobs=os.cpu_count())
    started = time.perf_counter()
    result = analyze(loaded.model)  # builds the graph the rules query, timed as "graph"
    total = time.perf_counter() - started
    return {"total": total, **result.timings, "findings": len(result.findings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="L", choices=("S", "M", "L"))
    parser.add_argument("--runs", type=int, default=3, help="take the best of this many runs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--model", choices=("own", "national"), default="own",
                        help="own: benchmarks/generate.py; national: ../shared/bench/nationalmodel.py")
    args = parser.parse_args()
    directory = synthetic_model(args.scale) if args.model == "own" else national_model(args.scale)
    size = sum(p.stat().st_size for p in directory.rglob("*.yaml")) / 1e6
    cli = [sys.executable, "-m", "egov_align"]
    figures: dict = {"scale": args.scale, "megabytes": round(size, 1), "cores": os.cpu_count()}

    # Interleaved, best of --runs each: the machine's speed drifts, so every measurement of
    # ours sits next to a measurement of the floor.
    runs: dict[str, list[tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as work:
        env = {"EGOV_ALIGN_CACHE_DIR": cache}
        edited, restructured = Path(work) / "edited", Path(work) / "restructured"
        for copy in (edited, restructured):
            shutil.copytree(directory, copy)
        one_file = sorted((edited / "processes").glob("*.yaml"))[0]
        other_file = sorted((restructured / "processes").glob("*.yaml"))[0]
        pristine = yaml.safe_load(other_file.read_text())
        out = str(Path(work) / "out")
        other_cache = Path(work) / "other-cache"
        timed(cli + ["validate", str(directory)], env=env)  # fills the load cache
        timed(cli + ["analyze", str(directory), "--format", "json", "-o", out], env=env)  # and the analysis cache
        for copy in (edited, restructured):  # and the state of each copy's analysis, which an edit starts from
            timed(cli + ["analyze", str(copy), "--format", "json", "-o", out], env=env)
        for run in range(args.runs):
            for name, argv, extra in (
                    ("floor", [sys.executable, "-c", FLOOR, str(directory)], None),
                    ("validate", cli + ["validate", str(directory), "--no-cache"], None),
                    ("warm", cli + ["validate", str(directory)], env),
                    ("analyze", cli + ["analyze", str(directory), "--no-cache", "--format", "json", "-o", out], None),
                    ("analyze_sarif", cli + ["analyze", str(directory), "--no-cache", "--format", "sarif", "-o", out],
                     None),
                    ("analyze_text", cli + ["analyze", str(directory), "--no-cache", "--format", "text", "-o", out],
                     None),
                    ("analyze_warm", cli + ["analyze", str(directory), "--format", "json", "-o", out], env),
                    ("analyze_other_format", cli + ["analyze", str(directory), "--format", "sarif", "-o", out],
                     {"EGOV_ALIGN_CACHE_DIR": str(other_cache)}),
                    ("analyze_edited", cli + ["analyze", str(edited), "--format", "json", "-o", out], env),
                    ("analyze_edited_steps", cli + ["analyze", str(restructured), "--format", "json", "-o", out],
                     env)):
                if name == "analyze_edited":  # a new edit each time
                    rename_a_step(one_file, run)
                if name == "analyze_edited_steps":
                    add_a_system(other_file, run, pristine=pristine)
                if name == "analyze_other_format":  # the cache as the JSON run left it: SARIF never rendered
                    shutil.rmtree(other_cache, ignore_errors=True)
                    shutil.copytree(cache, other_cache, symlinks=True)
                os.sync()  # what the last command wrote (cache entries: hundreds of MB) is not flushed during this one
                seconds, peak, _code = timed(argv, env=extra)
                runs.setdefault(name, []).append((seconds, peak))
    (floor, floor_peak), (validate, validate_peak), (warm, warm_peak), (analyze, analyze_peak) = (
        (min(s for s, _p in runs[n]), max(p for _s, p in runs[n])) for n in ("floor", "validate", "warm", "analyze"))
    rules = min((rule_timings(directory) for _ in range(2)), key=lambda r: r["total"])
    graph_and_rules = rules["total"] - rules.get("metrics", 0.0)

    extra_runs = {name: min(s for s, _p in runs[name]) for name in
                  ("analyze_sarif", "analyze_text", "analyze_warm", "analyze_other_format", "analyze_edited",
                   "analyze_edited_steps")}
    figures.update({f"{name}_s": round(value, 2) for name, value in extra_runs.items()})
    figures.update({f"{name}_ratio": round(value / floor, 2) for name, value in extra_runs.items()})
    figures.update(
        model=args.model, floor_s=round(floor, 2), validate_cold_s=round(validate, 2), validate_warm_s=round(warm, 2),
        analyze_cold_s=round(analyze, 2), graph_and_rules_s=round(graph_and_rules, 2),
        validate_cold_ratio=round(validate / floor, 2), validate_warm_ratio=round(warm / floor, 2),
        analyze_cold_ratio=round(analyze / floor, 2), graph_and_rules_ratio=round(graph_and_rules / floor, 2),
        peak_mb={"floor": floor_peak // 2**20, "validate_cold": validate_peak // 2**20,
                 "validate_warm": warm_peak // 2**20, "analyze_cold": analyze_peak // 2**20},
        per_rule_s={k: round(v, 3) for k, v in rules.items() if k not in ("total", "findings")},
        findings=rules["findings"])
    targets = [("cold validate", figures["validate_cold_ratio"], 0.9),
               ("repeated validate", figures["validate_warm_ratio"], 0.1),
               ("cold analyze json", figures["analyze_cold_ratio"], 2.0),
               ("cold analyze sarif", figures["analyze_sarif_ratio"], 2.2),
               ("cold analyze text", figures["analyze_text_ratio"], 2.2),
               ("warm analyze", figures["analyze_warm_ratio"], 0.4),
               ("warm, new format", figures["analyze_other_format_ratio"], 0.4),
               ("a step renamed", figures["analyze_edited_ratio"], 0.6),
               ("a system added", figures["analyze_edited_steps_ratio"], 0.6),
               ("graph + rules", figures["graph_and_rules_ratio"], 0.5)]
    print(f"{args.model} model, scale {args.scale}: {size:.1f} MB of YAML, floor (yaml.load CSafeLoader, one "
          f"process) {floor:.2f} s")
    for name, ratio, target in targets:
        print(f"  {name:<18} {ratio:>5.2f}x floor  (target <= {target}x)  {'ok' if ratio <= target else 'MISSED'}")
    print(f"  peak memory (MB, whole process tree): {figures['peak_mb']}")
    print("  seconds per rule: " + ", ".join(f"{k} {v}" for k, v in figures["per_rule_s"].items()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
