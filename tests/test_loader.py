"""Validation diagnostics: every bad input a planner produces, at the exact line and column."""

from __future__ import annotations

import json
import os

import pytest

from egov_align.i18n import message
from egov_align.loader import Source, load

GOOD = """\
institutions:
  - {id: nida, name: NIDA}
"""


def diagnostics(files: dict[str, str | bytes], **options) -> list[tuple]:
    sources = [Source(name, content=content.encode() if isinstance(content, str) else content)
               for name, content in files.items()]
    result = load(sources, jobs=1, **options)
    return [(d.file, d.line, d.column, d.rule) for d in result.diagnostics]


def messages(files, **options) -> list[str]:
    sources = [Source(n, content=c.encode() if isinstance(c, str) else c) for n, c in files.items()]
    return [d.message for d in load(sources, jobs=1, **options).diagnostics]


@pytest.mark.parametrize("content", ["", "# only a comment\n# and another\n", "---\n", "\n\n"])
def test_empty_and_comment_only_files_are_valid(content):
    assert diagnostics({"a.yaml": content}) == []


def test_a_list_at_top_level_is_a_schema_error():
    assert diagnostics({"a.yaml": "- institutions\n- systems\n"}) == [("a.yaml", 1, 1, "schema")]


def test_a_tab_used_for_indentation():
    assert diagnostics({"a.yaml": "institutions:\n\t- {id: a, name: A}\n"}) == [("a.yaml", 2, 1, "yaml-syntax")]
    assert "tab" in messages({"a.yaml": "institutions:\n\t- {id: a, name: A}\n"})[0]


def test_an_unclosed_quote_points_where_it_started_and_names_the_end():
    """Not at line 4, past the end of the file, where there is nothing to quote."""
    text = "institutions:\n  - id: \"nida\n    name: NIDA\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 2, 9, "yaml-syntax")]
    assert "never closed before the end of the file (line 3)" in messages({"a.yaml": text})[0]


def test_an_unclosed_bracket_points_where_it_started_and_names_the_end():
    text = "institutions: [\n  {id: a, name: A}\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 1, 15, "yaml-syntax")]
    assert "never closed before the end of the file (line 2)" in messages({"a.yaml": text})[0]


@pytest.mark.parametrize(("text", "where", "says"), [
    ("institutions:\n  - id: mof\n    name: Ministry: Finance\n", (3, 19),
     "a value holding ': ' must be quoted, e.g. \"Ministry: Finance\""),
    ("institutions:\n  - id: mof\n     name: Ministry\n", (3, 10),
     "this line is indented further than the one above it"),
    ("institutions:\n  - id: mof\n  name: Ministry\n", (3, 3),
     "the fields of one list item line up under its first one"),
    ("institutions:\n  - id: mof\n    name: @home\n", (3, 11),
     "a value starting with '@' must be quoted, e.g. \"@home\""),
    ("institutions:\n  - id: mof\n    name: MoF\n---\nsystems: []\n", (4, 1),
     "a model file holds one YAML document: remove the `---` line, or move what follows it to a file of its own"),
    ("institutions:\n  - id: mof\n    name Ministry\n  - id: tra\n    name: TRA\n", (3, 5),
     "a field needs ': ' between its name and its value"),
])
def test_yaml_mistakes_planners_make_are_explained(text, where, says):
    """PyYAML's own words ("mapping values are not allowed in this context") are kept, and the
    likely mistake is said in a planner's words after them."""
    [message] = messages({"a.yaml": text})
    assert diagnostics({"a.yaml": text}) == [("a.yaml", *where, "yaml-syntax")]
    assert says in message, message


def test_the_likely_yaml_mistake_is_said_in_kiswahili_from_the_cache_too(tmp_path):
    """libyaml's words and the hint after them in the reader's language, also when the file's
    result comes back from the per-file cache."""
    from egov_align.cache import Cache

    source = Source("a.yaml", content=b"institutions:\n  - id: mof\n    name: Ministry: Finance\n")
    cache = Cache(tmp_path / "cache", salt="test")
    for _run in ("parsed", "cached"):
        [found] = load([source], jobs=1, cache=cache).diagnostics
        assert found.text.render("sw") == ("alama ya ':' ya thamani hairuhusiwi mahali hapa; thamani yenye ': ' lazima "
                                           "iwekwe katika alama za nukuu, kwa mfano \"Ministry: Finance\"")


@pytest.mark.parametrize(("text", "english", "kiswahili"), [
    ("institutions: {id: a\n", "did not find expected ',' or '}': the flow mapping that starts here is never closed "
     "before the end of the file (line 1)", "',' au '}' iliyotarajiwa haikupatikana: kilichofunguliwa hapa (kundi la "
     "{ }) hakifungwi kabla ya mwisho wa faili (mstari 1)"),
    ("institutions:\n  - id: a\n\tname: A\n", "found a tab character that violates indentation (while scanning a "
     "plain scalar started at line 2, column 9) (a tab: YAML allows only spaces for indentation)",
     "kuna kichupo (tab) kinachovuruga upangaji wa mistari (wakati wa kusoma thamani, kuanzia mstari 2, safu 9) "
     "(kichupo (tab): YAML inaruhusu nafasi tu kusogeza mistari ndani)"),
    ("institutions:\n  - id: a\n    name: A\n  name: B\n", "did not find expected '-' indicator (while parsing a "
     "block collection started at line 2, column 3); the fields of one list item line up under its first one, past "
     "the '- '", "alama ya '-' iliyotarajiwa haikupatikana (wakati wa kusoma orodha, kuanzia mstari 2, safu 3); "
     "sehemu za kipengele kimoja cha orodha hupangwa chini ya sehemu yake ya kwanza, baada ya '- '"),
    ("institutions: [a, *nope]\n", "found undefined alias", "kuna alias (*) ambayo haijafafanuliwa kwa nanga (&)"),
])
def test_yaml_syntax_is_libyamls_words_in_english_and_translated_for_kiswahili(text, english, kiswahili):
    """English keeps what libyaml says (what a planner would search for); in Kiswahili the whole
    message is translated, not only the hint after it."""
    [found] = load([Source("a.yaml", content=text.encode())], jobs=1).diagnostics
    assert (found.rule, found.message, found.text.render("sw")) == ("yaml-syntax", english, kiswahili)


def test_what_libyaml_says_that_is_not_in_the_catalog_stays_as_it_is():
    [found] = load([Source("a.yaml", content=b"%YAML 1.1\n%YAML 1.1\n---\na: 1\n")], jobs=1).diagnostics
    assert found.rule == "yaml-syntax" and message(found, "sw").startswith("found duplicate %YAML directive")


@pytest.mark.timeout(30)
def test_a_value_quoted_back_is_clipped():
    """A hostile or careless line of a megabyte is not copied into every output format."""
    [message] = messages({"a.yaml": "institutions:\n  - id: mof\n    name: @" + "x" * 1_000_000 + "\n"})
    assert len(message) < 300 and message.endswith('e.g. "@' + "x" * 59 + '…"')


def test_non_utf8_bytes_are_located():
    assert diagnostics({"a.yaml": b"institutions:\n  - {id: a, name: caf\xe9}\n"}) == \
        [("a.yaml", 2, 22, "unreadable-file")]


def test_a_binary_file():
    assert diagnostics({"logo.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}) == [("logo.yaml", 1, 1, "unreadable-file")]


def test_a_file_over_the_size_limit():
    assert diagnostics({"big.yaml": GOOD}, max_bytes=10) == [("big.yaml", 1, 1, "unreadable-file")]
    assert "over the limit of 10" in messages({"big.yaml": GOOD}, max_bytes=10)[0]


@pytest.mark.parametrize(("most", "expected", "read"), [(None, 0, b"0123456789"), (5, 0, b"01234"),
                                                        (None, 10, b"0123456789"), (11, 10, b"0123456789"),
                                                        (4, 10, b"0123"), (None, 3, b"0123456789")])
def test_a_file_is_read_to_its_end_or_one_past_the_limit_whatever_size_it_was_measured_at(most, expected, read):
    """Asked for at the size it was measured at, then read on: it may have grown since."""
    from egov_align.discovery import read_up_to

    reading, writing = os.pipe()
    os.write(writing, b"0123456789")
    os.close(writing)
    try:
        assert read_up_to(reading, most, expected=expected) == read
    finally:
        os.close(reading)


def test_a_file_over_the_size_limit_on_disk(tmp_path):
    (tmp_path / "big.yaml").write_text(GOOD)
    assert Source("big.yaml", path=str(tmp_path / "big.yaml")).read(10) == GOOD.encode()[:11]
    assert Source("big.yaml", path=str(tmp_path / "big.yaml")).read() == GOOD.encode()


def test_a_utf8_byte_order_mark_is_accepted():
    assert diagnostics({"a.yaml": "\ufeff" + GOOD}) == []


def test_a_duplicate_key_is_reported_at_the_repeat():
    text = "institutions:\n  - id: a\n    name: A\n    name: B\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 4, 5, "duplicate-key")]
    assert "first at line 3" in messages({"a.yaml": text})[0]


@pytest.mark.parametrize(("line", "value", "column"), [
    ("  - {id: no, name: Norway}", "no", 10),
    ("  - {id: 'ok', name: on}", "on", 22),
    ("  - {id: 007, name: Bond}", "007", 10),
    ("  - {id: x, name: 2024-01-01}", "2024-01-01", 19),
    ("  - {id: y, name: 1.5}", "1.5", 19),
])
def test_yaml_11_surprises_are_reported_not_coerced(line, value, column):
    found = diagnostics({"a.yaml": "institutions:\n" + line + "\n"})
    assert found == [("a.yaml", 2, column, "schema")]
    assert "quotes" in messages({"a.yaml": "institutions:\n" + line + "\n"})[0]


def test_20000_nested_brackets_do_not_overflow_the_stack():
    text = "institutions: " + "[" * 20000 + "]" * 20000 + "\n"
    found = diagnostics({"deep.yaml": text})
    # libyaml 0.2.5 builds reject nesting past 1,000 levels themselves (yaml-syntax); older
    # ones parse it and egov-align stops at depth 65 (schema). Either way: one clear error.
    assert found in ([("deep.yaml", 1, 15 + 64, "schema")], [("deep.yaml", 1, 14 + 1000, "yaml-syntax")])


def test_an_alias_bomb_fails_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous, name = chr(96 + n), chr(97 + n)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    found = diagnostics({"bomb.yaml": "\n".join(lines) + "\n"})
    assert [rule for *_place, rule in found] == ["schema"]
    assert "alias" in messages({"bomb.yaml": "\n".join(lines) + "\n"})[0]


def test_aliases_and_merge_keys_that_stay_small_are_fine():
    text = """\
    institutions:
      - &base {id: a, name: A, type: agency}
      - <<: *base
        id: b
    """.replace("    ", "", 1)
    import textwrap

    assert diagnostics({"a.yaml": textwrap.dedent(text)}) == []


def test_unknown_field_suggests_the_closest_name():
    text = "systems:\n  - {id: s, name: S, ownr: x}\n"
    found = diagnostics({"a.yaml": text})
    assert ("a.yaml", 2, 22, "schema") in found
    assert any("did you mean 'owner'" in m for m in messages({"a.yaml": text}))


def test_missing_field_is_reported_at_its_mapping():
    text = "institutions:\n  - id: a\n    type: agency\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 2, 5, "schema")]
    assert messages({"a.yaml": text}) == ["missing required field `name`"]


def test_unknown_top_level_key():
    assert diagnostics({"a.yaml": GOOD + "sytems: []\n"}) == [("a.yaml", 3, 1, "schema")]
    assert "did you mean 'systems'" in messages({"a.yaml": GOOD + "sytems: []\n"})[0]


def test_bad_enum_value_suggests_the_closest():
    text = "institutions:\n  - {id: a, name: A, type: minstry}\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 2, 28, "schema")]
    assert "did you mean 'ministry'" in messages({"a.yaml": text})[0]


def test_an_id_with_spaces_is_rejected():
    assert diagnostics({"a.yaml": "institutions:\n  - {id: my agency, name: A}\n"}) == [("a.yaml", 2, 10, "schema")]


def test_unknown_rule_in_ignore_is_a_schema_error():
    text = "institutions:\n  - id: a\n    name: A\n    ignore: [orphan-system, orphan-sytem]\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 4, 29, "schema")]


def test_a_second_model_section_is_a_schema_error():
    found = diagnostics({"a.yaml": "model: {name: A}\n", "b.yaml": "model: {name: B}\n"})
    assert found == [("b.yaml", 1, 1, "schema")]


def test_duplicate_ids_report_both_places():
    found = load([Source("a.yaml", content=GOOD.encode()), Source("b.yaml", content=b"\n" + GOOD.encode())],
                 jobs=1).diagnostics
    assert [(d.file, d.line, d.column, d.rule) for d in found] == [("b.yaml", 3, 5, "duplicate-id")]
    assert "first at a.yaml:2:5" in found[0].message


def test_unknown_reference_suggests_the_closest_id():
    text = GOOD + "systems:\n  - {id: npr, name: NPR, owner: nid}\n"
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 4, 33, "unknown-reference")]
    assert "did you mean 'nida'" in messages({"a.yaml": text})[0]


def test_a_name_written_for_an_id_gets_the_id():
    """Planners coming from a spreadsheet write the name they know; the other files know its id."""
    files = {"a.yaml": "institutions:\n  - {id: mof, name: Ministry of Finance}\n"
                       "capabilities:\n  - {id: payments, name: Payments and revenue}\n",
             "b.yaml": "systems:\n"
                       "  - {id: gepg, name: GePG, owner: Ministry of Finance, capabilities: [Payments and revenue]}\n"
                       "  - {id: muse, name: MUSE, owner: ministry-of-finance}\n"
                       "  - {id: x, name: X, owner: Ministry of Fun}\n"}
    assert diagnostics(files) == [("b.yaml", 2, 35, "schema"), ("b.yaml", 2, 71, "schema"),
                                  ("b.yaml", 3, 35, "unknown-reference"), ("b.yaml", 4, 29, "schema")]
    assert messages(files) == [
        "'Ministry of Finance' is not a valid id: use only letters, digits, '-', '_' and '.' "
        "(did you mean 'mof', the id of institution 'Ministry of Finance'?)",
        "'Payments and revenue' is not a valid id: use only letters, digits, '-', '_' and '.' "
        "(did you mean 'payments', the id of capability 'Payments and revenue'?)",
        "`owner` names institution 'ministry-of-finance', which is not defined "
        "(did you mean 'mof', the id of 'Ministry of Finance'?)",
        "'Ministry of Fun' is not a valid id: use only letters, digits, '-', '_' and '.'"]


def test_a_name_two_elements_share_suggests_neither():
    files = {"a.yaml": "institutions:\n  - {id: tra, name: Revenue}\n  - {id: zrb, name: revenue}\n"
                       "systems:\n  - {id: s, name: S, owner: The Revenue}\n  - {id: t, name: T, owner: REVENUE}\n"}
    assert messages(files) == [
        "'The Revenue' is not a valid id: use only letters, digits, '-', '_' and '.'",
        "`owner` names institution 'REVENUE', which is not defined"]


def test_an_id_in_other_capitals_is_suggested_as_it_is_written():
    """'MoF' is two letters from `mof` in difflib's eyes, and the id a planner meant."""
    text = GOOD + "systems:\n  - {id: npr, name: NPR, owner: NIDA}\n"
    assert "(did you mean 'nida'?)" in messages({"a.yaml": text})[0]


def test_references_of_every_kind_are_resolved():
    text = """\
institutions:
  - {id: i, name: I, parent: nope-institution}
systems:
  - id: s
    name: S
    owner: i
    capabilities: [nope-capability]
    data: [{entity: nope-data}]
integrations:
  - {from: s, to: nope-system, via: nope-bus, data: [nope-entity]}
services:
  - {id: sv, name: SV, provider: nope-provider}
processes:
  - id: p
    name: P
    owner: i
    service: nope-service
    steps:
      - {id: a, name: A, performer: nope-performer, needs: [nc], reads: [nr], writes: [nw], systems: [ns], next: [nope-step]}
"""
    found = diagnostics({"a.yaml": text})
    assert all(rule == "unknown-reference" for *_rest, rule in found)
    assert [(line, column) for _f, line, column, _r in found] == [
        (2, 30), (7, 20), (8, 21), (10, 19), (10, 37), (10, 54), (12, 34), (17, 14),
        (19, 37), (19, 61), (19, 74), (19, 88), (19, 103), (19, 115)]


def test_integration_ids_default_to_from_arrow_to():
    text = GOOD + ("systems:\n  - {id: a, name: A, owner: nida}\n  - {id: b, name: B, owner: nida}\n"
                   "data_entities:\n  - {id: d, name: D}\n"
                   "integrations:\n  - {from: a, to: b, data: [d]}\n  - {from: a, to: b, data: [d]}\n")
    assert diagnostics({"a.yaml": text}) == [("a.yaml", 10, 5, "duplicate-id")]
    assert "'a->b'" in messages({"a.yaml": text})[0]


def test_all_files_are_checked_before_stopping():
    files = {f"f{n}.yaml": f"institutions:\n  - {{id: x{n}}}\n" for n in range(5)}
    assert len(diagnostics(files)) == 5


def test_a_model_spread_over_1000_files(tmp_path):
    sources = [Source(f"m/{n:04}.yaml", content=(
        f"institutions:\n  - {{id: i{n}, name: Institution {n}}}\n"
        f"systems:\n  - {{id: s{n}, name: System {n}, owner: i{(n + 1) % 1000}}}\n").encode())
        for n in range(1000)]
    result = load(sources, jobs=2)
    assert result.diagnostics == []
    assert len(result.model.systems) == 1000
    assert result.model.locations["system:s999"].file == "m/0999.yaml"


def test_nothing_is_written_to_the_model_files(tmp_path, cli):
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "a.yaml"
    model.write_text(GOOD)
    before = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert cli("validate", "models", cwd=tmp_path).code == 0
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == before
    assert model.read_text() == GOOD


def test_json_output_of_an_invalid_model(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("institutions:\n  - {id: a}\n")
    run = cli("validate", "a.yaml", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    document = json.loads(run.out)
    assert document["valid"] is False and "metrics" not in document
    assert document["findings"] == [{"rule": "schema", "severity": "error", "message": "missing required field `name`",
                                     "file": "a.yaml", "line": 2, "column": 5, "related": []}]


def test_a_file_that_does_not_parse_does_not_flood_the_output_with_knock_on_references():
    broken = "systems:\n  - {id: s, name: S, owner: x\n\tcapabilities: [c]}\n"
    users = "processes:\n  - {id: p, name: P, owner: x, steps: [{id: a, name: A, systems: [s, t, u]}]}\n"
    found = load([Source("a.yaml", content=users.encode()), Source("b.yaml", content=broken.encode())], jobs=1)
    assert [(d.file, d.rule) for d in found.diagnostics] == [("b.yaml", "yaml-syntax")]
    assert found.diagnostics[0].message.endswith(
        "; 4 references to ids that could be defined here were not checked: fix this first")


def test_syntax_errors_come_first_in_every_format():
    good_but_wrong = "institutions:\n  - {id: a, name: A, parent: nowhere}\n"
    broken = "institutions: [\n"
    found = load([Source("a.yaml", content=good_but_wrong.encode()), Source("z.yaml", content=broken.encode()),
                  Source("m.yaml", content=b"systems:\n  - {id: s, nme: S}\n")], jobs=1)
    assert [d.rule for d in found.diagnostics][0] == "yaml-syntax"


def test_an_unclosed_bracket_points_at_where_it_opened():
    found = load([Source("m.yaml", content=b"institutions:\n  - {id: a, name: A}\nsystems: [\n  {id: s}\n")], jobs=1)
    [diagnostic] = found.diagnostics
    assert (diagnostic.line, diagnostic.column) == (3, 10)
    assert "never closed before the end of the file (line 4)" in diagnostic.message


def test_one_run_shows_a_wrong_field_and_a_wrong_reference_of_the_same_element():
    text = ("institutions: [{id: x, name: X}]\ncapabilities: [{id: case-management, name: C}]\n"
            "systems:\n  - {id: s, name: S, owner: x, anual_cost: 5, capabilities: [case-managment]}\n")
    found = load([Source("m.yaml", content=text.encode())], jobs=1)
    assert sorted(d.rule for d in found.diagnostics) == ["schema", "unknown-reference"]
    assert any("did you mean 'case-management'" in d.message for d in found.diagnostics)


def _sample_sources(extra: dict[str, str] | None = None) -> list[Source]:
    from conftest import ROOT

    files = sorted([*(ROOT / "models").glob("*.yaml"), *(ROOT / "processes").glob("*.yaml")])
    sources = [Source(str(path.relative_to(ROOT)), content=path.read_bytes()) for path in files]
    return sources + [Source(name, content=text.encode()) for name, text in (extra or {}).items()]


def _shape(result) -> tuple:
    model = result.model
    elements = None if model is None else {
        key: {i: e.model_dump() for i, e in model.kind(key).items()}
        for key in ("institutions", "capabilities", "data_entities", "systems", "integrations", "services",
                    "processes")}
    return (result.diagnostics, result.counts, elements, None if model is None else dict(model.locations),
            result.digest)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("broken", [False, True])
def test_worker_processes_give_exactly_what_one_process_gives(monkeypatch, tmp_path, broken):
    """The workers send their elements as plain data, validated again here: the same model, or
    the same diagnostics, whether parsed or taken from the cache; and the same identity of the
    files read (the dashboard keys its tables on it)."""
    from egov_align import loader
    from egov_align.cache import Cache

    monkeypatch.setattr(loader, "_PARALLEL_MIN_BYTES", 0)
    extra = {"processes/zz-broken.yaml": "processes:\n  - {id: p, name: P, owner: nobody, steps: [{id: s}]}\n"
                                         "  - {id: q, name: Q, owner: Ministry of Finance, steps: [{id: s}]}\n"
                                         "  - {id: r, name: R, owner: ministry-of-home-affairs, steps: [{id: s}]}\n"}
    sources = _sample_sources(extra if broken else None)
    alone = _shape(load(sources, jobs=1))
    assert _shape(load(sources, jobs=3)) == alone
    cache = Cache(tmp_path / "cache", salt="test")
    assert _shape(load(sources, jobs=3, cache=cache)) == alone  # parsed, and put in the cache
    assert _shape(load(sources, jobs=3, cache=cache)) == alone  # every file from the cache
    assert (alone[2] is None) == broken
    assert len(alone[4]) == 32


@pytest.mark.timeout(60)
def test_a_worker_that_dies_is_an_error_not_a_hang(monkeypatch):
    import os

    from egov_align import loader

    monkeypatch.setattr(loader, "_PARALLEL_MIN_BYTES", 0)
    real = loader._load_chunk

    def dying(*args, plain=False):
        if plain:  # in the worker (forked: it has this patch too)
            os._exit(3)
        return real(*args)

    monkeypatch.setattr(loader, "_load_chunk", dying)
    with pytest.raises(RuntimeError, match="exit code 3"):
        load(_sample_sources(), jobs=2)


COLLECTOR_CHECK = """
import gc
from egov_align import perf

perf._PROMOTE_AT = 20_000
def young(item):
    return any(item is other for generation in (0, 1) for other in gc.get_objects(generation=generation))

with perf.gc_paused():
    few = [[n] for n in range(1_000)]
assert young(few[0])  # a few: left to the collector as usual
with perf.gc_paused():
    built = [[n] for n in range(50_000)]
assert gc.isenabled() and not any(young(item) for item in built[::5000])
assert any(built[0] is item for item in gc.get_objects(generation=2))  # still seen by full collections
with perf.heap_frozen():
    with perf.gc_paused():
        more = [[n] for n in range(1_000)]
    assert gc.get_freeze_count() >= len(built) + len(more)  # frozen until heap_frozen ends
assert gc.get_freeze_count() == 0
gc.freeze()  # as the dashboard does: its freezing is left alone
frozen = gc.get_freeze_count()
with perf.heap_frozen():
    with perf.gc_paused():
        again = [[n] for n in range(50_000)]
assert gc.get_freeze_count() >= frozen + len(again)
print("ok")
"""


@pytest.mark.timeout(60)
def test_what_is_built_while_the_collector_is_paused_is_not_walked_by_the_next_collections():
    """Left in the youngest generation, a national model's objects were walked by the first
    collection after loading (0.5 s), then by each older generation in turn. In a fresh
    interpreter: the collector's state is the whole process's."""
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, "-c", COLLECTOR_CHECK], capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "ok", done.stderr


def test_the_files_are_cut_into_runs_of_like_size_in_order():
    from egov_align import loader

    sources = [Source(f"f{n:03}.yaml", content=b"x" * (100 + (n % 7) * 50)) for n in range(300)]
    sizes = [s.size() for s in sources]
    chunks = loader._chunks(sources, sizes, 2)
    assert [s.display for chunk in chunks for s in chunk] == [s.display for s in sources]  # each once, in order
    target = sum(sizes) / (2 * loader._CHUNKS_PER_PROCESS)
    assert all(sum(s.size() for s in chunk) <= target for chunk in chunks)
    assert 2 * loader._CHUNKS_PER_PROCESS <= len(chunks) <= 3 * loader._CHUNKS_PER_PROCESS
    huge = [Source("huge.yaml", content=b"x" * 10_000), *sources[:3]]
    assert loader._chunks(huge, [s.size() for s in huge], 2)[0] == huge[:1]  # a file larger than a run: alone


@pytest.mark.timeout(60)
def test_while_this_process_does_other_work_its_workers_read_more(monkeypatch):
    """The files are taken a run at a time: a process busy with something else (the dashboard
    imports Streamlit while its model is read) leaves more of them to the others. The last runs
    are always this process's, read while the workers pickle their results."""
    import time

    from egov_align import loader

    monkeypatch.setattr(loader, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(loader, "_CHUNKS_PER_PROCESS", 7)  # one file a run in the 14-file sample
    read_here = []
    real = loader._load_chunk

    def counted(sources, *args, plain=False):
        if not plain:  # here, not in the worker
            read_here.extend(s.display for s in sources)
        return real(sources, *args, plain=plain)

    monkeypatch.setattr(loader, "_load_chunk", counted)
    sources = _sample_sources()
    busy = load(sources, jobs=2, meanwhile=lambda: time.sleep(1))
    last_runs = loader._chunks(sources, [s.size() for s in sources], 2)[-loader._LEFT_TO_THIS_PROCESS:]
    assert read_here == [s.display for run in last_runs for s in run]  # the worker read all it was let
    assert _shape(busy) == _shape(load(sources, jobs=1))


@pytest.mark.timeout(60)
def test_when_this_process_fails_its_workers_are_stopped(monkeypatch):
    import multiprocessing
    import time

    from egov_align import loader

    monkeypatch.setattr(loader, "_PARALLEL_MIN_BYTES", 0)
    real = loader._load_chunk

    def failing_here(*args, plain=False):
        if not plain:  # this process's own share
            raise KeyboardInterrupt
        time.sleep(30)  # a worker still busy
        return real(*args, plain=plain)

    monkeypatch.setattr(loader, "_load_chunk", failing_here)
    with pytest.raises(KeyboardInterrupt):
        load(_sample_sources(), jobs=3)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("assessed", ["2024-03-01", "2024-03-01 10:30:00"])
def test_a_file_from_the_cache_gives_the_very_elements_parsing_gave(tmp_path, assessed):
    """The cache keeps the data each element was validated from: read back and validated again, the
    same values, and the same fields written (the completeness metric counts those), as parsing gave;
    a value JSON cannot carry as it was (a date with a time) is parsed again, never changed."""
    from egov_align.cache import Cache

    text = ("model: {name: Demo, as_of: 2025-01-31}\n"
            "institutions: [{id: x, name: X}]\n"
            "data_entities: [{id: person, name: Person, sensitivity: personal}]\n"
            "systems:\n"
            f"  - {{id: a, name: A, owner: x, annual_cost: 1500.5, data: [{{entity: person, role: master}}],\n"
            f"     security: {{assessed: {assessed}}}, external: {{mtef: '0042'}}}}\n"
            "  - {id: b, name: B, owner: x}\n"
            "integrations: [{from: a, to: b, data: [person]}]\n")
    sources = [Source("m.yaml", content=text.encode())]
    cache = Cache(tmp_path / "cache", salt="test")
    parsed = load(sources, jobs=1, cache=cache)
    cached = load(sources, jobs=1, cache=cache)
    assert parsed.valid and _shape(cached) == _shape(parsed)
    for key in ("systems", "integrations"):
        for element_id, element in parsed.model.kind(key).items():
            again = cached.model.kind(key)[element_id]
            assert again == element and again.model_fields_set == element.model_fields_set
    assert cached.model.info == parsed.model.info
    assert cached.model.systems["a"].security.model_fields_set == {"assessed"}
