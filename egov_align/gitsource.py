"""Model files as they were at a git revision, read with git itself (no checkout touched)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from egov_align.discovery import YAML_SUFFIXES, Source


class GitError(Exception):
    """git is missing, this is not a repository, or the revision does not exist (exit 2)."""


def _git(args: list[str], cwd: Path, *, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode(errors="replace").strip().splitlines()[-1]
                       if done.stderr.strip() else f"git {' '.join(args)} failed")
    return done.stdout


def sources_at(revision: str, paths, *, cwd: Path) -> list[Source]:
    """Every *.yaml / *.yml under `paths` at `revision`, shown with paths relative to `cwd`."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd)
    except GitError:
        raise GitError(f"no such revision {revision!r} in this git repository (a branch, tag or commit)") from None
    prefix = cwd.resolve().relative_to(top.resolve())
    specs = [(prefix / p).as_posix() if (prefix / p).as_posix() != "." else "." for p in paths]
    listed = _git(["ls-tree", "-r", "-z", revision, "--", *specs], top).decode("utf-8", "surrogateescape")
    names = []
    for entry in filter(None, listed.split("\0")):
        info, name = entry.split("\t", 1)
        mode, kind = info.split()[:2]
        # blobs only: a submodule (commit) or a link (120000) named *.yaml is not a model file
        if kind == "blob" and mode != "120000" and name.endswith(YAML_SUFFIXES) and "\n" not in name \
                and not any(part.startswith(".") for part in name.split("/")):
            names.append(name)
    if not names:
        return []
    request = "".join(f"{revision}:{n}\n" for n in names).encode("utf-8", "surrogateescape")
    batch = _git(["cat-file", "--batch"], top, stdin=request)
    sources, offset = [], 0
    for name in names:
        header_end = batch.index(b"\n", offset)
        header = batch[offset:header_end].split()
        if len(header) != 3 or header[1] != b"blob":  # "<name> missing": nothing follows
            offset = header_end + 1
            continue
        size = int(header[2])
        content = batch[header_end + 1: header_end + 1 + size]
        offset = header_end + 1 + size + 1
        sources.append(Source(Path(os.path.relpath(name, prefix)).as_posix(), content=content))
    return sorted(sources, key=lambda s: s.display)
