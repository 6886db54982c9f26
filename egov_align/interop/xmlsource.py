"""Untrusted XML (ArchiMate exchange files, BPMN) -> an lxml tree, or one clear line with its XML line.

No DTD is accepted at all: exchange and BPMN files never need one, and refusing it shuts
out entity bombs and external entities (XXE) before the parser sees them. The parser is
also told neither to load DTDs, resolve entities nor touch the network.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

MAX_XML_BYTES = 50_000_000
_PROLOG_END = re.compile(rb"<[A-Za-z_]")  # the root element's start


class XmlSourceError(Exception):
    def __init__(self, position: str, message: str):
        super().__init__(f"{position}: {message}")
        self.position = position
        self.message = message


def _prolog(raw: bytes) -> bytes:
    """The bytes before the root element, as ASCII-compatible bytes (UTF-16 files decoded)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = raw[:200_000].decode("utf-16", "replace").encode("utf-8", "replace")
    else:
        head = raw[:200_000]
    match = _PROLOG_END.search(head)
    return head[: match.start()] if match else head


# No DTD, no entities, no network; comments and processing instructions dropped.
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
                   "huge_tree": False, "remove_comments": True, "remove_pis": True}


def parse_xml(path: Path, root_names: tuple[str, ...], what: str, *, max_bytes: int | None = None):
    """The root element of a well-formed XML file whose root is one of `root_names` (local names).

    `max_bytes`: a larger limit than MAX_XML_BYTES, for a file the user trusts (`--max-xml-bytes`):
    a national model's own ArchiMate export is 170 MB, and its tree takes about 12 times that.
    """
    from lxml import etree

    shown, raw = _checked(path, max_bytes)
    with _as_source_errors(shown):
        root = etree.fromstring(raw, etree.XMLParser(**_PARSER_OPTIONS))
    _check_root(root, shown, root_names, what)
    return root


def iterparse_xml(path: Path, root_names: tuple[str, ...], what: str, *, max_bytes: int | None = None,
                  events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, object]]:
    """("start", root), then the parser's `events` as it reads: a reader that drops each part
    once it has taken what it needs never holds the whole tree (a national export's took 2 GB).
    The same checks as parse_xml; a fault in the file is an XmlSourceError when the parser reaches it."""
    from lxml import etree

    shown, raw = _checked(path, max_bytes)
    parsing = etree.iterparse(io.BytesIO(raw), events=("start", *events), **_PARSER_OPTIONS)
    with _as_source_errors(shown):
        _start, root = next(parsing)
        _check_root(root, shown, root_names, what)
        yield "start", root
        for event, node in parsing:
            if event in events:
                yield event, node


def _checked(path: Path, max_bytes: int | None) -> tuple[str, bytes]:
    """The file's name as shown and its bytes: a regular file, under the limit, without a DTD."""
    limit = max_bytes or MAX_XML_BYTES
    shown = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise XmlSourceError(shown, "not a regular file")
    except OSError as error:
        raise XmlSourceError(shown, f"cannot read: {error.strerror or error}") from None
    if size > limit:
        raise XmlSourceError(shown, f"{size:,} bytes, over the limit of {limit:,} for an XML file: split it, or "
                                    "if you trust it, raise the limit with --max-xml-bytes")
    with open(path, "rb") as handle:
        raw = handle.read(limit + 1)
    prolog = _prolog(raw)
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        line = prolog[: prolog.find(b"<!")].count(b"\n") + 1
        raise XmlSourceError(f"{shown}:{line}", "a DOCTYPE (DTD) declaration: not accepted, as it can define "
                                                "entity bombs or read local files; remove it")
    return shown, raw


@contextlib.contextmanager
def _as_source_errors(shown: str) -> Iterator[None]:
    from lxml import etree

    try:
        yield
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        raise XmlSourceError(f"{shown}:{line}", f"not well-formed XML: {error.msg}") from None
    except ValueError as error:
        raise XmlSourceError(shown, f"not readable XML: {error}") from None


def _check_root(root, shown: str, root_names: tuple[str, ...], what: str) -> None:
    from lxml import etree

    local = etree.QName(root).localname
    if local not in root_names:
        raise XmlSourceError(f"{shown}:{root.sourceline or 1}", f"the root element is <{local}>, not "
                             f"{' or '.join(f'<{n}>' for n in root_names)}: not {what}")


def local_name(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
