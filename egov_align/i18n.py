"""English and Kiswahili for every fixed text a person reads (DESIGN 10).

Texts are written in English in the code and marked for translation: `_()` translates now,
`N_()` marks a template kept for later (a finding's message is rendered in English for
JSON, SARIF and GitHub, and again in the reader's language for text, the report and the
dashboard), `Noun()` marks the singular and plural of a counted word. The Kiswahili is in
`egov_align/locale/sw.po`, a gettext catalog read directly with Babel the first time it is
needed; `tests/test_i18n.py` fails on a message without a translation and on a template
whose fields differ between the languages. docs/glossary.md lists the words used.

The language is `--lang`, else `lang` in egov-align.toml, else EGOV_ALIGN_LANG, else
English; it is held in a context variable, so each dashboard session has its own.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import string
from pathlib import Path
from typing import NamedTuple

LANGUAGES = {"en": "English", "sw": "Kiswahili"}
LOCALE = Path(__file__).resolve().parent / "locale"
_language = contextvars.ContextVar("egov_align_language", default="en")


class LanguageError(ValueError):
    """A language egov-align has no texts for."""


def checked(lang: str, where: str) -> str:
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise LanguageError(f"{where}: language {lang!r} is not available; use one of {', '.join(LANGUAGES)}")
    return code


def choose(given: str | None = None, configured: str | None = None) -> str:
    """DESIGN 10: `--lang`, else `lang` in egov-align.toml, else EGOV_ALIGN_LANG, else English."""
    if given:
        return checked(given, "--lang")
    if configured:
        return checked(configured, "egov-align.toml: `lang`")
    environment = os.environ.get("EGOV_ALIGN_LANG", "")
    return checked(environment, "EGOV_ALIGN_LANG") if environment.strip() else "en"


def use(lang: str) -> None:
    _language.set(lang)


def language() -> str:
    return _language.get()


@contextlib.contextmanager
def speaking(lang: str):
    """The texts inside in `lang`: machine output and pull-request comments stay English."""
    token = _language.set(lang)
    try:
        yield
    finally:
        _language.reset(token)


def in_english(render):
    """A renderer whose output is English whatever the language in force (DESIGN 10)."""
    @functools.wraps(render)
    def english(*args, **kwargs):
        with speaking("en"):
            return render(*args, **kwargs)
    return english


def pieces_in_english(pieces):
    """in_english for a renderer that yields its output in pieces: English until the last one."""
    @functools.wraps(pieces)
    def english(*args, **kwargs):
        with speaking("en"):
            yield from pieces(*args, **kwargs)
    return english


def N_(text: str) -> str:
    """Marks a template for the catalog; it is translated where it is shown."""
    return text


class Noun(NamedTuple):
    """A counted word: `Noun("{n:,} system", "{n:,} systems")`."""

    singular: str
    plural: str


@functools.cache
def catalog(lang: str) -> dict:
    """msgid (or (singular, plural)) -> translation, from the .po file; {} for English."""
    if lang == "en":
        return {}
    from babel.messages.pofile import read_po  # only when a translation is asked for

    with open(LOCALE / f"{lang}.po", "rb") as po:
        messages = read_po(po, locale=lang)
    return {message.id: message.string for message in messages
            if message.id and message.string and not message.fuzzy
            and (isinstance(message.string, str) or all(message.string))}


def _(text: str, lang: str | None = None, **fields) -> str:
    lang = lang or _language.get()
    translated = catalog(lang).get(text, text) if lang != "en" else text
    return translated.format(**fields) if fields else translated


def count(n: int, noun: Noun, lang: str | None = None) -> str:
    """'1 system', '3 systems'; 'mfumo 1', 'mifumo 3' (Kiswahili puts the number after the noun)."""
    lang = lang or _language.get()
    forms = catalog(lang).get(tuple(noun)) if lang != "en" else None
    if forms:
        return forms[0 if n == 1 else 1].format(n=n)
    return (noun.singular if n == 1 else noun.plural).format(n=n)


class Names(tuple):
    """Ids shown as "`a`, `b` and 3 more" (limit: how many are named)."""

    limit = 5

    def __new__(cls, ids, limit: int = 5):
        names = super().__new__(cls, ids)
        if limit != 5:
            names.limit = limit
        return names


class Count(NamedTuple):
    n: int
    noun: Noun


class Text(NamedTuple):
    """A template and the values of its fields, in the order the English template names them.

    Field values are shown as written (model text, ids, numbers), except Names, Count,
    nested Texts and Parts (Texts joined by a separator), which are rendered in the language.
    """

    template: str
    values: tuple = ()

    @classmethod
    def of(cls, template: str, **fields) -> Text:
        return cls.from_fields(template, fields)

    @classmethod
    def from_fields(cls, template: str, fields: dict) -> Text:
        """150,000 of them at national scale: built without NamedTuple's Python-level __new__."""
        return tuple.__new__(cls, (template, tuple([fields[name] for name in field_names(template)])))

    def render(self, lang: str | None = None) -> str:
        """Text, numbers and ids as they are; the rest in the language (150,000 findings: kept lean)."""
        lang = lang or _language.get()
        values = [value if type(value) in PLAIN else shown(value, lang) for value in self.values]
        template = self.template if lang == "en" else catalog(lang).get(self.template, self.template)
        return numbered(template, self.template).format(*values)

    def __str__(self) -> str:
        return self.render("en")


class Said(str):
    """A message in English that keeps its Text: diagnostics travel as plain strings through the
    parser, the worker processes and the per-file cache, and are shown translated at the end."""

    def __new__(cls, text: Text):
        said = super().__new__(cls, text.render("en"))
        said.text = text
        return said

    def __getnewargs__(self):  # pickled by the loader's workers
        return (self.text,)


def said(template: str, **fields) -> Said:
    return Said(Text.of(template, **fields))


def naming(systems: list[str], one: str, many: str, none: Text | str = "") -> Text | str:
    """Advice in the singular or the plural for the systems it names: `one` filled with
    {system}, `many` with {systems}, or `none` when there are none."""
    if not systems:
        return none
    return Text.of(one, system=systems[0]) if len(systems) == 1 else Text.of(many, systems=Names(systems))


class Parts(NamedTuple):
    items: tuple
    separator: str = "; "


class Written(NamedTuple):
    """Configuration text its author wrote in several languages (a policy's `message`):
    shown in the reader's language, else in English, which is always there."""

    texts: tuple  # ((language, text), ...), English first

    def in_language(self, lang: str) -> str:
        return dict(self.texts).get(lang) or self.texts[0][1]


def shown(value, lang: str):
    if isinstance(value, Names):
        return names(value, value.limit, lang)
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, Count):
        return count(value.n, value.noun, lang)
    if isinstance(value, Parts):
        return value.separator.join(str(shown(item, lang)) for item in value.items)
    if isinstance(value, Written):
        return value.in_language(lang)
    return value


def names(ids, limit: int = 5, lang: str | None = None) -> str:
    ids = ids if type(ids) is list or isinstance(ids, tuple) else list(ids)
    listed = "`" + "`, `".join(ids[:limit]) + "`" if ids else ""
    if len(ids) <= limit:
        return listed
    return _("{listed} and {more} more", lang, listed=listed, more=len(ids) - limit)


PLAIN = frozenset({str, int, float})  # values shown as they are, in any language


@functools.cache
def numbered(template: str, english: str) -> str:
    """`template` with each named field replaced by its position among the English template's
    fields: rendering is then one `format(*values)`, with no dict built per message."""
    position = {name: number for number, name in enumerate(field_names(english))}
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            parts.append("{" + str(position[name]) + (f"!{conversion}" if conversion else "")
                         + (f":{spec}" if spec else "") + "}")
    return "".join(parts)


@functools.cache
def field_names(template: str) -> tuple[str, ...]:
    """The distinct field names of a str.format template, in order."""
    return tuple(dict.fromkeys(name for _text, name, _spec, _conversion in string.Formatter().parse(template)
                               if name))


def message(finding, lang: str | None = None) -> str:
    """A finding's message in the language; diagnostics without a template stay as written. A
    finding of analyze(messages=False) gets the English one analyze would have written."""
    lang = lang or _language.get()
    if finding.text is None or (lang == "en" and finding.message is not None):
        return finding.message
    return finding.text.render(lang)


def to_json(value):
    """A Text as plain JSON values, for the analysis cache (no pickle: cached data is input)."""
    if isinstance(value, Text):  # text, ids and numbers (most values) as they are, without a call each
        return {"t": value.template, "v": [v if type(v) in PLAIN else to_json(v) for v in value.values]}
    if isinstance(value, Names):
        return {"n": list(value), "l": value.limit}
    if isinstance(value, Count):
        return {"c": value.n, "s": value.noun.singular, "p": value.noun.plural}
    if isinstance(value, Parts):
        return {"p": [to_json(v) for v in value.items], "s": value.separator}
    if isinstance(value, Written):
        return {"w": [list(pair) for pair in value.texts]}
    return value


def json_hook(value):
    """to_json's shapes as orjson's `default`: orjson calls it only for the tuples it does not write
    itself (Text, Names, Count, Parts) and writes everything else natively; the same bytes as
    to_json, in half the time over a national model's 165,000 texts (tests/test_i18n.py)."""
    kind = type(value)
    if kind is Text:
        return {"t": value.template, "v": value.values}
    if kind is Names:
        return {"n": list(value), "l": value.limit}
    if kind is Count:
        return {"c": value.n, "s": value.noun.singular, "p": value.noun.plural}
    if kind is Parts:
        return {"p": value.items, "s": value.separator}
    if kind is Written:
        return {"w": value.texts}
    raise TypeError(f"not a text: {kind.__name__}")


def from_json(value):
    """The inverse of to_json; TypeError or KeyError on anything else (the cache entry is dropped)."""
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if "t" in value:
        if type(value["t"]) is not str:
            raise TypeError("template")
        text = Text(value["t"], tuple(from_json(v) for v in value["v"]))
        if len(text.values) != len(field_names(text.template)):
            raise TypeError("fields")
        return text
    if "n" in value:
        if not all(type(i) is str for i in value["n"]) or type(value["l"]) is not int:
            raise TypeError("names")
        return Names(value["n"], value["l"])
    if "c" in value:
        if type(value["c"]) is not int or type(value["s"]) is not str or type(value["p"]) is not str:
            raise TypeError("count")
        return Count(value["c"], Noun(value["s"], value["p"]))
    if "p" in value:
        if type(value["s"]) is not str:
            raise TypeError("parts")
        return Parts(tuple(from_json(v) for v in value["p"]), value["s"])
    if "w" in value:
        texts = tuple(tuple(pair) for pair in value["w"])
        if not texts or texts[0][0] != "en" or not all(
                len(pair) == 2 and pair[0] in LANGUAGES and type(pair[1]) is str for pair in texts):
            raise TypeError("written")
        return Written(texts)
    raise TypeError("unknown value")


# The counted words of the texts: one place, so the catalog has each once.
FILE = Noun("{n:,} file", "{n:,} files")
INSTITUTION = Noun("{n:,} institution", "{n:,} institutions")
SYSTEM = Noun("{n:,} system", "{n:,} systems")
PROCESS = Noun("{n:,} process", "{n:,} processes")
STEP = Noun("{n:,} step", "{n:,} steps")
PROBLEM = Noun("{n:,} problem", "{n:,} problems")
ERROR = Noun("{n:,} error", "{n:,} errors")
WARNING = Noun("{n:,} warning", "{n:,} warnings")
INFO = Noun("{n:,} info", "{n:,} infos")
FINDING = Noun("{n:,} finding", "{n:,} findings")
RECORD_KINDS = {"overall": N_("overall"), "institutions": N_("institutions"), "capabilities": N_("capabilities"),
                "data_entities": N_("data entities"), "systems": N_("systems"), "integrations": N_("integrations"),
                "services": N_("services"), "processes": N_("processes"), "steps": N_("steps")}
SEVERITY_NOUNS = {"error": ERROR, "warning": WARNING, "info": INFO, "finding": FINDING}
SEVERITY_WORDS = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}

# The English words the model format uses for a system's status and support, a data role and
# a data entity's sensitivity.
VALUE_WORDS = {"planned": N_("planned"), "active": N_("active"), "legacy": N_("legacy"),
               "retiring": N_("retiring"), "retired": N_("retired"), "in-house": N_("in-house"),
               "vendor": N_("vendor"), "mixed": N_("mixed"), "master": N_("master"), "replica": N_("replica"),
               "reader": N_("reader"), "public": N_("public"), "internal": N_("internal"),
               "personal": N_("personal"), "confidential": N_("confidential")}


def severity_word(severity: str, lang: str | None = None) -> str:
    """'error' -> 'kosa': a severity as a reader sees it (JSON keeps the English value)."""
    return _(SEVERITY_WORDS.get(severity, severity), lang)


def value_word(value: str, lang: str | None = None) -> str:
    """'retiring' -> 'unastaafishwa', 'master' -> 'chanzo rasmi': a word of the model format as a
    reader sees it in a table (the files, JSON and the filters' keys keep the English)."""
    return _(VALUE_WORDS[value], lang) if value in VALUE_WORDS else value


def value_text(value: str) -> Text | str:
    """The same word as a field of a finding's message, shown in the language it is read in."""
    return Text(VALUE_WORDS[value]) if value in VALUE_WORDS else value


def long_date(day, lang: str | None = None) -> str:
    """2026-11-30 in English (as the model files write dates); "30 Novemba 2026" in Kiswahili."""
    lang = lang or _language.get()
    if lang == "en" or not hasattr(day, "isoformat"):
        return day.isoformat() if hasattr(day, "isoformat") else str(day)
    from babel.dates import format_date  # only for a translation

    return format_date(day, format="long", locale=lang)
