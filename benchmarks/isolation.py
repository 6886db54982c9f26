"""How much a heavy upload in one dashboard session slows the others (not a unit test).

    python benchmarks/isolation.py [--scale M]

One thread analyses a synthetic model as an upload would be analysed, in-process (how the
dashboard did it before) or in a worker process (egov_align.isolated); meanwhile the main
thread keeps analysing the small sample, like another leader's session clicking through
pages. Printed: the sample's analysis time alone, and beside each kind of heavy neighbour.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from generate import synthetic_model

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from egov_align.analyze import analyze  # noqa: E402
from egov_align.config import Config  # noqa: E402
from egov_align.isolated import analyse_isolated  # noqa: E402
from egov_align.loader import load_paths  # noqa: E402


def _other_session(model, seconds: float) -> float:
    """Median seconds of a page's worth of work (20 analyses of the sample), repeated for `seconds`."""
    times = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        started = time.perf_counter()
        for _ in range(20):
            analyze(model)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="M", choices=("S", "M", "L"))
    args = parser.parse_args()
    heavy = synthetic_model(args.scale)
    sample = load_paths([HERE.parent / "models", HERE.parent / "processes"], config=Config(), jobs=1).model
    alone = _other_session(sample, 3)
    figures = {}
    for name, work in (("in-process", lambda: analyze(load_paths([heavy], config=Config(), jobs=1).model)),
                       ("worker process", lambda: analyse_isolated([str(heavy)], Config(), timeout=600))):
        neighbour = threading.Thread(target=work)
        started = time.perf_counter()
        neighbour.start()
        time.sleep(0.5)
        figures[name] = _other_session(sample, 4)
        neighbour.join()
        figures[name + " heavy s"] = time.perf_counter() - started
    print(f"another session's analysis of the sample: alone {alone * 1000:.0f} ms; beside a scale-{args.scale} "
          f"upload analysed in-process {figures['in-process'] * 1000:.0f} ms "
          f"({figures['in-process'] / alone:.1f}x), in a worker process {figures['worker process'] * 1000:.0f} ms "
          f"({figures['worker process'] / alone:.1f}x)")


if __name__ == "__main__":
    main()
