"""Write the column reference of docs/import-export.md from egov_align/interop/columns.py.

    python docs/build_columns.py          # rewrite the section between the markers
    python docs/build_columns.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from egov_align.interop.columns import COLUMNS  # noqa: E402

TARGET = ROOT / "docs" / "import-export.md"
START, END = "<!-- columns:start (python docs/build_columns.py) -->", "<!-- columns:end -->"
READS = {
    "text": "text", "id": "text (an id: letters, digits, `-`, `_`, `.`)", "bool": "yes or no",
    "count": "whole number", "amount": "number", "date": "date", "ref": "id or exact name of one {refers}",
    "refs": "list of {refers} (ids or exact names)", "holdings": "list of `entity:role` (role: master, replica, "
    "reader; default reader)", "texts": "list of text", "steps": "list of steps of the same process (ids or "
    "exact names)",
}
KINDS = {"data_entities": "data entity", "institutions": "institution", "capabilities": "capability",
         "systems": "system", "services": "service", "processes": "process"}


def _reads(column) -> str:
    if column.type == "enum":
        return "one of " + ", ".join(f"`{v}`" for v in column.values)
    if column.type == "enums":
        return "list of " + ", ".join(f"`{v}`" for v in column.values)
    return READS[column.type].format(refers=KINDS.get(column.refers or "", column.refers))


def section() -> str:
    lines = [START, ""]
    for kind, columns in COLUMNS.items():
        lines += [f"**`{kind}`**", "", "| column | also accepted | cells |", "| --- | --- | --- |"]
        for column in columns:
            name = f"`{column.field}`" + (" (required)" if column.required else "")
            synonyms = ", ".join(f"`{s}`" for s in column.synonyms) or "—"
            lines.append(f"| {name} | {synonyms} | {_reads(column)} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    text = TARGET.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    new = before + section() + after
    if "--check" in sys.argv:
        if new != text:
            print("docs/import-export.md: the column reference is out of date; run python docs/build_columns.py")
            return 1
        return 0
    TARGET.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
