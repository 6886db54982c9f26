"""One real-browser test: `streamlit run app.py` headless, driven in Debian's Chromium.

Chromium's own --screenshot often captures a blank Streamlit page, so Playwright drives
the browser over the DevTools protocol and waits for the elements it checks.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("streamlit") / "streamlit.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start within 60 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _commits_that_changed_the_sample() -> int:
    """None in a copy outside git; in a shallow clone, as many as it holds."""
    counted = subprocess.run(["git", "rev-list", "--count", "--first-parent", "HEAD", "--", "models", "processes"],
                             cwd=ROOT, capture_output=True, text=True, check=False)
    return int(counted.stdout) if counted.returncode == 0 and counted.stdout.strip().isdigit() else 0


# Streamlit shows a metric's label and value, and a page link, on one line, cut off with an
# ellipsis when the column is too narrow: what a leader would read as "bilioni 1.87 …".
CUT_OFF = """() => [...document.querySelectorAll('[data-testid="stMetric"] [data-testid="stMarkdownContainer"], '
                                        + '[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"]')]
    .filter(element => element.scrollWidth > element.clientWidth + 1).map(element => element.textContent.trim())"""


def _metrics_showing(page, *values: str, timeout: int = 60_000) -> str:
    """The overview is drawn once more when the git trend has been read, its tiles replaced one by
    one: wait until the tiles show the values, rather than read them once mid-way."""
    from playwright.sync_api import TimeoutError as NotShown

    try:
        page.wait_for_function(
            """values => { const shown = [...document.querySelectorAll('[data-testid="stMetric"]')]
                                            .map(tile => tile.innerText).join(' | ');
                             return values.every(value => shown.includes(value)); }""",
            arg=list(values), timeout=timeout)
    except NotShown:
        pass  # the assertion below says what was shown instead
    texts = " | ".join(page.locator('[data-testid="stMetric"]').all_inner_texts())
    assert all(value in texts for value in values), (values, texts)
    return texts


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_overview_and_a_process_page_in_chromium(dashboard_url):
    from playwright.sync_api import sync_playwright

    expected = json.loads(run_cli("analyze", "models", "processes", "--format", "json", "--no-cache", cwd=ROOT).out)
    alignment = f"{expected['metrics']['alignment']:.0%}"
    coverage = f"{expected['metrics']['integration_coverage']:.0%}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(dashboard_url)
        page.get_by_text("Alignment", exact=True).first.wait_for(timeout=60_000)
        _metrics_showing(page, alignment, coverage, str(expected["summary"]["systems"]))
        page.get_by_text("Least aligned institutions").wait_for(timeout=30_000)
        page.locator('[data-testid="stDataFrame"]').nth(2).wait_for(timeout=30_000)  # by rule, processes, institutions
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(CUT_OFF) == []
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)

        page.get_by_role("link", name="Processes").first.click()
        page.get_by_text("Steps and what to do").wait_for(timeout=60_000)
        page.locator('[data-testid="stImage"] img, [data-testid="stGraphVizChart"] svg').first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "process.png"), full_page=True)

        page.get_by_role("link", name="Coordination").first.click()
        page.get_by_text("Coordination between institutions").wait_for(timeout=60_000)
        page.locator('[data-testid="stImage"] img, [data-testid="stGraphVizChart"] svg').first.wait_for(timeout=60_000)
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
        _metrics_showing(page, f"{expected['metrics']['coordination']:.0%}")
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "coordination.png"), full_page=True)

        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Kiswahili").click()
        page.get_by_text("Uratibu kati ya taasisi").wait_for(timeout=60_000)
        page.get_by_role("link", name="Muhtasari").first.click()
        page.get_by_text("Viwango na uratibu").wait_for(timeout=60_000)
        _metrics_showing(page, alignment)
        assert page.evaluate(CUT_OFF) == []  # Kiswahili's labels are longer than English's
        if _commits_that_changed_the_sample() >= 2:  # the trend, read in the background, drawn when ready
            page.get_by_text("yaliyobadilisha modeli (git)").wait_for(timeout=120_000)
            page.locator(".vega-embed").nth(1).wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "overview-sw.png"), full_page=True)
        browser.close()
