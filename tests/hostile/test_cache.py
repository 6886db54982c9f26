"""A pull request that commits a crafted cache entry can neither run code nor change a result."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import stat

import pytest

from egov_align import __version__
from egov_align.cache import Cache, cache_salt
from tests.hostile.runner import egov, snapshot

pytestmark = pytest.mark.timeout(60)

BROKEN = b"institutions:\n  - {id: tra, nme: TRA}\n"


class _Exploit:
    """Unpickling this would create the marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _entry_key(content: bytes) -> str:
    return Cache(None, salt=cache_salt(version=__version__, max_file_bytes=5_000_000)).key(content)  # type: ignore[arg-type]


def _forged_index() -> dict:
    """What a clean file's entry looks like: no problems, one institution defined."""
    return {"problems": [], "defs": [["institution", "tra", 2, 5]], "refs": [],
            "elements": {"institutions": [{"id": "tra", "name": "TRA"}]}}


def test_a_pickle_planted_in_the_working_tree_is_never_read(repo, tmp_path):
    marker = tmp_path / "pwned"
    (repo / "models" / "broken.yaml").write_bytes(BROKEN)
    key = _entry_key(BROKEN)
    old_cache = repo / ".egov-align-cache" / key[:2]
    old_cache.mkdir(parents=True)
    (old_cache / f"{key}.pkl").write_bytes(pickle.dumps(_Exploit(str(marker))))
    (old_cache / f"{key}.idx").write_bytes(b"\x00forged")
    before = snapshot(repo)
    run = egov("validate", cwd=repo)
    assert run.code == 1 and "unknown field `nme`" in run.out
    assert not marker.exists()
    assert snapshot(repo) == before


def test_a_forged_entry_in_the_cache_directory_changes_nothing(repo, tmp_path):
    """Right key, forged content that says the broken file is clean: the MAC fails, it is a miss."""
    cache_dir = tmp_path / "user-cache"
    (repo / "models" / "broken.yaml").write_bytes(BROKEN)
    assert egov("validate", cwd=repo).code == 1  # creates the key and a genuine entry
    key = _entry_key(BROKEN)
    entry = cache_dir / key[:2] / f"{key}.json"
    assert entry.exists()
    entry.write_bytes(b"\x00" * 32 + json.dumps(_forged_index()).encode())
    run = egov("validate", cwd=repo)
    assert run.code == 1 and "unknown field `nme`" in run.out


def test_an_entry_moved_to_another_key_is_rejected(repo, tmp_path):
    cache_dir = tmp_path / "user-cache"
    clean = b"institutions:\n  - {id: tra, name: TRA}\n"
    (repo / "models" / "broken.yaml").write_bytes(clean)
    assert egov("validate", cwd=repo).code == 0
    genuine = (cache_dir / _entry_key(clean)[:2] / f"{_entry_key(clean)}.json").read_bytes()
    (repo / "models" / "broken.yaml").write_bytes(BROKEN)
    target = cache_dir / _entry_key(BROKEN)[:2] / f"{_entry_key(BROKEN)}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(genuine)
    run = egov("validate", cwd=repo)
    assert run.code == 1 and "unknown field `nme`" in run.out


def test_an_authentic_entry_of_the_wrong_shape_is_a_miss_not_a_crash(repo, tmp_path):
    """Even with the user's own key (a bug, an old version), the shape is checked on read."""
    cache_dir = tmp_path / "user-cache"
    (repo / "models" / "broken.yaml").write_bytes(BROKEN)
    assert egov("validate", cwd=repo).code == 1
    secret = (cache_dir / "hmac-key").read_bytes()
    key = _entry_key(BROKEN)
    clean = {"problems": [], "defs": [], "refs": [], "names": [], "loose": [], "unsure": [], "elements": {}}
    for shape in ({"problems": "x"}, [1, 2], {**clean, "defs": [[1, 2]]},
                  {**clean, "problems": [["schema", "m", "1", 1]]},
                  {**clean, "elements": {"systems": [{"id": 7}]}},
                  {**clean, "defs": [["system", "s", True, 1]]},
                  {**clean, "defs": {"system": "s"}},
                  {**clean, "refs": [["system", 5, 1, 1, "owner"]]},
                  {**clean, "refs": [["system", "s", 1, 1]]},
                  {**clean, "refs": "system"},
                  {**clean, "names": [["institution", "TRA", 7]]},
                  {**clean, "names": [["institution", "TRA"]]},
                  {**clean, "loose": [["institution", "Ministry of Finance", 1, 1, None]]},
                  {**clean, "loose": {"institution": "x"}}):
        payload = json.dumps(shape).encode()
        mac = hmac.new(secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()
        (cache_dir / key[:2] / f"{key}.json").write_bytes(mac + payload)
        run = egov("analyze", cwd=repo)
        assert run.code == 1 and "unknown field `nme`" in run.out and "Traceback" not in run.err


def test_the_key_is_private_and_a_readable_key_disables_the_cache(repo, tmp_path):
    cache_dir = tmp_path / "user-cache"
    assert egov("validate", cwd=repo).code == 0
    key_file = cache_dir / "hmac-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.chmod(0o644)  # anyone could forge entries now: do not believe any
    (repo / "models" / "broken.yaml").write_bytes(BROKEN)
    assert egov("validate", cwd=repo).code == 1


def test_no_cache_is_written_in_the_working_tree_by_default(repo, tmp_path):
    env = {"EGOV_ALIGN_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert egov("validate", cwd=repo, env=env).code == 0
    assert not (repo / ".egov-align-cache").exists()
    assert (tmp_path / "xdg" / "egov-align" / "hmac-key").exists()


@pytest.mark.parametrize("place", ["models/cache", "."])
def test_a_cache_directory_inside_the_model_or_work_tree_is_refused(repo, place):
    (repo / ".git").mkdir()
    run = egov("validate", cwd=repo, env={"EGOV_ALIGN_CACHE_DIR": str(repo / place)})
    assert run.code == 2 and "EGOV_ALIGN_CACHE_DIR" in run.one_line
