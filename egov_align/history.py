"""`egov-align history`: are we getting better? Metrics and finding counts at each commit that
changed the model (DESIGN 10), read from git objects: the working tree is never touched.

One `git cat-file --batch` serves the whole history (a blob unchanged between commits is read
once), and the commits are analysed in worker processes when there are enough of them. With the
user's cache, files go through the per-file cache and each commit's figures are kept: a commit
is analysed once a day, whoever asks (the command, the report, the dashboard's trend).
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from egov_align.cache import Cache, CacheLocationError, user_cache
from egov_align.config import Config
from egov_align.discovery import Source
from egov_align.gitsource import BlobReader, is_shallow, model_commits, sources_of, toplevel

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


def _analysed_point(sources: list, config: Config, cache: Cache | None) -> dict:
    from egov_align.analyze import analyze
    from egov_align.loader import load

    # With the per-file cache, a file unchanged since an earlier commit (or since the last
    # `analyze`) is not parsed again: between two commits, most of a national model is.
    loaded = load(sources, max_bytes=config.max_file_bytes, cache=cache, jobs=1, policies=config.policy_names)
    if not loaded.valid:
        return {"valid": False, "files": len(sources), "diagnostics": len(loaded.diagnostics)}
    result = analyze(loaded.model, config=config)
    summary = result.summary()
    return {"valid": True, "files": len(sources),
            "findings": {"error": summary["errors"], "warning": summary["warnings"], "info": summary["infos"]},
            "metrics": {name: result.metrics.get(name) for name in TREND_METRICS}}


def _point_key(cache: Cache, sources: list, config: Config, top: Path, cwd: Path) -> str | None:
    """The files named from the repository's top, not from where the command runs: the dashboard
    and a terminal in another folder find the same entries."""
    from egov_align.analysis_cache import analysis_key

    named = [Source(Path(os.path.relpath(cwd / source.display, top)).as_posix(), content=source.content)
             for source in sources]
    return analysis_key(cache, named, max_bytes=config.max_file_bytes, config_fingerprint=config.analysis_fingerprint(),
                        as_of=None, command="history-point")


_COUNT_FIELDS = ("files", "diagnostics")


def _cached_point(cache: Cache, key: str) -> dict | None:
    """A point's fields as _analysed_point made them; None when absent, forged or of another shape."""
    known = cache.get(key)
    if not isinstance(known, dict) or type(known.get("valid")) is not bool or \
            not known.keys() <= {"valid", *_COUNT_FIELDS, "findings", "metrics"}:
        return None
    if any(type(known.get(name, 0)) is not int for name in _COUNT_FIELDS):
        return None
    findings, metrics = known.get("findings", {}), known.get("metrics", {})
    if not isinstance(findings, dict) or not all(k in ("error", "warning", "info") and type(v) is int
                                                 for k, v in findings.items()):
        return None
    if not isinstance(metrics, dict) or not all(k in TREND_METRICS and (v is None or type(v) in (int, float))
                                                for k, v in metrics.items()):
        return None
    return known


def _points(chunk: list[tuple[str, list, str | None]], config: Config, cache: Cache | None) -> list[tuple[str, dict]]:
    """(commit id, figures) of commits not found in the cache, each stored there once analysed."""
    done = []
    for commit_id, sources, key in chunk:
        figures = _analysed_point(sources, config, cache)
        if key is not None:
            cache.put(key, figures)
        done.append((commit_id, figures))
    return done


def history(paths: list[str], config: Config, *, cwd: Path, since: str | None = None,
            limit: int | None = None, jobs: int | None = None, cache: Cache | None = None) -> History:
    """Oldest first. `paths` are the model paths (in one git work tree), as the other commands take them;
    `cache`: the user's cache (DESIGN 2), for the files and for each commit's figures."""
    anchor = Path(paths[0]).resolve()
    top = toplevel(anchor if anchor.is_dir() else anchor.parent).resolve()
    specs = [Path(p).resolve().relative_to(top).as_posix() or "." for p in paths]
    commits = model_commits(top, specs, since=since, limit=limit)
    blobs = BlobReader(top)
    try:
        work = [(commit, sources_of(commit.id, specs, top, cwd, blobs)) for commit in commits]
    finally:
        blobs.close()
    # A commit analysed today under the same configuration and version (a second run, a revert,
    # the dashboard started again) is taken from the cache; only the others are analysed.
    keys = {commit.id: _point_key(cache, sources, config, top, cwd) if cache is not None else None
            for commit, sources in work}
    figures = {commit_id: known for commit_id, key in keys.items()
               if key is not None and (known := _cached_point(cache, key)) is not None}
    todo, same_files = [], {}  # two commits with the same files (a revert) are analysed once
    for commit, sources in work:
        key = keys[commit.id]
        if commit.id not in figures and (key is None or same_files.setdefault(key, commit.id) == commit.id):
            todo.append((commit.id, sources, key))
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(todo) >= _PARALLEL_MIN_COMMITS:
        import multiprocessing

        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        chunks = [todo[i::jobs] for i in range(jobs)]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            figures.update(done for future in [pool.submit(_points, c, config, cache) for c in chunks]
                           for done in future.result())
    else:
        figures.update(_points(todo, config, cache))
    figures.update({commit.id: figures[same_files[keys[commit.id]]] for commit in commits if commit.id not in figures})
    points = [Point(commit.id, commit.date, commit.subject, **figures[commit.id]) for commit in commits]
    return History(points, shallow=is_shallow(top))


def trend_rows(paths: list[str], config: Config, *, cwd: Path, limit: int, cache: Cache | None = None
               ) -> list[dict] | None:
    """Per commit that changed the model (the last `limit`), oldest first: date and time, commit, whether it
    validated, the TREND_METRICS and the finding counts by severity; None when the model is not in git."""
    from egov_align.gitsource import GitError

    try:
        found = history(paths, config, cwd=cwd, limit=limit, jobs=1, cache=cache)
    except (GitError, ValueError, OSError):
        return None
    return [{"date": p.date, "commit": p.commit[:8], "valid": p.valid, **p.metrics,
             **{f"{k}s": v for k, v in p.findings.items()}} for p in found.points]


def trend_in_child(paths: list[str], config: Config, *, cwd: Path, limit: int) -> list[dict] | None:
    """trend_rows, with the user's cache, worked out in a process of its own at a lower priority (the
    dashboard: minutes at national scale, which its pages do not share their interpreter with).
    None when that process was stopped (SIGTERM, as with the server): nothing went wrong."""
    from egov_align.isolated import Ended, in_own_process

    try:
        return in_own_process(_trend_with_the_users_cache, list(paths), config, str(cwd), limit,
                              name="egov-align-history", lower_priority=True)
    except Ended as ended:
        if ended.exitcode == -signal.SIGTERM:
            return None
        raise RuntimeError(f"reading the model's history ended with exit code {ended.exitcode}") from None
    except RuntimeError as error:
        raise RuntimeError(f"reading the model's history failed: {error}") from None


def _trend_with_the_users_cache(paths: list[str], config: Config, cwd: str, limit: int) -> list[dict] | None:
    try:
        cache = user_cache(config, paths)
    except CacheLocationError:  # the server reads and writes no cache there either
        cache = None
    return trend_rows(paths, config, cwd=Path(cwd), limit=limit, cache=cache)
