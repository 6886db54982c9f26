"""A content-hash cache of per-file load results, like ruff's and mypy's.

An entry is keyed by the file's bytes, the tool version and the settings that change how a
file is read; a changed file simply misses. Entries are written to a temporary name and
renamed into place, and an unreadable entry is a miss, so a crash or two concurrent runs
never leave a stale or half-written entry that is believed. The cache directory holds a
`.gitignore` of `*` and never lives under the model paths.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
from pathlib import Path

_FORMAT = "1"


def default_cache_dir() -> Path:
    override = os.environ.get("EGOV_ALIGN_CACHE_DIR")
    return Path(override) if override else Path.cwd() / ".egov-align-cache"


class Cache:
    def __init__(self, directory: Path, *, salt: str) -> None:
        self.directory = directory
        self.salt = salt.encode()

    def key(self, content: bytes) -> str:
        digest = hashlib.blake2b(self.salt, digest_size=20)
        digest.update(content)
        return digest.hexdigest()

    def _path(self, key: str, suffix: str) -> Path:
        return self.directory / key[:2] / f"{key}.{suffix}"

    def get_index(self, key: str):
        try:
            return marshal.loads(self._path(key, "idx").read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def get_elements(self, key: str):
        try:
            return pickle.loads(self._path(key, "pkl").read_bytes())
        except Exception:  # any damaged entry is a miss
            return None

    def put(self, key: str, index, elements) -> None:
        try:
            self._ensure_directory()
            self._write(self._path(key, "pkl"), pickle.dumps(elements, protocol=pickle.HIGHEST_PROTOCOL))
            self._write(self._path(key, "idx"), marshal.dumps(index))
        except (OSError, ValueError):
            pass  # a cache that cannot be written is only slower

    def _ensure_directory(self) -> None:
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / ".gitignore").write_text("# written by egov-align\n*\n")
            (self.directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# egov-align cache\n")

    @staticmethod
    def _write(path: Path, payload: bytes) -> None:
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(payload)
        os.replace(temporary, path)


def cache_salt(*, version: str, max_file_bytes: int) -> str:
    package = Path(__file__).parent
    fingerprint = hashlib.blake2b(digest_size=8)
    for module in ("schema.py", "loader.py", "positions.py", "diagnostics.py", "rules/__init__.py"):
        fingerprint.update((package / module).read_bytes())
    return f"{_FORMAT}:{version}:{fingerprint.hexdigest()}:{max_file_bytes}"
