"""Property: whatever an editor or an attacker does to a valid file, validate never raises and exits 0 or 1.

And JSON output stays strict JSON, and text output never carries a raw control character.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))  # more with HYPOTHESIS_EXAMPLES=2000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TINY = Path(__file__).parent / "examples" / "valid" / "tiny"
ORIGINALS = {p.relative_to(TINY).as_posix(): p.read_bytes() for p in TINY.rglob("*.yaml")}
NASTY = [b"\t", b"\n", b":", b"- ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"<<: *a\n", b"'", b'"', b"no",
         b"007", b"2024-01-01", b"\x00", b"\xff", b"#", b"---\n", b"? ", b"!!binary ", b"!custom ", b"~", b"|\n",
         # merge keys, tags and control characters: the hostile-input review's additions
         b"<<: [*a, *a, *a]\n", b"<<: {id: x}\n", b"&m {k: 1}\n", b"!!python/object/apply:os.system ",
         b"!!int ", b"!!float ", b"!!timestamp ", b"!!set ", b"!!omap ", b".inf", b".nan", b"1e999",
         b"\x1b[2J", b"\x07", b"\r", b"\xe2\x80\xae", b'"\\e[31m"', b"9" * 400]


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(ORIGINALS)))
    data = bytearray(ORIGINALS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        choice = draw(st.integers(0, 2))
        if choice == 0 and data:
            end = min(len(data), at + draw(st.integers(1, 20)))
            del data[at:end]
        elif choice == 1:
            data[at:at] = draw(st.sampled_from(NASTY))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return name, bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=mutated())
def test_validate_never_raises(cli, tmp_path_factory, change):
    root = tmp_path_factory.mktemp("mutant")
    for relative, content in ORIGINALS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    name, content = change
    (root / name).write_bytes(content)
    run = cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    json.loads(run.out, parse_constant=_not_strict)
    analyzed = cli("analyze", "--no-cache", "--format", "json", "--fail-on", "never", cwd=root)
    assert analyzed.code in (0, 1), analyzed.err
    json.loads(analyzed.out, parse_constant=_not_strict)
    text = cli("validate", "--no-cache", cwd=root)
    assert not CONTROL.search(text.out.replace("\n", "")), text.out


def _not_strict(constant: str):
    raise AssertionError(f"not strict JSON: {constant}")


TRICKY_TEXT = ["no", "Yes", "007", "1e3", "2024-01-01", "a: b", "x #y", "- a", "[a]", "~", "null", ".inf", "<<",
               "a,b", "@x", "%x", "`x", "! x", "trail ", "\ufeff", "\u2028", "\U00018d09"]


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(st.one_of(st.text(st.characters(blacklist_categories=("Cs",))), st.sampled_from(TRICKY_TEXT)),
       st.sampled_from(["scalar", "list", "mapping"]))
def test_every_value_an_import_writes_reads_back_as_itself(text, shape):
    """egov_align.interop.yamltext writes YAML by hand, for speed: each value must read back exactly."""
    import yaml

    from egov_align.interop.yamltext import flow, scalar

    value = {"scalar": text, "list": [text, "x"], "mapping": {"k": text}}[shape]
    written = scalar(text) if shape == "scalar" else flow(value)
    read = yaml.load(f"v: {written}\n".encode(), Loader=yaml.CSafeLoader)["v"]  # as a file is read
    assert read == value, (text, written)
