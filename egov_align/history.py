"""`egov-align history`: are we getting better? Metrics and finding counts at each commit that
changed the model (DESIGN 10), read from git objects: the working tree is never touched.

One `git cat-file --batch` serves the whole history (a blob unchanged between commits is read
once), and the commits are analysed in worker processes when there are enough of them.
"""

from __future__ import annotations

import os
import signal
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


def trend_rows(paths: list[str], config: Config, *, cwd: Path, limit: int) -> list[dict] | None:
    """Per commit that changed the model (the last `limit`), oldest first: date, commit, whether it
    validated, the TREND_METRICS and the finding counts by severity; None when the model is not in git."""
    from egov_align.gitsource import GitError

    try:
        found = history(paths, config, cwd=cwd, limit=limit, jobs=1)
    except (GitError, ValueError, OSError):
        return None
    return [{"date": p.date[:10], "commit": p.commit[:8], "valid": p.valid, **p.metrics,
             **{f"{k}s": v for k, v in p.findings.items()}} for p in found.points]


def trend_in_child(paths: list[str], config: Config, *, cwd: Path, limit: int) -> list[dict] | None:
    """trend_rows, worked out in a process of its own (the dashboard: minutes at national scale).

    Started afresh ("spawn", not fork: the server has threads, one of which may hold a lock the
    copy would wait on forever), daemonic (stopped with the server, not waited for), at a lower
    priority, and on its own interpreter: the server's pages do not share theirs with 50 analyses.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_send_trend, args=(sending, list(paths), config, str(cwd), limit), daemon=True,
                            name="egov-align-history")
    child.start()
    sending.close()
    try:
        received = receiving.recv()
    except EOFError:  # it died without a word
        child.join()
        if child.exitcode == -signal.SIGTERM:  # stopped, as with the server: nothing went wrong
            return None
        received = RuntimeError(f"reading the model's history ended with exit code {child.exitcode}")
    finally:
        receiving.close()
        child.join()
    if isinstance(received, BaseException):
        raise received
    return received


def _send_trend(sending, paths: list[str], config: Config, cwd: str, limit: int) -> None:
    if hasattr(os, "nice"):
        os.nice(10)  # background work: the server's pages come first on the cores they share
    try:
        sending.send(trend_rows(paths, config, cwd=Path(cwd), limit=limit))
    except BaseException as error:  # noqa: BLE001 - a bug of ours: raised again in the server
        sending.send(RuntimeError(f"reading the model's history failed: {type(error).__name__}: {error}"))
    finally:
        sending.close()
