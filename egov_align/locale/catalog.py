"""The message ids of the translations, and the command that keeps sw.po in step with the code.

Ids come from `_()`, `N_()` and `Noun()` calls in egov_align/ (read from the syntax tree), and
from the rules' explanations (title, "Why it matters", "How to fix" of each docstring). After
changing a text, run `python -m egov_align.locale.catalog`: new ids are added to sw.po with an
empty translation, ids no longer used are dropped, translations are kept. tests/test_i18n.py
fails until every id has its Kiswahili.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
CATALOG = PACKAGE / "locale" / "sw.po"
HEADER = ("# Kiswahili texts of egov-align, in the government's own words (docs/glossary.md).\n"
          "# Updated by `python -m egov_align.locale.catalog`; translations are written here by hand.")
KEYWORDS = {"_": 1, "N_": 1, "Noun": 2}  # the call, and how many literal texts it marks


def extracted() -> dict:
    """msgid (a str, or (singular, plural)) -> the places that use it."""
    from egov_align.rules import RULES, explanation

    found: dict = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for message, line in _marked(path):
            found.setdefault(message, []).append(f"{path.relative_to(PACKAGE)}:{line}")
    for name, rule in RULES.items():
        for text in explanation(rule).values():
            found.setdefault(text, []).append(f"rules/{rule.__name__.rsplit('.', 1)[1]}.py ({name})")
    return found


def _marked(path: Path):
    """The literal texts of `_()`, `N_()` and `Noun()` calls, inside f-strings too (Babel's extractor
    does not look there)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS):
            continue
        literals = [a.value for a in node.args[:KEYWORDS[node.func.id]]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(literals) == KEYWORDS[node.func.id]:
            yield (literals[0] if len(literals) == 1 else tuple(literals)), node.lineno


def read(path: Path = CATALOG):
    from babel.messages.pofile import read_po

    with open(path, "rb") as po:
        return read_po(po, locale="sw")


def update(path: Path = CATALOG) -> tuple[int, int, int]:
    """(added, dropped, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    old = read(path) if path.exists() else Catalog(locale="sw")
    ids = extracted()
    new = Catalog(locale="sw", project="egov-align", version="", language_team="Kiswahili", fuzzy=False,
                  header_comment=HEADER, creation_date=old.creation_date, revision_date=old.revision_date,
                  last_translator="egov-align developers", msgid_bugs_address="the egov-align issue tracker")
    for message_id in ids:
        key = message_id[0] if isinstance(message_id, tuple) else message_id
        previous = old.get(key)
        string = previous.string if previous is not None and previous.id == message_id else (
            ("", "") if isinstance(message_id, tuple) else "")
        new.add(message_id, string)
    with open(path, "wb") as po:
        write_po(po, new, width=100, no_location=True, omit_header=False, sort_output=False)
    added = sum(1 for m in ids if old.get(m[0] if isinstance(m, tuple) else m) is None)
    dropped = sum(1 for m in old if m.id and m.id not in ids)
    untranslated = sum(1 for m in new if m.id and not (m.string if isinstance(m.string, str) else all(m.string)))
    return added, dropped, untranslated


if __name__ == "__main__":
    added, dropped, untranslated = update()
    print(f"{CATALOG}: {added} added, {dropped} dropped, {untranslated} without a translation")
    sys.exit(0)
