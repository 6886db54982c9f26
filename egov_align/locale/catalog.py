"""The message ids of the translations, and the command that keeps sw.po in step with the code.

Ids come from `_()`, `N_()` and `Noun()` calls in egov_align/ (Babel's Python extractor), and
from the rules' explanations (title, "Why it matters", "How to fix" of each docstring). After
changing a text, run `python -m egov_align.locale.catalog`: new ids are added to sw.po with an
empty translation, ids no longer used are dropped, translations are kept. tests/test_i18n.py
fails until every id has its Kiswahili.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
CATALOG = PACKAGE / "locale" / "sw.po"
HEADER = ("# Kiswahili texts of egov-align, in the government's own words (docs/glossary.md).\n"
          "# Updated by `python -m egov_align.locale.catalog`; translations are written here by hand.")
KEYWORDS = {"_": None, "N_": None, "Noun": (1, 2)}


def extracted() -> dict:
    """msgid (a str, or (singular, plural)) -> the places that use it."""
    from babel.messages.extract import extract_from_dir

    from egov_align.rules import RULES, explanation

    found: dict = {}
    for filename, line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS):
        found.setdefault(message, []).append(f"{filename}:{line}")
    for name, rule in RULES.items():
        for text in explanation(rule).values():
            found.setdefault(text, []).append(f"rules/{rule.__name__.rsplit('.', 1)[1]}.py ({name})")
    return found


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
