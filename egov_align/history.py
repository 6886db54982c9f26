"""`egov-align history`: are we getting better? Metrics and finding counts at each commit that
changed the model (DESIGN 10), read from git objects: the working tree is never touched.

One `git cat-file --batch` serves the whole history (a blob unchanged between commits is read
once), and the commits are analysed in worker processes when there are enough of them.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from egov_align.config import Config
from egov_align.gitsource import BlobReader, Commit, is_shallow, model_commits, sources_of, toplevel

TREND_METRICS = ("alignment", "integration_coverage", "digital_services", "coordination", "redundant_spend")
_PARALLEL_MIN_COMMITS = 6


@dataclass
class Point:
    """The model at one commit."""

    commit: str
    date: str
    subject: str
    valid: bool
    files: int = 0
    diagnostics: int = 0
    findings: dict = field(default_factory=dict)  # severity -> count
    metrics: dict = field(default_factory=dict)  # the TREND_METRICS

    def as_record(self) -> dict:
        return {"commit": self.commit, "date": self.date, "subject": self.subject, "valid": self.valid,
                "files": self.files, "diagnostics": self.diagnostics, "findings": self.findings,
                "metrics": self.metrics}


@dataclass
class History:
    points: list[Point]
    shallow: bool = False


def _point(commit: Commit, sources: list, config: Config) -> Point:
    from egov_align.analyze import analyze
    from egov_align.loader import load

    loaded = load(sources, max_bytes=config.max_file_bytes, jobs=1, policies=config.policy_names)
    point = Point(commit.id, commit.date, commit.subject, loaded.valid, files=len(sources))
    if not loaded.valid:
        point.diagnostics = len(loaded.diagnostics)
        return point
    result = analyze(loaded.model, config=config)
    summary = result.summary()
    point.findings = {"error": summary["errors"], "warning": summary["warnings"], "info": summary["infos"]}
    point.metrics = {name: result.metrics.get(name) for name in TREND_METRICS}
    return point


def _points(chunk: list[tuple[Commit, list]], config: Config) -> list[Point]:
    return [_point(commit, sources, config) for commit, sources in chunk]


def history(paths: list[str], config: Config, *, cwd: Path, since: str | None = None,
            limit: int | None = None, jobs: int | None = None) -> History:
    """Oldest first. `paths` are the model paths (in one git work tree), as the other commands take them."""
    anchor = Path(paths[0]).resolve()
    top = toplevel(anchor if anchor.is_dir() else anchor.parent).resolve()
    specs = [Path(p).resolve().relative_to(top).as_posix() or "." for p in paths]
    commits = model_commits(top, specs, since=since, limit=limit)
    blobs = BlobReader(top)
    try:
        work = [(commit, sources_of(commit.id, specs, top, cwd, blobs)) for commit in commits]
    finally:
        blobs.close()
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(work) >= _PARALLEL_MIN_COMMITS:
        import multiprocessing

        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        chunks = [work[i::jobs] for i in range(jobs)]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            done = [p for future in [pool.submit(_points, c, config) for c in chunks] for p in future.result()]
        order = {commit.id: number for number, commit in enumerate(commits)}
        points = sorted(done, key=lambda p: order[p.commit])
    else:
        points = _points(work, config)
    return History(points, shallow=is_shallow(top))
