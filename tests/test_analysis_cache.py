"""The cached analysis (issue 15, DESIGN 2): a warm `analyze` prints what a cold one prints, and is input too."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import run_cli, sample_with_a_cache

FORMATS = ["text", "json", "sarif", "markdown", "github"]


@pytest.fixture
def sample(tmp_path, monkeypatch):
    repo = sample_with_a_cache(tmp_path, monkeypatch)
    return repo


def _no_analysis(monkeypatch):
    """Make any real analysis fail the test: a warm run must not analyse."""
    import egov_align.analyze

    def refuse(*_args, **_kwargs):
        raise AssertionError("analysed although the cache had the result")

    monkeypatch.setattr(egov_align.analyze, "analyze", refuse)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_warm_analyze_prints_exactly_what_the_cold_one_printed(sample, monkeypatch, fmt):
    cold = run_cli("analyze", "--format", fmt, cwd=sample)
    _no_analysis(monkeypatch)  # an analysis would now be an internal error (exit 3)
    warm = run_cli("analyze", "--format", fmt, cwd=sample)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert warm.code == 1  # the sample has error findings on purpose


@pytest.mark.parametrize(("first", "then"), [(["--format", "json"], ["--format", "sarif"]),
                                             (["--format", "json"], ["--format", "text", "--lang", "sw"]),
                                             (["--format", "text", "--lang", "sw"], ["--format", "text"])])
def test_a_warm_analyze_in_another_format_or_language_is_rendered_from_the_cached_analysis(sample, monkeypatch,
                                                                                          first, then):
    expected = run_cli("analyze", "--no-cache", *then, cwd=sample)
    run_cli("analyze", *first, cwd=sample)
    _no_analysis(monkeypatch)
    warm = run_cli("analyze", *then, cwd=sample)
    assert (warm.code, warm.out, warm.err) == (expected.code, expected.out, expected.err)
    if "sw" in then:
        assert "Matokeo" in warm.out or "matokeo" in warm.out  # Kiswahili messages, not the English ones


@pytest.mark.parametrize("chunk", [1, 5, 2048])
def test_the_json_report_put_together_from_stored_chunks_is_the_reporters(sample, monkeypatch, tmp_path, chunk):
    """Cold (members written as the report is), warm (put together from them), and after a SARIF
    run stored the analysis without them: the same bytes as the reporter's, in runs of any length."""
    from egov_align import analysis_cache

    monkeypatch.setattr(analysis_cache, "CHUNK_FINDINGS", chunk)
    reference = run_cli("analyze", "--no-cache", "--format", "json", "--fail-on", "warning", cwd=sample)
    runs = [run_cli("analyze", "--format", "json", "--fail-on", "warning", cwd=sample) for _cold_then_warm in "ab"]
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "other"))
    run_cli("analyze", "--format", "sarif", cwd=sample)
    runs += [run_cli("analyze", "--format", "json", "--fail-on", "warning", cwd=sample) for _members_then_warm in "ab"]
    assert [(run.code, run.out) for run in runs] == [(reference.code, reference.out)] * 4
    assert json.loads(reference.out)["findings"]
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    assert run_cli("analyze", "--format", "json", "--fail-on", "never", cwd=sample).code == 0


def test_texts_missing_or_not_one_per_finding_are_a_miss_for_another_language(sample, tmp_path, monkeypatch):
    from egov_align import __version__, analysis_cache
    from egov_align.cache import Cache, cache_salt
    from egov_align.config import load_config

    expected = run_cli("analyze", "--no-cache", "--format", "text", "--lang", "sw", cwd=sample).out
    run_cli("analyze", "--format", "json", cwd=sample)
    config = load_config(sample)
    cache = Cache(tmp_path / "cache", salt=cache_salt(version=__version__, max_file_bytes=config.max_file_bytes,
                                                      policies=config.policy_names))
    keys = [p.stem for p in (tmp_path / "cache").rglob("*.json")]
    result_key = next(k for k in keys if analysis_cache.fetch(cache, k) is not None)
    texts_key = analysis_cache.stored_at(cache, result_key).chunks[0].texts
    assert analysis_cache.fetch(cache, result_key, texts=True) is not None
    for texts in ([], [None], "all clear", [{"t": 5, "v": []}]):
        cache.put(texts_key, texts)
        assert analysis_cache.fetch(cache, result_key, texts=True) is None
        assert analysis_cache.fetch(cache, result_key) is not None  # English needs no texts
    next((tmp_path / "cache").rglob(f"{texts_key}.json")).unlink()
    assert analysis_cache.fetch(cache, result_key, texts=True) is None
    assert run_cli("analyze", "--format", "text", "--lang", "sw", cwd=sample).out == expected


def test_an_edited_file_a_changed_configuration_or_date_is_analysed_again(sample, monkeypatch):
    first = run_cli("analyze", "--format", "json", cwd=sample)
    systems = sample / "models" / "systems.yaml"
    systems.write_text(systems.read_text().replace("users: 40\n", "users: 41\n", 1))
    calls = []
    import egov_align.analyze

    real = egov_align.analyze.analyze
    monkeypatch.setattr(egov_align.analyze, "analyze", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert run_cli("analyze", "--format", "json", cwd=sample).out == first.out  # same findings, but analysed
    (sample / "egov-align.toml").write_text("overlap-threshold = 0.9\n" + (sample / "egov-align.toml").read_text())
    assert run_cli("analyze", "--format", "json", cwd=sample).code == 1
    run_cli("analyze", "--format", "json", "--as-of", "2030-01-01", cwd=sample)
    assert len(calls) == 3
    run_cli("analyze", "--format", "json", "--as-of", "2030-01-01", cwd=sample)
    assert len(calls) == 3  # and that one is cached in its turn


def test_fail_on_changes_the_exit_code_not_the_analysis(sample, monkeypatch):
    """The workflow `init` writes analyses with `--fail-on never` for SARIF, then gates with the
    configured fail-on: one analysis, and each run's exit code its own."""
    assert run_cli("analyze", "--format", "json", "--fail-on", "never", cwd=sample).code == 0
    _no_analysis(monkeypatch)
    gate = run_cli("analyze", "--format", "json", cwd=sample)  # the same output, a different verdict
    assert gate.code == 1, "the sample has errors: the cached exit code of --fail-on never must not be reused"
    assert run_cli("analyze", "--format", "sarif", "--fail-on", "warning", cwd=sample).code == 1
    assert run_cli("analyze", "--format", "json", "--fail-on", "never", cwd=sample).code == 0


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_warm_validate_prints_exactly_what_the_cold_one_printed_even_for_an_invalid_model(sample, monkeypatch, fmt):
    (sample / "models" / "broken.yaml").write_text("systems:\n  - id: x\n    name: X\n    owner: nobody\n")
    cold = run_cli("validate", "--format", fmt, cwd=sample)
    import egov_align.loader

    monkeypatch.setattr(egov_align.loader, "load", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    warm = run_cli("validate", "--format", fmt, cwd=sample)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert warm.code == 1 and "nobody" in warm.out


def test_what_if_runs_are_never_served_from_the_cache(sample, monkeypatch):
    run_cli("analyze", cwd=sample)
    _no_analysis(monkeypatch)
    run = run_cli("analyze", "--retire", "gms", cwd=sample)
    assert run.code == 3 and "analysed although the cache had the result" in run.err


def test_a_forged_or_misshapen_entry_is_a_miss_and_the_real_result_is_printed(sample, tmp_path, monkeypatch):
    """The manifest of an analysis, its chunks' records and their JSON members: each forged is a
    miss; signed with the real key but in a shape we never write, a miss too."""
    import json

    from egov_align import analysis_cache
    from egov_align.cache import Cache

    expected = {fmt: run_cli("analyze", "--format", fmt, cwd=sample).out for fmt in ("json", "sarif")}
    cache = Cache(tmp_path / "cache", salt="unused")
    keys = [p.stem for p in (tmp_path / "cache").rglob("*.json")]
    result_key = next(k for k in keys if analysis_cache.stored_at(cache, k) is not None)
    chunk = analysis_cache.stored_at(cache, result_key).chunks[0]
    for key in (chunk.json, chunk.records, result_key):  # the members first, then the records, then the manifest
        path = next((tmp_path / "cache").rglob(f"{key}.json"))
        # the right name, but not signed with the user's key: a clean bill of health is impossible
        path.write_bytes(b"\0" * 32 + json.dumps({"chunks": [], "metrics": {}, "counts": {}, "model": {}}).encode())
        for fmt in ("json", "sarif"):
            assert run_cli("analyze", "--format", fmt, cwd=sample).out == expected[fmt]
    rest = {"metrics": {}, "counts": {}, "model": {}}
    for manifest in ({"chunks": [["a.yaml", "a.yaml", [0, 0, 0], "k", "k", "k"]], **rest},  # an empty chunk
                     {"chunks": [["b.yaml", "b.yaml", [1, 0, 0], "k", "k", "k"],
                                 ["a.yaml", "a.yaml", [1, 0, 0], "k", "k", "k"]], **rest},  # out of order
                     {"chunks": [["a.yaml", "a.yaml", [1, "0", 0], "k", "k", "k"]], **rest},
                     {"chunks": [["a.yaml", "a.yaml", [1, 0, 0], "k", "k"]], **rest},
                     {"chunks": "all clear", **rest}, [], None):
        cache.put(result_key, manifest)
        assert analysis_cache.stored_at(cache, result_key) is None
        assert run_cli("analyze", "--format", "json", cwd=sample).out == expected["json"]
    for records in ([["rule", "fatal", "m", "f", 1, 1, None, [], ""]],
                    [["rule", "error", "m", "f", "1", 1, None, [], ""]],
                    [["rule", "error", "m", "f", True, 1, None, [], ""]],
                    [["rule", "error", "m", "f", 1, 1, None, [], "", "extra"]],
                    [], "all clear", None):
        cache.put(chunk.records, records)
        assert analysis_cache.fetch(cache, result_key) is None
        assert run_cli("analyze", "--format", "sarif", cwd=sample).out == expected["sarif"]


def test_an_edited_translation_is_a_new_cache(monkeypatch, tmp_path):
    """Cached Kiswahili output must not outlive a correction of sw.po."""
    from egov_align import analysis_cache

    package = tmp_path / "egov_align"
    (package / "locale").mkdir(parents=True)
    (package / "analysis_cache.py").write_text("")
    shutil.copy(analysis_cache.Path(analysis_cache.__file__).parent / "locale" / "sw.po", package / "locale")
    monkeypatch.setattr(analysis_cache, "__file__", str(package / "analysis_cache.py"))
    before = analysis_cache._code_fingerprint()
    po = package / "locale" / "sw.po"
    po.write_text(po.read_text().replace('msgstr "sahihi"', 'msgstr "halali"'))
    assert analysis_cache._code_fingerprint() != before


def test_without_orjson_the_standard_library_writes_the_same_entries(sample, tmp_path, monkeypatch):
    """orjson writes the findings as they are (NamedTuples through a hook); the standard library writes
    every tuple as a list itself, so the cache makes the same plain values for it first."""
    from egov_align import cache as cache_module
    from egov_align.cache import Cache
    from egov_align.findings import Finding, Severity
    from egov_align.i18n import N_, SYSTEM, Count, Names, Parts, Text, json_hook

    text = Text.of(N_("{a} and {b}"), a=Names(["x", "y"], 1), b=Parts((Text.of(N_("{c}"), c=Count(2, SYSTEM)),)))
    finding = Finding("orphan-system", Severity.WARNING, "m", "f.yaml", 1, 2, "system:x", ("system:y",), "k", text)
    value = {"findings": [finding[:9]], "texts": [text, None], "n": 1.5}
    written = {}
    for name in ("orjson", "json"):
        if name == "json":
            monkeypatch.setattr(cache_module, "orjson", None)
        store = Cache(tmp_path / name, salt="test")
        store.put("k", value, default=json_hook)
        written[name] = store.get("k")
    assert written["orjson"] == written["json"] is not None
    assert written["json"]["findings"] == [["orphan-system", "warning", "m", "f.yaml", 1, 2, "system:x", ["system:y"], "k"]]
    cold = run_cli("analyze", "--format", "json", cwd=sample)
    _no_analysis(monkeypatch)
    assert run_cli("analyze", "--format", "sarif", cwd=sample).code == cold.code  # from the entry json wrote


def test_an_entry_written_in_pieces_is_stored_whole_and_one_whose_writing_failed_not_at_all(tmp_path):
    """A report is remembered piece by piece as it is printed: only a complete one is kept."""
    from egov_align.cache import Cache

    store = Cache(tmp_path / "cache", salt="test")
    with store.writing("whole") as write:
        for piece in (b"1", b'{"a":', b"[1,2]}"):
            write(piece)
    assert bytes(store.get_bytes("whole")) == b'1{"a":[1,2]}'
    with pytest.raises(KeyboardInterrupt), store.writing("cut") as write:
        write(b"1{")
        raise KeyboardInterrupt
    assert store.get_bytes("cut") is None
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_a_cache_that_cannot_be_written_only_makes_the_next_run_slower(sample, tmp_path, monkeypatch):
    not_a_folder = tmp_path / "a-file"  # root may write in a read-only folder, not under a file
    not_a_folder.write_text("")
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(not_a_folder / "cache"))
    expected = run_cli("analyze", "--no-cache", "--format", "sarif", cwd=sample)
    for _ in range(2):
        done = run_cli("analyze", "--format", "sarif", cwd=sample)
        assert (done.code, done.out, done.err) == (expected.code, expected.out, expected.err)
