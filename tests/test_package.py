"""egov-align as a user installs it: a wheel that carries the dashboard, started by `egov-align dashboard`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
import tomllib
from conftest import ROOT

from egov_align.dashboard.launch import STREAMLIT_OPTIONS, LaunchError, command, streamlit_flags
from tests.hostile.runner import egov

pytestmark = pytest.mark.timeout(600)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else "exited"
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the dashboard did not become healthy")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    [built] = out.glob("egov_align-*.whl")
    return built


def test_the_wheel_carries_the_dashboard_and_the_init_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for page in ("app.py", "common.py", "overview.py", "processes.py", "landscape.py", "integrations.py",
                 "findings.py", "what_if.py", "launch.py", "serve.py"):
        assert f"egov_align/dashboard/{page}" in names
    assert "egov_align/templates/init/egov-align.toml" in names


def test_the_installed_wheel_serves_the_dashboard(wheel, tmp_path):
    """A fresh virtual environment, the wheel and its dependencies, then `egov-align dashboard`."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "uv"], check=True)
        uv = str(Path(sys.executable).parent / "uv")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "-p", sys.executable, str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "--quiet", str(wheel)], check=True, env={**os.environ, "VIRTUAL_ENV": str(venv)})
    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", tmp_path / "model")
    port = _free_port()
    process = subprocess.Popen([str(venv / "bin" / "egov-align"), "dashboard", "--port", str(port), "--headless",
                                "--address", "127.0.0.1"], cwd=tmp_path / "model", stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            assert b"<title>Streamlit</title>" in answer.read() or answer.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def test_the_committed_streamlit_config_matches_what_the_command_passes():
    committed = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert committed == STREAMLIT_OPTIONS
    assert committed["browser"]["gatherUsageStats"] is False and committed["client"]["toolbarMode"] == "viewer"
    flags = streamlit_flags()
    assert flags[flags.index("--server.maxUploadSize") + 1] == "20"


def test_the_command_passes_the_model_and_the_settings(tmp_path):
    argv = command(model=str(tmp_path), port=8600, address="127.0.0.1", allow_directories=None,
                   require_login=False, headless=True)
    assert argv[1:4] == ["-m", "egov_align.dashboard.serve", "run"] and argv[4].endswith("egov_align/dashboard/app.py")
    assert argv[argv.index("--server.port") + 1] == "8600" and argv[-2:] == ["--model", str(tmp_path)]
    assert argv[argv.index("--server.fileWatcherType") + 1] == "none"  # served, not edited


def _server_says(model: Path, words: str, seconds: float = 120, *, address: str = "127.0.0.1",
                 env: dict | None = None) -> list[str]:
    """Start the server as `egov-align dashboard --model MODEL` would, and return egov-align's lines
    of its log up to the one that contains `words`, with the server answering by then."""
    import queue
    import threading

    port = _free_port()
    argv = command(model=str(model), port=port, address=address, allow_directories=None, require_login=False,
                   headless=True)
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True)
    reader.start()
    said = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                assert process.poll() is None, "the server exited"
                continue
            assert "Traceback" not in line and "missing ScriptRunContext" not in line, line
            if line.startswith("egov-align: "):
                said.append(line)
            if words in line:
                _wait_healthy(f"http://127.0.0.1:{port}", process)
                return said
        raise AssertionError(f"the server never said {words!r}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=10)  # the pipe ends with the server
        process.stderr.close()


def test_the_server_has_its_model_analysed_before_anyone_opens_a_page(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", model)
    said = _server_says(model, "the model is analysed and ready")
    assert "reading the model (" in said[0] and "files) before the server starts" in said[0]
    assert "files" in said[-1] and "s after starting" in said[-1]


def test_the_server_log_is_in_the_language_of_its_model(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", model)
    (model / "egov-align.toml").write_text('lang = "sw"\n')
    said = _server_says(model, "modeli imechambuliwa na iko tayari")
    assert "inasoma modeli (faili " in said[0] and "kabla seva haijaanza" in said[0]
    assert "tangu kuanza" in said[-1]


def test_a_server_on_an_invalid_model_says_so_and_still_serves(tmp_path):
    shutil.copytree(ROOT / "tests" / "examples" / "invalid" / "broken", tmp_path / "model")
    assert "problems); the dashboard lists them" in _server_says(tmp_path / "model", "does not validate")[-1]


@pytest.mark.parametrize("options, words", [
    (dict(model="/no/such/dir"), "--model /no/such/dir: no such directory"),
    (dict(port=70000), "--port 70000"),
    (dict(require_login=True), "--require-login: no [auth] section"),
])
def test_the_command_refuses_what_cannot_work(tmp_path, monkeypatch, options, words):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = dict(model=None, port=None, address=None, allow_directories=None, require_login=False, headless=True)
    with pytest.raises(LaunchError, match=words.replace("[", r"\[")):
        command(**{**settings, **options})


def test_require_login_starts_only_with_an_auth_configuration(tmp_path, monkeypatch):
    run = egov("dashboard", "--require-login", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert run.code == 2 and "no [auth] section" in run.one_line
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[auth]\nredirect_uri = "https://dash.example.go.tz/oauth2callback"\ncookie_secret = "s3cret"\n'
        'client_id = "egov-align"\nclient_secret = "x"\n'
        'server_metadata_url = "https://id.example.go.tz/realms/gov/.well-known/openid-configuration"\n')
    monkeypatch.chdir(tmp_path)
    argv = command(model=None, port=None, address=None, allow_directories=None, require_login=True, headless=True)
    assert argv[-1] == "--require-login"


def test_make_run_starts_the_dashboard_command():
    assert "egov-align dashboard" in (ROOT / "Makefile").read_text().split("run: $(STAMP)", 1)[1].split("\n\n")[0]


def _dockerfile() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    logical = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in logical.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, rest = line.strip().partition(" ")
            found.setdefault(instruction.upper(), []).append(rest.strip())
    return found


def test_the_container_is_slim_non_root_and_checks_its_health():
    docker = _dockerfile()
    assert docker["FROM"] == ["python:3.12-slim"]
    assert any("graphviz" in run for run in docker["RUN"])
    assert docker["USER"] == ["egov"]
    assert "/_stcore/health" in docker["HEALTHCHECK"][0]


@pytest.mark.timeout(180)
def test_a_headless_server_on_every_address_asks_no_one_for_its_external_address(tmp_path):
    """The container's command (headless, every address): Streamlit's welcome lines asked
    checkip.amazonaws.com for the server's external address at every start, from a government
    server, holding up its event loop for up to 2 s (10 s with Streamlit 1.56) where that cannot be
    reached. The server says itself where it answers; any request for that address would reach
    this proxy."""
    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", tmp_path / "model")
    with socket.socket() as proxy:
        proxy.bind(("127.0.0.1", 0))
        proxy.listen()
        proxy.setblocking(False)
        via = f"http://127.0.0.1:{proxy.getsockname()[1]}"
        env = {**os.environ, "HTTP_PROXY": via, "HTTPS_PROXY": via, "http_proxy": via, "https_proxy": via,
               "NO_PROXY": "", "no_proxy": ""}
        said = _server_says(tmp_path / "model", "the model is analysed and ready", address="0.0.0.0", env=env)
        time.sleep(1)  # Streamlit asked right after it began to answer
        try:
            proxy.accept()[0].close()
            asked = True
        except BlockingIOError:
            asked = False
    assert not asked, "the server asked someone for its external address"
    assert any("the dashboard answers at http://localhost:" in line for line in said), said


def test_the_containers_start_command_serves_the_dashboard_outside_a_container(tmp_path):
    """No container registry is reachable here, so the image's ENTRYPOINT is run as it is, on a copy of a model."""
    import json as json_module

    entrypoint = json_module.loads(_dockerfile()["ENTRYPOINT"][0])
    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", tmp_path / "model")
    port = _free_port()
    argv = [str(Path(sys.executable).parent / entrypoint[0]), *entrypoint[1:]]
    argv[argv.index("/model")] = str(tmp_path / "model")
    argv[argv.index("8501")] = str(port)
    argv[argv.index("0.0.0.0")] = "127.0.0.1"
    process = subprocess.Popen(argv, cwd=tmp_path / "model", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
