"""egov-align history (DESIGN 10): the metrics at each commit that changed the model, from git objects."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.timeout(300)


def git(directory: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=directory, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("history") / "repo"
    subprocess.run([sys.executable, str(ROOT / "examples" / "history" / "build.py"), str(directory)], check=True,
                   capture_output=True)
    return directory


def _state(directory: Path) -> dict:
    return {p.relative_to(directory).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in directory.rglob("*") if p.is_file() and ".git" not in p.parts}


def test_a_year_of_commits_oldest_first_with_the_broken_one_shown_invalid(year, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    before = _state(year)
    run = run_cli("history", cwd=year)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "Model history: 13 commits that changed the model, oldest first"
    rows = lines[2:15]
    assert rows[0].startswith("2025-12-01") and rows[0].endswith("Inventory as the ministries reported it")
    assert rows[-1].startswith("2026-11-02")
    assert "invalid: 1 diagnostics" in rows[4] and rows[4].endswith("Register moved to RITA's agency")
    assert lines[15].startswith("Since 2025-12-01: alignment +3 points,")
    assert "findings 75 -> 65" in lines[15]
    assert _state(year) == before and git(year, "status", "--porcelain") == ""  # the working tree untouched


def test_json_and_csv_and_the_window(year, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    document = json.loads(run_cli("history", "--format", "json", cwd=year).out)
    points = document["commits"]
    assert len(points) == 13 and document["shallow"] is False
    assert points[0]["metrics"]["redundant_spend"] > points[-1]["metrics"]["redundant_spend"]
    assert points[4]["valid"] is False and points[4]["metrics"] == {}
    rows = list(csv.DictReader(io.StringIO(run_cli("history", "--format", "csv", "--max", "3", cwd=year).out)))
    assert [r["subject"] for r in rows][-1].startswith("Integration ors-to-business-portal")
    assert len(rows) == 3 and rows[0]["alignment"]
    since = json.loads(run_cli("history", "--format", "json", "--since", points[10]["commit"], cwd=year).out)
    assert [p["commit"] for p in since["commits"]] == [p["commit"] for p in points[11:]]


def test_outside_git_or_with_a_bad_revision_is_a_usage_error(year, tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.yaml").write_text("institutions: []\n")
    run = run_cli("history", cwd=tmp_path)
    assert run.code == 2 and "history:" in run.err
    run = run_cli("history", "--since", "no-such-tag", cwd=year)
    assert run.code == 2 and "--since no-such-tag: no such revision" in run.err


def test_a_shallow_clone_and_a_merge(year, tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{year}", str(shallow)], check=True)
    run = run_cli("history", cwd=shallow)
    assert run.code == 0 and "Model history: 3 commits" in run.out
    assert "This is a shallow clone" in run.out
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(year), str(work)], check=True)
    git(work, "checkout", "-q", "-b", "feature")
    systems = work / "models" / "systems.yaml"
    systems.write_text(systems.read_text().replace("users: 40", "users: 45", 1))
    git(work, "commit", "-qam", "More GovESB operators")
    git(work, "checkout", "-q", "main")
    git(work, "merge", "-q", "--no-ff", "-m", "Merge the operators change", "feature")
    out = run_cli("history", "--max", "2", cwd=work).out
    assert "Merge the operators change" in out and "More GovESB operators" not in out  # first parents: once


def test_commit_subjects_are_untrusted_text(year, tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(year), str(work)], check=True)
    systems = work / "models" / "systems.yaml"
    systems.write_text(systems.read_text().replace("users: 40", "users: 46", 1))
    git(work, "commit", "-qam", "=HYPERLINK(\"http://evil.example\") \x1b]0;owned\x07")
    text = run_cli("history", "--max", "1", cwd=work).out
    assert "\x1b" not in text and "\\x1b" in text
    row = list(csv.DictReader(io.StringIO(run_cli("history", "--format", "csv", "--max", "1", cwd=work).out)))[0]
    assert row["subject"].startswith("'=HYPERLINK")


def _headings(app) -> list[str]:
    return [h.value for h in app.subheader]


def _until_the_trend_shows(app, seconds: float = 60) -> None:
    """Draw the page again until the history, read in the background, is on it."""
    deadline = time.perf_counter() + seconds
    while "Over time" not in _headings(app) or not app.get("vega_lite_chart"):
        assert time.perf_counter() < deadline, "the trend never appeared"
        time.sleep(0.2)
        app.run()
        assert not app.exception, app.exception


def test_the_dashboard_overview_shows_the_trend_of_a_model_in_git(year, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(sys, "argv", ["app.py", "--model", str(year)])
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    _until_the_trend_shows(app)
    assert any("The last 13 commits that changed the model" in c.value and "1 of them did not validate" in c.value
               for c in app.caption)
    assert len(app.get("vega_lite_chart")) == 2


def test_the_overview_does_not_wait_for_the_history(year, tmp_path, monkeypatch):
    """The history analyses the model at each of the last 50 commits: minutes at national scale,
    which the first leader to open the overview waited for. It is read in the background and
    drawn when ready; the page says meanwhile that it is coming."""
    import threading

    from streamlit.testing.v1 import AppTest

    from egov_align import history as history_module

    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(year), str(work)], check=True)
    release = threading.Event()
    read = history_module.trend_in_child

    def slow_history(*args, **kwargs):
        release.wait(20)
        return read(*args, **kwargs)

    monkeypatch.setattr(history_module, "trend_in_child", slow_history)
    monkeypatch.setattr(sys, "argv", ["app.py", "--model", str(work)])
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    started = time.perf_counter()
    app.run()
    assert not app.exception, app.exception
    assert time.perf_counter() - started < 15  # not held up by the history
    assert "Least aligned institutions" in _headings(app)
    assert any("Reading the model's git history" in c.value for c in app.caption)
    assert not app.get("vega_lite_chart")
    release.set()
    _until_the_trend_shows(app)
    assert any("The last 13 commits that changed the model" in c.value for c in app.caption)
    assert len(app.get("vega_lite_chart")) == 2


def test_a_history_that_cannot_be_read_leaves_the_overview_without_a_trend(year, tmp_path, monkeypatch, capfd):
    from streamlit.testing.v1 import AppTest

    from egov_align import history as history_module

    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(year), str(work)], check=True)

    def broken(*args, **kwargs):
        raise RuntimeError("reading the model's history ended with exit code -9")

    monkeypatch.setattr(history_module, "trend_in_child", broken)
    monkeypatch.setattr(sys, "argv", ["app.py", "--model", str(work)])
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    deadline = time.perf_counter() + 30
    while any("Reading the model's git history" in c.value for c in app.caption):
        assert time.perf_counter() < deadline
        time.sleep(0.2)
        app.run()
    assert not app.exception, app.exception
    assert "Over time" not in _headings(app) and "Least aligned institutions" in _headings(app)
    assert "the trend over the model's git history could not be read: reading the model's history ended with " \
        "exit code -9" in capfd.readouterr().err


def _trend_while(year: Path, stop) -> dict:
    """trend_in_child for the year's model, with `stop` done to its process once it runs."""
    import multiprocessing
    import threading

    from egov_align.dashboard.server_model import repository
    from egov_align.history import trend_in_child

    config, paths, _found = repository(year)
    outcome = {}

    def read():
        try:
            outcome["rows"] = trend_in_child(paths, config, cwd=year, limit=50)
        except RuntimeError as error:
            outcome["error"] = str(error)

    reading = threading.Thread(target=read)
    reading.start()
    deadline = time.perf_counter() + 30
    while stop is not None and reading.is_alive():
        children = [c for c in multiprocessing.active_children() if c.name == "egov-align-history"]
        if children:
            stop(children[0])
            break
        assert time.perf_counter() < deadline
        time.sleep(0.01)
    reading.join(60)
    return outcome


def test_the_trend_worked_out_in_its_own_process(year):
    from egov_align.dashboard.server_model import repository
    from egov_align.history import trend_rows

    config, paths, _found = repository(year)
    rows = _trend_while(year, None)["rows"]
    assert rows == trend_rows(paths, config, cwd=year, limit=50) and len(rows) == 13
    assert _trend_while(year, lambda child: child.terminate()) == {"rows": None}  # stopped with the server: quiet
    assert _trend_while(year, lambda child: child.kill()) == {
        "error": "reading the model's history ended with exit code -9"}


def test_points_come_from_the_cache_the_second_time_and_a_bad_entry_is_a_miss(year, tmp_path, monkeypatch):
    """At national scale each commit is a whole analysis (seconds): one analysed today, under the
    same configuration and version, is not analysed again; the per-file cache serves the files."""
    from egov_align import history as history_module
    from egov_align.cache import user_cache
    from egov_align.dashboard.server_model import repository

    monkeypatch.delenv("EGOV_ALIGN_NO_CACHE", raising=False)
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    config, paths, _found = repository(year)
    cache = user_cache(config, paths)
    analysed = []
    analyse = history_module._analysed_point
    monkeypatch.setattr(history_module, "_analysed_point", lambda *a: analysed.append(1) or analyse(*a))

    def records(**kwargs):
        return [p.as_record() for p in history_module.history(paths, config, cwd=year, jobs=1, **kwargs).points]

    reference = records()
    assert len(analysed) == 13
    assert records(cache=cache) == reference
    once = len(analysed)  # 25, not 26: two commits of the year hold the same model files
    assert 13 < once <= 26
    assert records(cache=cache) == reference and len(analysed) == once  # all thirteen from the cache
    elsewhere = history_module.history([str(year / p) for p in paths], config, cwd=year.parent, jobs=1, cache=cache)
    assert [p.as_record() for p in elsewhere.points] == reference and len(analysed) == once  # named from the top
    blobs = history_module.BlobReader(year)
    try:
        sources = history_module.sources_of(reference[-1]["commit"], ["models", "processes"], year, year, blobs)
    finally:
        blobs.close()
    key = history_module._point_key(cache, sources, config, year, year)
    for planted in ({"valid": "yes", "files": 14}, {"valid": True, "files": 14, "findings": {"error": "13"}},
                    {"valid": True, "files": 14, "metrics": {"alignment": "80%"}}, {"valid": True, "shell": "rm"},
                    [1, 2]):
        cache.put(key, planted)  # with the right MAC: written by us, but not in the shape we write
        assert records(cache=cache) == reference
    assert len(analysed) == once + 5


def test_the_cli_history_is_the_same_with_and_without_the_cache(year, tmp_path, monkeypatch):
    monkeypatch.delenv("EGOV_ALIGN_NO_CACHE", raising=False)
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    uncached = run_cli("history", "--format", "json", "--no-cache", cwd=year)
    assert uncached.code == 0 and not (tmp_path / "cache").exists()
    first, again = (run_cli("history", "--format", "json", cwd=year) for _ in range(2))
    assert first.out == again.out == uncached.out and (tmp_path / "cache").is_dir()


def test_the_trend_puts_each_commit_at_its_own_time_not_a_day_shared_with_others():
    """Commits on one day drew a vertical line at that day (the sample's own history did)."""
    from egov_align.views import trend_chart

    rows = [{"date": "2026-11-28T21:03:30+00:00", "alignment": 0.7, "errors": 3},
            {"date": "2026-11-30T09:00:00+03:00", "alignment": 0.75, "errors": 2},
            {"date": "2026-11-30T17:45:10+03:00", "alignment": 0.8, "errors": 1}]
    data, spec = trend_chart(rows, {"alignment": "uwiano", "errors": "makosa"}, when="tarehe")
    moments = [point["tarehe"] for point in data if point["series"] == "uwiano"]
    assert len(set(moments)) == 3 and moments == sorted(moments)
    assert [point["value"] for point in data if point["series"] == "makosa"] == [3, 2, 1]
    assert spec["encoding"]["x"] | {"axis": None} == {"field": "tarehe", "type": "temporal", "title": "tarehe",
                                                      "axis": None}
    assert spec["encoding"]["x"]["axis"]["format"] == "%Y-%m-%d", "dates as numbers, in every language"
    assert spec["encoding"]["x"]["axis"]["tickCount"] == {"interval": "day", "step": 1}, "each day labelled once"
    a_year = [{**rows[0], "date": "2025-12-01T10:00:00+03:00"}, rows[2]]
    assert trend_chart(a_year, {"errors": "errors"}, when="date")[1]["encoding"]["x"]["axis"]["tickCount"] == {
        "interval": "month", "step": 1}


def test_the_dashboard_trend_has_a_time_axis(year, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(sys, "argv", ["app.py", "--model", str(year)])
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    _until_the_trend_shows(app)
    charts = app.get("vega_lite_chart")
    assert len(charts) == 2
    for chart in charts:
        assert json.loads(chart.proto.spec)["encoding"]["x"]["type"] == "temporal"
