"""`egov-align dashboard`: start Streamlit on the dashboard that ships in the package.

Imports nothing of Streamlit's: the CLI checks its options, then replaces itself with
`python -m egov_align.dashboard.serve run …/app.py` (Streamlit's command line, and the model
loading from the start) and the settings below, which are also committed as
`.streamlit/config.toml` for `streamlit run app.py` (a test keeps the two equal).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from egov_align.upload import MAX_ZIP_BYTES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = Path(__file__).resolve().parent / "app.py"

# Government deployments: no usage statistics, no "Deploy" button, no tracebacks shown to
# visitors, and uploads no larger than the unpacker accepts. No welcome lines: on a headless
# server listening on every address (the container's), Streamlit asked checkip.amazonaws.com for
# its external address to print them; serve.py says where the server answers instead. No full
# garbage collection after every page run: over a national model's findings and tables (not
# frozen) it held the interpreter for 0.3-0.4 s after each run, delaying the page's last messages
# and the next click; the collector still runs as objects are made (docs/speed.md).
STREAMLIT_OPTIONS = {
    "browser": {"gatherUsageStats": False},
    "client": {"toolbarMode": "viewer", "showErrorDetails": "none"},
    "logger": {"hideWelcomeMessage": True},
    "runner": {"postScriptGC": False},
    "server": {"maxUploadSize": MAX_ZIP_BYTES // 1_000_000, "enableXsrfProtection": True},
    "theme": {"base": "light", "primaryColor": "#1565c0", "font": "sans-serif"},
}


class LaunchError(Exception):
    """The dashboard cannot start as asked (exit 2)."""


def streamlit_flags(options: dict = STREAMLIT_OPTIONS) -> list[str]:
    flags = []
    for section, values in options.items():
        for key, value in values.items():
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            flags += [f"--{section}.{key}", shown]
    return flags


def auth_configured(directory: Path) -> bool:
    """An `[auth]` section with what Streamlit's OpenID Connect login needs, in the secrets files."""
    for path in (directory / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if not isinstance(auth, dict) or not {"redirect_uri", "cookie_secret"} <= auth.keys():
            continue
        providers = [auth] + [v for v in auth.values() if isinstance(v, dict)]
        if any({"client_id", "client_secret", "server_metadata_url"} <= p.keys() for p in providers):
            return True
    return False


def command(*, model: str | None, port: int | None, address: str | None, allow_directories: str | None,
            require_login: bool, headless: bool) -> list[str]:
    """The argv that starts the dashboard; LaunchError when the options cannot work."""
    if model is not None and not Path(model).is_dir():
        raise LaunchError(f"--model {model}: no such directory")
    if allow_directories is not None and not Path(allow_directories).is_dir():
        raise LaunchError(f"--allow-directories {allow_directories}: no such directory")
    if port is not None and not 1 <= port <= 65535:
        raise LaunchError(f"--port {port}: use a port from 1 to 65535")
    if require_login and not auth_configured(Path.cwd()):
        raise LaunchError("--require-login: no [auth] section with redirect_uri, cookie_secret, client_id, "
                          "client_secret and server_metadata_url in .streamlit/secrets.toml; see docs/deploy.md")
    # A served dashboard does not watch its own code (`streamlit run app.py`, for whoever edits the
    # pages, still does): no threads polling the package's files beside the analysis, and no
    # "source file changed" prompt shown to a leader after an upgrade.
    argv = [sys.executable, "-m", "egov_align.dashboard.serve", "run", str(APP), *streamlit_flags(),
            "--server.fileWatcherType", "none"]
    if port is not None:
        argv += ["--server.port", str(port)]
    if address is not None:
        argv += ["--server.address", address]
    if headless:
        argv += ["--server.headless", "true"]
    app_args = []
    if model is not None:
        app_args += ["--model", os.path.abspath(model)]
    if allow_directories is not None:
        app_args += ["--allow-directories", os.path.abspath(allow_directories)]
    if require_login:
        app_args.append("--require-login")
    return argv + (["--", *app_args] if app_args else [])


def run(argv: list[str]) -> None:
    """Become the Streamlit server (signals and exit code are then Streamlit's)."""
    os.execv(argv[0], argv)
