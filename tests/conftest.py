from __future__ import annotations

import io
import os
import shutil
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str, cwd: Path | None = None) -> Run:
    """egov-align in-process, as a user would run it from `cwd`."""
    from egov_align.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def write(directory: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return directory


@pytest.fixture(autouse=True)
def english_afterwards():
    """A test that switches the language (a dashboard run, a report) leaves English behind."""
    yield
    from egov_align.i18n import use

    use("en")


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    """A factory: write files into a fresh directory that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")

    def make(files: dict[str, str | bytes]) -> Path:
        return write(tmp_path, files)

    return make


@pytest.fixture(autouse=True)
def _no_cache_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-cache"))


def sample_with_a_cache(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the sample model repository in tmp_path/repo, its cache in tmp_path/cache."""
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EGOV_ALIGN_NO_CACHE", raising=False)
    repo = tmp_path / "repo"
    for part in ("models", "processes"):
        shutil.copytree(ROOT / part, repo / part)
    shutil.copy(ROOT / "egov-align.toml", repo)
    return repo


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A copy of the tiny valid model as a model repository, with a private cache directory."""
    tiny = ROOT / "tests" / "examples" / "valid" / "tiny"
    target = tmp_path / "repo"
    for source in tiny.rglob("*"):
        if source.is_file():
            destination = target / source.relative_to(tiny)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "user-cache"))
    return target


sys.path.insert(0, str(ROOT))
