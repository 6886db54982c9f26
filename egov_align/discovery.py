"""Which files make up a model: the paths given -> regular YAML files, each once, and notices.

Kept apart from reading and validating (loader.py) so the command line can find its way
without importing the YAML parser or pydantic.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")


class PathNotFound(Exception):
    """A path on the command line does not exist: a usage error (exit 2)."""


@dataclass(frozen=True)
class Source:
    """A model file: read from `path`, or given as `content` (a git revision, an upload).

    `error` marks a file or directory that was found but cannot be read: it becomes an
    `unreadable-file` diagnostic instead of silently holding nothing.
    """

    display: str
    path: str | None = None
    content: bytes | None = None
    error: str | None = None

    def read(self, limit: int | None = None) -> bytes:
        """The bytes (at most `limit` + 1 of them); never blocks on a FIFO swapped in late."""
        if self.content is not None:
            return self.content
        if self.error is not None:
            raise OSError(self.error)
        descriptor = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # type: ignore[arg-type]
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise OSError("not a regular file")
            return read_up_to(descriptor, None if limit is None else limit + 1, expected=info.st_size)
        finally:
            os.close(descriptor)

    def size(self) -> int:
        if self.content is not None:
            return len(self.content)
        try:
            return os.stat(self.path).st_size  # type: ignore[arg-type]
        except (OSError, TypeError):
            return 0


_FIRST_READ_AT_MOST = 1 << 26  # no buffer of a sparse file's claimed terabyte, set aside before reading


def read_up_to(descriptor: int, most: int | None, *, expected: int) -> bytes:
    """Up to `most` bytes (None: all), asked for as the `expected` size and one more: a buffered
    read of `most` set aside 5 MB for every 5 KB file (0.2 s to hash a national model's files,
    0.06 s so). A file that grew since it was measured is read on."""
    pieces = []
    wanted = min(expected + 1, _FIRST_READ_AT_MOST) if most is None else min(expected + 1, most)
    while wanted > 0:
        piece = os.read(descriptor, wanted)
        if not piece:
            break
        pieces.append(piece)
        if most is not None:
            most -= len(piece)
        wanted = 1 << 16 if most is None else min(1 << 16, most)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


@dataclass
class Discovery:
    """The model files under the given paths, and notices about what was skipped."""

    sources: list[Source]
    notices: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # every folder listed: a file added, removed or renamed changes one


def display_path(path: str, cwd: str) -> str:
    """Relative to the working directory when under it (DESIGN.md: paths in output are relative)."""
    absolute = os.path.abspath(path)
    if absolute.startswith(cwd + os.sep):
        return absolute[len(cwd) + 1:].replace(os.sep, "/")
    return path


REPOSITORY_MARKERS = ("egov-align.toml", "models", "processes")


def is_model_repository(directory: Path) -> bool:
    """DESIGN 12: a directory with egov-align.toml, models/ or processes/ is a model repository."""
    return directory.is_dir() and any((directory / marker).exists() for marker in REPOSITORY_MARKERS)


def enclosing_repository(path: str) -> Path | None:
    """The model repository a path lies inside (not the path itself), looking no higher than the
    top of its git work tree."""
    directory = Path(os.path.abspath(path)).parent
    for candidate in (directory, *directory.parents):
        if is_model_repository(candidate):
            return candidate
        if (candidate / ".git").exists():
            return None
    return None


def model_paths(directory: Path, paths: tuple[str, ...]) -> list[Path]:
    """The existing model paths of a repository (its configured `paths`); else the directory itself."""
    if not directory.exists():
        raise PathNotFound(f"{directory}: no such file or directory")
    if is_model_repository(directory):
        found = [directory / p for p in paths if (directory / p).exists()]
        if found:
            return found
    return [directory]


def within(path: str, roots: list[str]) -> bool:
    """`path` is one of `roots` or lies under one (paths compared as given: normalise them first)."""
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def discover(paths, *, cwd: Path | None = None) -> Discovery:
    """Every regular *.yaml / *.yml under the paths, each read once, skipping names that start with '.'.

    Walked without recursion (1,100 nested folders must not overflow the stack). FIFOs,
    devices and links leading out of the model paths are skipped with a notice; a folder
    or file that cannot be read becomes an `unreadable-file` diagnostic.
    """
    here = os.path.abspath(cwd or Path.cwd())
    found: dict[tuple[int, int], Source] = {}
    problems: list[Source] = []
    notices: list[str] = []
    folders: list[str] = []
    given_paths = [os.path.join(here, os.fspath(given)) for given in paths]
    for given, path in zip(paths, given_paths, strict=True):
        if not os.path.lexists(path):
            raise PathNotFound(f"{given}: no such file or directory")
    roots = [os.path.realpath(path) for path in given_paths]

    def add_file(path: str, info: os.stat_result) -> None:
        display = display_path(path, here)
        if not stat.S_ISREG(info.st_mode):
            notices.append(f"{display}: not a regular file (a FIFO, device or socket); skipped")
            return
        found.setdefault((info.st_dev, info.st_ino), Source(display, path))

    for path in given_paths:
        try:
            info = os.stat(path)
        except OSError as error:
            problems.append(Source(display_path(path, here), path, error=f"cannot read: {error.strerror}"))
            continue
        if not stat.S_ISDIR(info.st_mode):
            add_file(path, info)
            continue
        pending = [path]
        while pending:
            directory = pending.pop()
            folders.append(directory)
            try:
                with os.scandir(directory) as listing:
                    entries = sorted(listing, key=lambda e: e.name, reverse=True)
            except OSError as error:
                problems.append(Source(display_path(directory, here), directory,
                                       error=f"cannot read this folder: {error.strerror}"))
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_symlink():
                        target = os.path.realpath(entry.path)
                        if not within(target, roots):
                            notices.append(f"{display_path(entry.path, here)}: a link to {target}, outside the "
                                           "model paths; not followed")
                        elif entry.name.endswith(YAML_SUFFIXES) and not os.path.isdir(target):
                            add_file(entry.path, os.stat(entry.path))
                        continue  # a linked folder inside the model paths is read where it is
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.name.endswith(YAML_SUFFIXES):
                        add_file(entry.path, entry.stat(follow_symlinks=False))
                except OSError as error:
                    problems.append(Source(display_path(entry.path, here), entry.path,
                                           error=f"cannot read: {error.strerror}"))
    sources = sorted([*found.values(), *problems], key=lambda s: s.display)
    return Discovery(sources, notices, folders)
