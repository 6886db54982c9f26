"""Kiswahili and English (DESIGN 10): the catalog is complete, its templates fit, and every
surface a person reads follows --lang / lang / EGOV_ALIGN_LANG while machine output stays English."""

from __future__ import annotations

import json
import re
import string

import pytest
from conftest import ROOT, run_cli

from egov_align import i18n
from egov_align.i18n import Count, Names, Noun, Parts, Text
from egov_align.locale.catalog import extracted, read


@pytest.fixture(scope="module")
def catalog():
    return read()


def _fields(template: str) -> list[str]:
    return sorted(name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name)


def test_the_catalog_has_every_message_of_the_code_and_no_other(catalog):
    in_code = set(extracted())
    in_catalog = {message.id for message in catalog if message.id}
    assert not in_code - in_catalog, f"run `python -m egov_align.locale.catalog`: {sorted(in_code - in_catalog)[:5]}"
    assert not in_catalog - in_code, f"no longer used: {sorted(in_catalog - in_code)[:5]}"


def test_every_message_has_a_kiswahili_translation(catalog):
    untranslated = [message.id for message in catalog if message.id and (
        message.fuzzy or not (message.string if isinstance(message.string, str) else all(message.string)))]
    assert untranslated == []


def _entries(catalog):
    """(English forms, Kiswahili forms) of every message: one of each, or singular and plural."""
    for message in catalog:
        if message.id:
            yield (message.id if isinstance(message.id, tuple) else (message.id,),
                   message.string if isinstance(message.string, tuple) else (message.string,))


def test_a_translation_has_exactly_the_fields_of_its_template(catalog):
    for ids, strings in _entries(catalog):
        for translation in strings:
            assert _fields(translation) == _fields(ids[-1]), (ids, translation)


def test_the_glossary_is_used_consistently(catalog):
    """docs/glossary.md: the same English word, the same Kiswahili word; uwiano, never ulinganifu."""
    terms = {r"\balignment\b": "uwiano", r"\binstitutions?\b": "taasisi", r"\bvendor\b": "mzabuni",
             r"\bcoordination\b": "uratibu", r"\bredundant spend\b": "gharama zisizo za lazima"}
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        words = re.sub(r"\{[^}]*\}|`[^`]*`", "", message.id)  # fields and model terms are not translated
        for english, kiswahili in terms.items():
            if re.search(english, words, re.IGNORECASE):
                assert kiswahili in message.string.lower(), (message.id, message.string)
        assert "ulinganifu" not in message.string
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for kiswahili in terms.values():
        assert kiswahili in glossary


def test_plural_words_put_the_number_after_the_noun():
    assert i18n.count(1, i18n.SYSTEM, "sw") == "mfumo 1"
    assert i18n.count(1_234, i18n.SYSTEM, "sw") == "mifumo 1,234"
    assert i18n.count(3, i18n.SYSTEM, "en") == "3 systems"
    assert i18n.count(1, i18n.PROCESS, "en") == "1 process"


def test_a_message_is_rendered_in_either_language_from_one_template():
    text = Text.of(i18n.N_("'{name}' is provided by {count} systems in service ({providers}) owned by {owners}. "
                           "Consider consolidating onto one, e.g. `{keep}`{planned}"),
                   name="Payments", count=2, providers=Names(["gepg", "lrms"]), owners=Count(2, i18n.INSTITUTION),
                   keep="gepg", planned="")
    assert text.render("en") == ("'Payments' is provided by 2 systems in service (`gepg`, `lrms`) owned by "
                                 "2 institutions. Consider consolidating onto one, e.g. `gepg`")
    assert text.render("sw") == ("'Payments' inatolewa na mifumo 2 inayotumika (`gepg`, `lrms`) inayomilikiwa na "
                                 "taasisi 2. Fikiria kuunganisha kwenye mfumo mmoja, kwa mfano `gepg`")
    assert i18n.names([f"s{i}" for i in range(7)], 5, "sw").endswith("`s4` na 2 zaidi")


def test_model_text_with_braces_is_never_taken_for_a_field():
    text = Text.of(i18n.N_("service '{name}' is offered only through {channels}; add a digital channel (web, "
                           "mobile, ussd, sms or kiosk)"), name="{0} {name!r} }{", channels="counter")
    assert "'{0} {name!r} }{'" in text.render("sw") and "'{0} {name!r} }{'" in text.render("en")


def test_texts_survive_the_cache_as_plain_json_and_forgeries_are_refused():
    text = Text.of(i18n.N_("{summary} ({found})"), summary=Text.of(i18n.N_("{kind} must meet the policy {name}"),
                                                                   kind="systems", name="hosting"),
                   found=Parts((Text.of(i18n.N_("`{path}` is not set"), path="hosting"),)))
    encoded = json.loads(json.dumps(i18n.to_json(text)))
    assert i18n.from_json(encoded) == text and i18n.from_json(encoded).render("sw") == text.render("sw")
    assert i18n.from_json({"n": ["a", "b"], "l": 1}) == Names(["a", "b"], 1)
    written = i18n.Written((("en", "run it here"), ("sw", "iendeshwe hapa")))
    assert i18n.from_json(json.loads(json.dumps(i18n.to_json(written)))) == written
    assert i18n.from_json({"c": 3, "s": "{n} x", "p": "{n} xs"}) == Count(3, Noun("{n} x", "{n} xs"))
    for forged in ({"t": "{a}{b}", "v": ["only one"]}, {"t": 5, "v": []}, {"n": [1], "l": 5}, {"q": 1},
                   {"c": "3", "s": "", "p": ""}, {"w": []}, {"w": [["sw", "x"]]}, {"w": [["en", 1]]},
                   {"w": [["en", "x"], ["fr", "y"]]}, {"w": 5}):
        with pytest.raises((TypeError, KeyError)):
            i18n.from_json(forged)


def test_orjson_with_the_hook_writes_exactly_what_to_json_gives_for_every_text_of_the_sample():
    """The analysis cache writes the findings' Texts with orjson and json_hook; to_json is the
    reference (and what the standard library writes when orjson is missing)."""
    orjson = pytest.importorskip("orjson")
    from egov_align.analyze import analyze
    from egov_align.config import load_config
    from egov_align.loader import load_paths

    loaded = load_paths([ROOT / "models", ROOT / "processes"], config=load_config(ROOT))
    texts = [f.text for f in analyze(loaded.model, config=load_config(ROOT)).findings]
    texts.append(Text.of(i18n.N_("{summary} ({found})"), summary=i18n.said(i18n.N_("{n} in {names}"), n=2.5,
                                                                            names=Names(["a", "b"], 1)),
                         found=Parts((Text.of(i18n.N_("{count}"), count=Count(3, i18n.SYSTEM)),), " / ")))
    texts.append(Text.of(i18n.N_("{summary} ({found})"), summary=i18n.Written((("en", "e"), ("sw", "s"))), found=""))
    assert len(texts) > 50 and all(t is not None for t in texts)
    assert orjson.dumps(texts, default=i18n.json_hook) == orjson.dumps([i18n.to_json(t) for t in texts])
    with pytest.raises(TypeError):
        orjson.dumps([object()], default=i18n.json_hook)


def test_the_language_comes_from_the_option_then_the_configuration_then_the_environment(monkeypatch):
    monkeypatch.delenv("EGOV_ALIGN_LANG", raising=False)
    assert i18n.choose() == "en"
    monkeypatch.setenv("EGOV_ALIGN_LANG", "sw_TZ.UTF-8")
    assert i18n.choose() == "sw"
    assert i18n.choose(configured="en") == "en"
    assert i18n.choose("sw", configured="en") == "sw"
    monkeypatch.setenv("EGOV_ALIGN_LANG", "fr")
    with pytest.raises(i18n.LanguageError, match="EGOV_ALIGN_LANG: language 'fr' is not available"):
        i18n.choose()


@pytest.fixture
def sample(tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EGOV_ALIGN_LANG", raising=False)
    return ROOT


def test_analyze_prints_kiswahili_and_json_stays_english(sample, monkeypatch):
    english = run_cli("analyze", "--no-cache", "--fail-on", "never", cwd=sample)
    swahili = run_cli("analyze", "--no-cache", "--fail-on", "never", "--lang", "sw", cwd=sample)
    assert english.code == swahili.code == 0
    assert swahili.out.startswith("Uchambuzi wa egov-align wa ")
    for words in ("taasisi 15", "matokeo: makosa", "uwiano ", "Mpango wa kuunganisha mifumo",
                  "inahitaji", "kazi yake inachukuliwa na", "pia unatoa"):
        assert words in swahili.out, words
    for english_words in ("is provided by", " needs ", "taken over by", "findings:"):
        assert english_words not in swahili.out, english_words
    assert len(swahili.out.splitlines()) == len(english.out.splitlines())
    documents = [run_cli("analyze", "--no-cache", "--fail-on", "never", "--format", fmt, *lang, cwd=sample).out
                 for fmt in ("json", "sarif", "github", "markdown") for lang in ((), ("--lang", "sw"))]
    assert documents[0::2] == documents[1::2]  # machine output and pull-request comments: English
    monkeypatch.setenv("EGOV_ALIGN_LANG", "sw")
    assert run_cli("validate", "--no-cache", cwd=sample).out.startswith("sahihi: faili 14, taasisi 15, mifumo 27")
    assert run_cli("validate", "--no-cache", "--lang", "en", cwd=sample).out.startswith("valid: 14 files")


def test_a_cached_analysis_is_shown_in_the_language_asked_for(sample):
    first = run_cli("analyze", "--fail-on", "never", cwd=sample).out
    swahili = run_cli("analyze", "--fail-on", "never", "--lang", "sw", cwd=sample).out
    again = run_cli("analyze", "--fail-on", "never", "--lang", "sw", "--color", "never", cwd=sample).out
    assert run_cli("analyze", "--fail-on", "never", "--lang", "sw", "--no-cache", cwd=sample).out == swahili == again
    assert run_cli("analyze", "--fail-on", "never", cwd=sample).out == first != swahili


def test_lang_in_the_configuration_and_bad_languages(tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    monkeypatch.delenv("EGOV_ALIGN_LANG", raising=False)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.yaml").write_text("institutions: [{id: a, name: A}]\n")
    (tmp_path / "egov-align.toml").write_text('lang = "sw"\n')
    assert run_cli("validate", cwd=tmp_path).out == "sahihi: faili 1, taasisi 1, mifumo 0, michakato 0, hatua 0\n"
    assert run_cli("validate", "--lang", "en", cwd=tmp_path).out.startswith("valid: 1 file,")
    assert run_cli("rules", cwd=tmp_path).out.startswith("Kanuni za uchambuzi")
    (tmp_path / "egov-align.toml").write_text('lang = "fr"\n')
    bad = run_cli("validate", cwd=tmp_path)
    assert bad.code == 2 and "egov-align.toml: `lang`: language 'fr' is not available; use one of en, sw" in bad.err
    monkeypatch.setenv("EGOV_ALIGN_LANG", "xx")
    (tmp_path / "egov-align.toml").write_text("")
    assert run_cli("validate", cwd=tmp_path).code == 2


def test_rules_lists_titles_in_kiswahili(sample):
    out = run_cli("rules", "--lang", "sw", cwd=sample).out
    assert "Hatua ya mchakato inayohitaji uwezo lakini haitaji mfumo wowote" in out
    assert "taarifa (onyo viwango vilivyoidhinishwa vikiwekwa)" in out
    assert "Ukaguzi wa usahihi wa modeli" in out


def _sample_value(spec: str):
    """A value that fits a field's format spec: a share for %, a signed whole number for +d, ..."""
    if spec.endswith("%"):
        return 0.5
    if spec.endswith("d") or spec.endswith(","):
        return 1_234
    if spec.endswith("f"):
        return 1_234.5
    return "x"


def test_every_template_formats_in_both_languages(catalog):
    """The same values fill the English and the Kiswahili template (a spec like {share:.0%} kept)."""
    for ids, strings in _entries(catalog):
        specs = {name: spec for _t, name, spec, _c in string.Formatter().parse(ids[-1]) if name}
        if not specs or "{assessed: YYYY-MM-DD}" in ids[-1]:  # a rule's explanation quoting YAML is never formatted
            continue
        values = {name: _sample_value(spec) for name, spec in specs.items()}
        for template in (*ids, *strings):
            template.format(**values)


def test_unknown_references_and_duplicate_ids_are_told_in_kiswahili(tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.yaml").write_text("institutions: [{id: moh, name: Health}, {id: moh, name: Again}]\n"
                                                "systems: [{id: s, name: S, owner: mho}]\n")
    english = run_cli("validate", cwd=tmp_path).out
    assert "`owner` names institution 'mho', which is not defined (did you mean 'moh'?)" in english
    assert "institution id 'moh' is defined twice: first at models/a.yaml:1:16, again here" in english
    swahili = run_cli("validate", "--lang", "sw", cwd=tmp_path).out
    assert "`owner` inataja taasisi 'mho', lakini hakuna fasili yake katika modeli (ulimaanisha 'moh'?)" in swahili
    assert "kitambulisho 'moh' cha taasisi kimefafanuliwa mara mbili" in swahili
    assert swahili.rstrip().endswith("si sahihi: matatizo 2 katika faili 1")


def test_validation_diagnostics_in_kiswahili_cold_and_from_the_per_file_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.yaml").write_text(
        "institutions: [{id: moh, name: Health}]\n"
        "systems:\n"
        "  - {id: s, owner: moh, status: operational}\n"
        "  - {id: t, name: T, owner: moh, colour: red}\n"
        "services:\n"
        "  - {id: v, name: V, provider: moh, channels: [web], channels: [sms]}\n")
    cold = run_cli("validate", "--lang", "sw", "--no-cache", cwd=tmp_path).out
    for words in ("sehemu ya lazima `name` haipo", "sehemu isiyojulikana `colour`",
                  "'operational' hairuhusiwi hapa; tumia mojawapo ya planned, active",
                  "ufunguo 'channels' unajitokeza tena katika kundi hili (mara ya kwanza mstari 6)"):
        assert words in cold, words
    english = run_cli("validate", cwd=tmp_path).out  # fills the per-file cache
    assert "missing required field `name`" in english
    assert run_cli("validate", "--lang", "sw", cwd=tmp_path).out == cold  # diagnostics rebuilt from the cache


def test_a_cached_message_whose_template_disagrees_is_a_miss():
    from egov_align import loader

    entry = {"problems": [["schema", "missing required field `name`", 1, 1]], "defs": [], "refs": [], "names": [],
             "loose": [], "unsure": [], "elements": {}, "texts": [{"t": "missing required field `{field}`", "v": ["other"]}]}
    with pytest.raises(ValueError):
        loader._from_entry("a.yaml", entry, want_elements=False, context={})
    entry["texts"] = [{"t": "missing required field `{field}`", "v": ["name"]}]
    problem = loader._from_entry("a.yaml", entry, want_elements=False, context={}).problems[0]
    assert problem[1] == "missing required field `name`" and problem[1].text.render("sw") == \
        "sehemu ya lazima `name` haipo"
