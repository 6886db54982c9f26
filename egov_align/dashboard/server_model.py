"""Which model the server shows, and reading it before the server starts: without Streamlit.

serve.py reads the server's model here in a process that has not imported Streamlit yet, so
that importing it (and the pages' table libraries) is work this process does while its loader
workers read the files (loader.load's `meanwhile`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from egov_align.config import Config, load_config
from egov_align.i18n import N_, LanguageError, choose
from egov_align.loader import Discovery, LoadResult, discover, is_model_repository, load, model_paths

ROOT = Path(__file__).resolve().parent.parent.parent  # a checkout of egov-align: its sample model


@dataclass(frozen=True)
class Settings:
    """How the server was started: `egov-align dashboard ...` or `streamlit run app.py -- ...`."""

    model: str | None = None  # --model DIR: the model shown by default
    allow_directories: str | None = None  # --allow-directories ROOT: visitors may name folders under ROOT
    require_login: bool = False  # --require-login: nothing is shown before an OpenID Connect login


def settings(argv: list[str] | None = None) -> Settings:
    """From the app's arguments: sys.argv[1:] once Streamlit runs the app, or `argv` before."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model")
    parser.add_argument("--allow-directories")
    parser.add_argument("--require-login", action="store_true")
    known, _rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    allowed = known.allow_directories or os.environ.get("EGOV_ALIGN_ALLOW_DIRECTORIES") or None
    login = known.require_login or os.environ.get("EGOV_ALIGN_REQUIRE_LOGIN", "") not in ("", "0")
    return Settings(known.model, allowed, login)


def default_model(given: Settings) -> tuple[Path, str] | None:
    """--model, else the current directory when it is a model repository, else a checkout's sample."""
    if given.model:
        return Path(given.model), given.model
    if is_model_repository(Path.cwd()):
        return Path.cwd(), N_("the sample model") if Path.cwd().resolve() == ROOT else Path.cwd().name
    if is_model_repository(ROOT) and (ROOT / "models").is_dir():
        return ROOT, N_("the sample model")
    return None


def language_of(config: Config | None) -> str:
    try:
        return choose(None, config.lang if config is not None else None)
    except LanguageError:
        return "en"


def config_of(directory: Path) -> Config:
    """A model repository's egov-align.toml in force; for any other folder, the defaults."""
    return load_config(directory) if is_model_repository(directory) else Config()


def repository(directory: Path) -> tuple[Config, list[str], Discovery]:
    config = config_of(directory)
    paths = [str(p) for p in model_paths(directory, config.paths)]
    return config, paths, listed(paths)


@dataclass(frozen=True)
class _Listing:
    found: Discovery
    folders: tuple[tuple[str, int | None], ...]  # each folder listed, with its status change time (ns) then


_LISTINGS: dict[tuple, _Listing] = {}
SETTLED_NS = 2_000_000_000  # a folder changed this recently may change again within its timestamps' resolution


def listed(paths: list[str]) -> Discovery:
    """discover(paths), listed again only when one of its folders changed: a file added, removed
    or renamed changes its folder's status change time (ctime, which no one can set back, unlike
    the mtime), and a file's own changes are the stamp's (stamp_of).

    Every page run asks (a visitor's every click): at national scale a listing is 6,001 entries
    and their display paths, a tenth of a second; the folders are a few stats. A folder changed
    in the two seconds before it was listed is listed again next time: on a file system with
    coarse timestamps, a change made just after the listing may not show.
    """
    key = (tuple(paths), os.getcwd())
    known = _LISTINGS.pop(key, None)
    if known is not None and all(_changed_at(folder) == changed for folder, changed in known.folders):
        _LISTINGS[key] = known
        return known.found
    listing_began = time.time_ns()
    found = discover(paths)
    folders = tuple((folder, _changed_at(folder)) for folder in found.folders)
    if all(os.path.isdir(path) for path in paths) and \
            all(changed is not None and changed < listing_began - SETTLED_NS for _folder, changed in folders):
        if len(_LISTINGS) >= 8:  # visitors' folders under --allow-directories: a few remembered
            _LISTINGS.pop(next(iter(_LISTINGS)))
        _LISTINGS[key] = _Listing(found, folders)
    return found


def _changed_at(folder: str) -> int | None:
    try:
        return os.stat(folder).st_ctime_ns
    except OSError:
        return None


def stamp_of(sources) -> str:
    """Which files there are, with their sizes and modification times: cheap to take on every
    rerun (a stat per file), and it changes whenever a file's content does."""
    taken = hashlib.blake2b(digest_size=16)
    for source in sources:
        try:
            info = os.stat(source.path) if source.path else None
        except OSError:
            info = None
        taken.update(f"{source.display}\0{info.st_size if info else -1}\0{info.st_mtime_ns if info else 0}\n".encode())
    return taken.hexdigest()


@dataclass(frozen=True)
class HeadStart:
    """The server's own model, read before the server started (serve.py), with the stamp of its
    files and the configuration it was read under, and the language the server starts in."""

    label: str
    config: Config
    paths: tuple[str, ...]
    found: Discovery
    stamp: str
    loaded: LoadResult
    lang: str


def read_server_model(argv: list[str], *, reading=lambda files, lang: None,
                      meanwhile: Callable[[], object] | None = None) -> HeadStart | None:
    """The files of the model the server will show, read now: serve.py calls this before Streamlit
    starts, while this process has a single thread (the loader forks its workers). `reading` is
    told how many files, and the server's language, before they are read; `meanwhile` is done
    while the loader's workers read them."""
    default = default_model(settings(argv))
    if default is None:
        if meanwhile is not None:
            meanwhile()
        return None
    config, paths, found = repository(default[0])
    lang = language_of(config)
    reading(len(found.sources), lang)
    taken = stamp_of(found.sources)  # taken before reading: a file changed meanwhile makes the first page read again
    loaded = load(found.sources, max_bytes=config.max_file_bytes, cache=None, notices=found.notices,
                  policies=config.policy_names, meanwhile=meanwhile)
    return HeadStart(default[1], config, tuple(paths), found, taken, loaded, lang)
