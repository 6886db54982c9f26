"""A content-hash cache of per-file load results, like ruff's and mypy's, that cannot be forged.

The cache lives in the user's cache directory, never in the working tree: a model
repository is untrusted input, and so is anything it could plant. Entries are JSON (no
pickle, no marshal: reading one never runs code), each authenticated with an HMAC under
a random key that only this user can read (mode 0600, created on first use). The MAC
covers the entry's key and its content, so an entry copied to another key, edited, or
written by anyone without the key is a miss, and so is one whose shape is not what we
wrote. A changed file simply misses; entries are written to a temporary name and renamed
into place, so a crash or two concurrent runs never leave a half-written entry believed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from egov_align.config import Config

try:
    import orjson  # tens of MB of cached findings: 5-10x faster than the standard library
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None

_FORMAT = "2"
_KEY_FILE = "hmac-key"
_MAC_BYTES = 32


class CacheLocationError(Exception):
    """The configured cache directory is somewhere the tool must not write (exit 2)."""


def default_cache_dir() -> Path:
    """`$EGOV_ALIGN_CACHE_DIR`, else the platform's user cache directory."""
    override = os.environ.get("EGOV_ALIGN_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":  # pragma: no cover - not run in CI
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":  # pragma: no cover - not run in CI
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "egov-align"


def check_cache_location(directory: Path, *, forbidden: list[Path]) -> None:
    """Refuse a cache inside the git work tree or the model paths: it would be committed."""
    resolved = directory.expanduser().resolve()
    for place in forbidden:
        place = place.resolve()
        if resolved == place or place in resolved.parents:
            raise CacheLocationError(f"EGOV_ALIGN_CACHE_DIR ({directory}) is inside {place}; a cache there "
                                     "could be committed and read back as trusted: point it outside the repository")


def git_work_tree(start: Path) -> Path | None:
    """The enclosing git work tree, found by looking for `.git` (no git process started)."""
    for directory in (start.resolve(), *start.resolve().parents):
        if (directory / ".git").exists():
            return directory
    return None


class Cache:
    """Authenticated JSON entries under `directory`, named by a keyed hash of the content."""

    def __init__(self, directory: Path, *, salt: str) -> None:
        self.directory = directory
        self.salt = salt.encode()
        self._secret: bytes | None = None

    def key(self, content: bytes) -> str:
        digest = hashlib.blake2b(self.salt, digest_size=20)
        digest.update(content)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    @staticmethod
    def _mac(key: str, secret: bytes):
        """The MAC of an entry under `key`, before its content (updated with it: not concatenated,
        an analysis entry is 100 MB at national scale)."""
        return hmac.new(secret, key.encode() + b"\0", hashlib.sha256)

    def get_bytes(self, key: str) -> memoryview | None:
        """The bytes stored under `key` when their MAC is right; None when absent, forged or damaged.

        A view of what was read, not a copy: a national model's entries are 60-100 MB."""
        secret = self._load_secret(create=False)
        if secret is None:
            return None
        try:
            with open(self._path(key), "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        mac, payload = raw[:_MAC_BYTES], memoryview(raw)[_MAC_BYTES:]
        expected = self._mac(key, secret)
        expected.update(payload)
        if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, expected.digest()):
            return None
        return payload

    def put_bytes(self, key: str, payload: bytes) -> None:
        with self.writing(key) as write:
            write(payload)

    @contextlib.contextmanager
    def writing(self, key: str) -> Iterator[Callable[[bytes], None]]:
        """`write(piece)` an entry as it is made; it is stored if the block ends without an error.

        A national model's report is 100 MB: written to the output and here piece by piece, it
        is never one buffer, nor copied once more to be authenticated.
        """
        entry = _Entry(self, key)
        try:
            yield entry.write
        except BaseException:
            entry.discard()
            raise
        entry.commit()

    def get(self, key: str) -> object | None:
        """The JSON value stored under `key`, or None when absent, forged or damaged."""
        payload = self.get_bytes(key)
        if payload is None:
            return None
        try:
            return orjson.loads(payload) if orjson is not None else json.loads(bytes(payload))
        except (ValueError, RecursionError):
            return None

    def put(self, key: str, value: object, *, default=None) -> None:
        """Store `value` as JSON; `default` turns what orjson does not write itself into what it does."""
        try:
            payload = orjson.dumps(value, default=default) if orjson is not None else json.dumps(
                _plain(value, default), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
        except (ValueError, TypeError, RecursionError):
            return
        self.put_bytes(key, payload)

    def _load_secret(self, *, create: bool) -> bytes | None:
        """The per-user key: readable by this user only, or the cache is not used at all."""
        if self._secret is not None:
            return self._secret
        path = self.directory / _KEY_FILE
        try:
            self._secret = _read_private(path)
        except FileNotFoundError:
            if not create:
                return None
            self._ensure_directory()
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:  # another run made it first
                self._secret = _read_private(path)
                return self._secret
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(32))
            self._secret = _read_private(path)
        except (OSError, PermissionError):
            return None
        return self._secret

    def _ensure_directory(self) -> None:
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            (self.directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# egov-align cache\n")


class _Entry:
    """One entry being written: to a temporary name with room for its MAC, which goes in last,
    then renamed into place. A cache that cannot be written is only slower: nothing is raised."""

    def __init__(self, cache: Cache, key: str) -> None:
        self.path = cache._path(key)
        self.handle = None
        try:
            secret = cache._load_secret(create=True)
            if secret is None:
                return
            self.path.parent.mkdir(exist_ok=True, mode=0o700)
            self.temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            self.handle = open(self.temporary, "wb")
            self.handle.write(bytes(_MAC_BYTES))
        except OSError:
            self.discard()
            return
        self.mac = cache._mac(key, secret)

    def write(self, piece: bytes) -> None:
        if self.handle is None:
            return
        try:
            self.handle.write(piece)
        except OSError:
            self.discard()
            return
        self.mac.update(piece)

    def commit(self) -> None:
        if self.handle is None:
            return
        try:
            self.handle.seek(0)
            self.handle.write(self.mac.digest())
            self.handle.close()
            os.replace(self.temporary, self.path)
        except OSError:
            self.discard()

    def discard(self) -> None:
        if self.handle is None:
            return
        with contextlib.suppress(OSError):
            self.handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)
        self.handle = None


def _plain(value: object, default) -> object:
    """What orjson writes with `default`, for the standard library, which writes every tuple (a
    NamedTuple too) as a list itself: only plain tuples and lists are lists here."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if type(value) in (list, tuple):
        return [_plain(item, default) for item in value]
    if type(value) is dict:
        return {name: _plain(item, default) for name, item in value.items()}
    if default is None:
        raise TypeError(f"not JSON: {type(value).__name__}")
    return _plain(default(value), default)


def _read_private(path: Path) -> bytes | None:
    """The key file's bytes, or None when others could read or write it (or it is not ours)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(descriptor)
        if os.name == "posix" and (info.st_mode & 0o077 or info.st_uid != os.getuid()):
            return None
        secret = os.read(descriptor, 64)
    finally:
        os.close(descriptor)
    return secret if len(secret) == 32 else None


def user_cache(config: Config, paths: list[str]) -> Cache | None:
    """The cache in the user's cache directory for this configuration; None when EGOV_ALIGN_NO_CACHE
    is set. CacheLocationError when EGOV_ALIGN_CACHE_DIR lies in the model or its git work tree."""
    if os.environ.get("EGOV_ALIGN_NO_CACHE"):
        return None
    from egov_align import __version__

    directory = default_cache_dir()
    if os.environ.get("EGOV_ALIGN_CACHE_DIR"):
        tree = git_work_tree(Path.cwd())
        check_cache_location(directory, forbidden=[Path(p) for p in paths] + ([tree] if tree else []))
    return Cache(directory, salt=cache_salt(version=__version__, max_file_bytes=config.max_file_bytes,
                                            policies=config.policy_names))


def cache_salt(*, version: str, max_file_bytes: int, policies: tuple[str, ...] = ()) -> str:
    package = Path(__file__).parent
    fingerprint = hashlib.blake2b(digest_size=8)
    for module in ("schema.py", "loader.py", "parsing.py", "positions.py", "diagnostics.py", "names.py", "cache.py",
                   "policies.py"):
        fingerprint.update((package / module).read_bytes())
    return f"{_FORMAT}:{version}:{fingerprint.hexdigest()}:{max_file_bytes}:{','.join(sorted(policies))}"
