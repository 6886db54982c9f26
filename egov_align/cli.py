"""The command line: parse -> build -> execute; `main` returns the exit code of docs/output.md.

0 ok; 1 invalid model or a finding at or above --fail-on; 2 usage, configuration or a
missing path; 3 internal error (a bug of ours). Our own errors print one line on stderr,
never a traceback (unless --debug), and nothing here ever writes under the model paths.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from egov_align import __version__
from egov_align.cache import Cache, CacheLocationError, user_cache
from egov_align.config import FAIL_ON, Config, ConfigError, load_config
from egov_align.discovery import (
    Discovery,
    PathNotFound,
    discover,
    enclosing_repository,
    is_model_repository,
    model_paths,
    within,
)
from egov_align.findings import Severity
from egov_align.i18n import FINDING, LANGUAGES, PROCESS, LanguageError, _, choose, count, language, severity_word, use
from egov_align.names import did_you_mean, printable
from egov_align.perf import heap_frozen
from egov_align.reporters import ANALYZE_FORMATS, IN_PIECES, REPORTERS, TRANSLATED_FORMATS, VALIDATE_FORMATS, ReportOptions
from egov_align.results import Result, validation_result

if TYPE_CHECKING:
    from egov_align.loader import LoadResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DOCS = "docs/ of the egov-align project"
DIAGRAM_FORMATS = ("svg", "png", "dot")
EXPORT_FORMATS = ("graphml", "json", "sheet", "archimate")
IMPORT_FORMATS = ("sheet", "backstage", "bpmn", "archimate")


class UsageError(Exception):
    """Bad options or paths: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from None


def _positive_int(text: str) -> int:
    """A size or count of at least 1; `200_000_000` and `200,000,000` read as written."""
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _model_options(parser: argparse.ArgumentParser, *, positional: bool = True) -> None:
    if positional:
        parser.add_argument("paths", nargs="*", metavar="PATH",
                            help="model files or directories; a model repository (a folder with egov-align.toml, "
                                 "models/ or processes/) means its model paths (default: the current directory)")
    parser.add_argument("--model", metavar="PATH", action="append", default=[],
                        help="a model file, directory or repository, in place of PATH; repeatable")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the cache in the user's cache directory")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes for reading large models (default: one per core)")


def _lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=tuple(LANGUAGES), default=None,
                        help="the language of text output: en or sw (Kiswahili); default: `lang` in egov-align.toml, "
                             "else EGOV_ALIGN_LANG, else en. JSON, SARIF and GitHub output stay English")


def _output_options(parser: argparse.ArgumentParser, formats: tuple[str, ...], *, default: str | None = "text") -> None:
    parser.add_argument("--format", choices=formats, default=default,
                        help=f"output format: {', '.join(formats)} (default: {default or 'from the -o extension'})")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in text output (default: auto, i.e. only on a terminal and without NO_COLOR)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE instead of standard output (never a file under the model paths)")


COMMAND_HELP = {
    "validate": "check the model files (docs/model-format.md)",
    "analyze": "validate, then find gaps, overlaps and unsupported steps (docs/rules.md)",
    "diff": "compare two models: OLD NEW, or the working tree with --base GITREF",
    "export": "write the model out: export graphml|json|sheet|archimate -o FILE",
    "import": "read a model in: import sheet|backstage|bpmn|archimate SOURCE -o DIR (docs/import-export.md)",
    "history": "metrics and finding counts at each commit that changed the model (from git)",
    "report": "a document for leaders to print and forward: report -o FILE.html|FILE.pdf",
    "schema": "print the JSON Schema of a model file",
    "rules": "list the analysis rules and this repository's policies",
    "init": "start a new model repository (never overwrites a file)",
    "render": "draw a diagram: process, landscape, integrations or system",
    "dashboard": "start the leaders' dashboard (Streamlit) on a model",
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="egov-align", description="Align government processes with the ICT systems "
                     "that support them: validate and analyze YAML models. Reference: " + DOCS)
    parser.add_argument("--version", action="version", version=f"egov-align {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    validate = commands.add_parser("validate", help=COMMAND_HELP["validate"])
    _model_options(validate)
    _output_options(validate, VALIDATE_FORMATS)
    _lang_option(validate)
    validate.add_argument("--fail-on", choices=FAIL_ON, default=None,
                          help="every diagnostic is an error: only `never` changes the exit code (0, "
                               "diagnostics still printed)")

    analyze_ = commands.add_parser("analyze", help=COMMAND_HELP["analyze"])
    _model_options(analyze_)
    _output_options(analyze_, ANALYZE_FORMATS)
    _lang_option(analyze_)
    analyze_.add_argument("--fail-on", choices=FAIL_ON, default=None,
                          help="exit 1 on a finding at or above this severity (default: error)")
    analyze_.add_argument("--as-of", type=_date, default=None, help="date for assessment ages (YYYY-MM-DD)")
    analyze_.add_argument("--retire", metavar="SYSTEM[,SYSTEM...]", action="append", default=[],
                          help="what-if: analyze as if these systems were retired")

    diff = commands.add_parser("diff", help=COMMAND_HELP["diff"])
    diff.add_argument("paths", nargs="*", metavar="PATH", help="OLD NEW (model repositories or directories), "
                                                               "or with --base the model paths to compare")
    diff.add_argument("--base", metavar="GITREF", help="compare the working tree with this git revision")
    diff.add_argument("--fail-on-new", choices=FAIL_ON, default="never",
                      help="exit 1 only when the change introduces a finding at or above this severity")
    diff.add_argument("--as-of", type=_date, default=None, help="date for assessment ages (YYYY-MM-DD)")
    diff.add_argument("--no-cache", action="store_true",
                      help="neither read nor write the cache in the user's cache directory")
    _output_options(diff, ("text", "json", "markdown"))
    _lang_option(diff)

    export = commands.add_parser("export", help=COMMAND_HELP["export"])
    _model_options(export)
    _output_options(export, EXPORT_FORMATS, default=None)

    import_ = commands.add_parser("import", help=COMMAND_HELP["import"])
    import_.add_argument("source_format", choices=IMPORT_FORMATS, metavar="FORMAT",
                         help=f"what to read: {', '.join(IMPORT_FORMATS)}")
    import_.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="sheet: one .xlsx workbook or .csv file; backstage: catalog files or directories; "
                              "bpmn: one or more .bpmn files; archimate: one exchange .xml (or Archi .archimate) file")
    import_.add_argument("-o", "--output", metavar="DIR", help="a new or empty directory for the model")
    import_.add_argument("--into", metavar="REPO", help="add new files to this model repository (never changes one)")
    import_.add_argument("--force", action="store_true", help="replace files an earlier import wrote in DIR")
    import_.add_argument("--kind", choices=("model", "institutions", "capabilities", "data_entities", "systems",
                                            "integrations", "services", "processes", "steps"),
                         help="the kind a CSV file holds (default: from its name, e.g. systems.csv)")
    import_.add_argument("--owner", metavar="INSTITUTION",
                         help="bpmn: the institution that owns a process drawn without pools")
    import_.add_argument("--lanes", choices=("roles", "institutions"), default="roles",
                         help="bpmn: lanes are roles (a step tag lane:NAME; default) or the performing institutions")
    import_.add_argument("--name-lang", metavar="LANG",
                         help="archimate: the language of names to take (xml:lang; default: English, else the first)")
    import_.add_argument("--max-xml-bytes", type=_positive_int, metavar="N",
                         help="archimate, bpmn: read an XML file up to N bytes (default 50,000,000), for a file you "
                              "trust")
    import_.add_argument("--format", choices=("text", "json"), default="text", help="the import report's format")

    report = commands.add_parser("report", help=COMMAND_HELP["report"])
    _model_options(report)
    report.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="FILE.html (self-contained) or FILE.pdf (needs the extra: pip install 'egov-align[pdf]')")
    _lang_option(report)

    history = commands.add_parser("history", help=COMMAND_HELP["history"])
    history.add_argument("paths", nargs="*", metavar="PATH", help="the model (default: this model repository)")
    history.add_argument("--model", metavar="PATH", action="append", default=[], help="in place of PATH; repeatable")
    history.add_argument("--since", metavar="REV", help="only commits after this revision (a tag, branch or commit)")
    history.add_argument("--max", type=int, metavar="N", help="only the last N commits that changed the model")
    history.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: one per core)")
    history.add_argument("--no-cache", action="store_true",
                         help="neither read nor write the cache in the user's cache directory")
    _output_options(history, ("text", "json", "csv"))
    _lang_option(history)

    schema = commands.add_parser("schema", help=COMMAND_HELP["schema"])
    schema.add_argument("-o", "--output", metavar="FILE")

    _lang_option(commands.add_parser("rules", help=COMMAND_HELP["rules"]))

    init = commands.add_parser("init", help=COMMAND_HELP["init"])
    init.add_argument("directory", metavar="DIR")
    init.add_argument("--currency", metavar="CODE", help="the ISO 4217 code of annual costs, e.g. TZS, KES, USD "
                                                         "(default: asked on a terminal, else TZS)")

    render = commands.add_parser("render", help=COMMAND_HELP["render"])
    render.add_argument("kind", choices=("process", "landscape", "integrations", "system"))
    render.add_argument("id", nargs="?", help="the process or system to draw (process, system)")
    _model_options(render, positional=False)
    render.add_argument("--institution", help="only this institution's systems (landscape, integrations)")
    render.add_argument("--capability", help="only systems providing this capability (landscape)")
    _output_options(render, DIAGRAM_FORMATS, default=None)

    dashboard = commands.add_parser("dashboard", help=COMMAND_HELP["dashboard"])
    dashboard.add_argument("--model", metavar="DIR", help="the model repository to show (default: the current "
                                                          "directory, when it is one)")
    dashboard.add_argument("--port", type=int, metavar="N", help="the port to serve on (default: 8501)")
    dashboard.add_argument("--address", metavar="ADDR", help="the address to listen on (default: all)")
    dashboard.add_argument("--allow-directories", metavar="ROOT",
                           help="let visitors open model folders under ROOT (default: they cannot name server paths)")
    dashboard.add_argument("--require-login", action="store_true",
                           help="only logged-in users (OpenID Connect, [auth] in .streamlit/secrets.toml) see anything")
    dashboard.add_argument("--headless", action="store_true", help="do not open a browser")
    return parser


def _overview(parser: argparse.ArgumentParser) -> str:
    lines = [parser.format_usage().strip(), "", "commands:"]
    lines += [f"  {name:<10} {text}" for name, text in COMMAND_HELP.items()]
    lines += ["", "Run `egov-align COMMAND --help` for a command's options; reference: " + DOCS]
    return "\n".join(lines)


def parse(argv: list[str]) -> argparse.Namespace:
    """argparse, plus what it does not say: the commands when none is given, did-you-mean."""
    parser = build_parser()
    commands = COMMAND_HELP
    argv = [a for a in argv if a != "--debug"]
    if not argv:
        raise UsageError(f"a command is needed\n{_overview(parser)}")
    first = argv[0]
    if first.startswith("-") and first not in ("-h", "--help", "--version"):
        raise UsageError(f"unknown option {first!r} (options go after the command)\n{_overview(parser)}")
    if not first.startswith("-") and first not in commands:
        raise UsageError(f"unknown command {first!r}{did_you_mean(first, commands)}; commands: {', '.join(commands)}")
    return parser.parse_args(argv)


# ---------------------------------------------------------------- the model a command reads


def _given(args) -> list[str]:
    given = [*getattr(args, "paths", []), *getattr(args, "model", [])]
    if any(p == "" for p in given):
        raise UsageError("an empty path was given; name a file or directory")
    return given


def _repository(path: str) -> tuple[list[str], Config | None]:
    """A model repository's own model paths and configuration (DESIGN 12); any other path as it is."""
    if not os.path.lexists(path):
        raise PathNotFound(f"{path}: no such file or directory")
    directory = Path(path)
    if not is_model_repository(directory):
        return [path], None
    config = load_config(directory)
    return [os.path.normpath(str(p)) for p in model_paths(directory, config.paths)], config


def resolve_model(args) -> tuple[list[str], Config]:
    """The model paths and configuration in force (DESIGN 12: a model repository means its paths)."""
    given = _given(args)
    if not given:
        if not is_model_repository(Path.cwd()):
            raise UsageError("no model paths given, and this directory has no egov-align.toml, models/ or "
                             "processes/; name the model directories, e.g. `egov-align validate models`")
        given = ["."]
    config: Config | None = None
    paths: list[str] = []
    for path in given:
        found, repository = _repository(path)
        if repository is not None and found == [os.path.normpath(path)]:
            raise UsageError(f"{path}: a model repository, but none of its model paths "
                             f"({', '.join(repository.paths)}) exists")
        config = config or repository
        paths += found
    config = config or load_config(Path.cwd())
    _use_language(args, config)
    hint = _part_of_a_repository(given, args.command)
    if hint:
        print(f"egov-align: hint: {printable(hint)}", file=sys.stderr)
    if getattr(args, "fail_on", None):
        config = config.replace(fail_on=args.fail_on)
    return paths, config


def _part_of_a_repository(given: list[str], command: str) -> str | None:
    """Said when the paths leave out model files of the repository they lie in: a planner checking
    the one file they edited otherwise sees every id defined in the other files as unknown."""
    inside: dict[Path, list[str]] = {}  # repository -> the paths given inside it: its configuration read once
    for path in given:
        if not is_model_repository(Path(path)) and (root := enclosing_repository(path)) is not None:
            inside.setdefault(root, []).append(path)
    for root, paths in inside.items():
        try:
            repository_paths = model_paths(root, load_config(root).paths)
        except (ConfigError, PathNotFound):
            continue
        # beside the model (a test fixture, an export) is not a part of it
        path = next((p for p in paths if any(_within(p, model_path) for model_path in repository_paths)), None)
        left_out = [m for m in repository_paths if not any(_within(m, g) for g in given)]
        if path is not None and left_out:
            return (f"{path} is only part of the model repository {_shown(root)}; the rest of its model "
                    f"({', '.join(map(_shown, left_out))}) is not read, so ids defined there are unknown here and "
                    f"the analyses see part of the model: give {_shown(root)} as the model to read all of it"
                    + (f" (`egov-align {command} {_shown(root)}`)" if command in ("validate", "analyze") else ""))
    return None


def _shown(path) -> str:
    """A path relative to the current directory when it lies under it, else absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith("..") else relative


def _within(path, directory) -> bool:
    return within(os.path.abspath(path), [os.path.abspath(directory)])


def _use_language(args, config: Config | None = None) -> None:
    """DESIGN 10: --lang, else `lang` in egov-align.toml, else EGOV_ALIGN_LANG, else English."""
    try:
        use(choose(getattr(args, "lang", None), config.lang if config is not None else None))
    except LanguageError as error:
        raise UsageError(str(error)) from None


def guard_output(args, paths: list[str]) -> None:
    """Refuse an -o that lands on or under the model paths: the tool never writes there."""
    output = getattr(args, "output", None)
    if output is None:
        return
    if output == "":
        raise UsageError("-o: an empty file name")
    target = os.path.realpath(output)
    for path in paths:
        root = os.path.realpath(path)
        if within(target, [root]):
            raise UsageError(f"-o {output}: that is {'a model file' if target == root else 'under the model path ' + path}; "
                             "egov-align never writes there: write the output elsewhere")


def _cache(args, config: Config, paths: list[str]) -> Cache | None:
    return None if getattr(args, "no_cache", False) else user_cache(config, paths)


def _discover(paths: list[str]) -> Discovery:
    """The model files, with a notice on stderr for each thing skipped; none at all is a usage error."""
    found = discover(paths)
    for notice in found.notices:
        print(f"egov-align: notice: {printable(notice)}", file=sys.stderr)
    if not found.sources:
        raise UsageError(f"{', '.join(paths)}: no model files here (*.yaml, *.yml)")
    return found


def load_for(args, config: Config, paths: list[str], *, want_model: bool, found: Discovery | None = None,
             cache: Cache | None = None) -> LoadResult:
    from egov_align.loader import load  # YAML and pydantic: imported when a model is read

    found = found or _discover(paths)
    return load(found.sources, max_bytes=config.max_file_bytes, cache=cache or _cache(args, config, paths),
                want_model=want_model, jobs=args.jobs, notices=found.notices, policies=config.policy_names)


@functools.lru_cache(maxsize=32)
def _lines(file: str) -> tuple[str, ...]:
    if not os.path.isfile(file):  # before opening: a FIFO would block the open itself
        return ()
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            return tuple(text.rstrip("\n")[:2_000] for text in handle.read(5_000_000).splitlines())
    except OSError:
        return ()


def _source_line(file: str, line: int) -> str | None:
    lines = _lines(file)
    return lines[line - 1] if 0 < line <= len(lines) else None


def _use_color(args, stream) -> bool:
    choice = getattr(args, "color", "auto")
    if choice != "auto":
        return choice == "always"
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR") \
        and not getattr(args, "output", None)


def _options(args, command: str, model=None, config: Config | None = None, info: dict | None = None) -> ReportOptions:
    """`info`: the model's name and currency when the model itself was not loaded (a cached analysis)."""
    info = info or ({"name": model.info.name, "currency": model.info.currency} if model is not None else {})
    return ReportOptions(color=_use_color(args, sys.stdout), command=command,
                         currency=info.get("currency"), model_name=info.get("name"),
                         source_line=_source_line, version=__version__,
                         policies=config.policies if config is not None else ())


def _emit(args, text: str | bytes | memoryview) -> None:
    """Output as it was rendered: JSON and SARIF come as UTF-8 bytes (no second copy as str)."""
    if not isinstance(text, str):
        _emit_pieces(args, [text])
    elif getattr(args, "output", None):
        Path(args.output).write_bytes(text.encode("utf-8"))
    else:
        sys.stdout.write(text)


def _emit_pieces(args, pieces: Iterable[bytes | memoryview], *, also: Callable[[bytes], None] | None = None) -> None:
    """UTF-8 output written as it is rendered, each piece also given to `also` (the cache)."""
    output = getattr(args, "output", None)
    with open(output, "wb") if output else contextlib.nullcontext() as handle:
        if handle is not None:
            write = handle.write
        elif hasattr(sys.stdout, "buffer"):
            sys.stdout.flush()
            write = sys.stdout.buffer.write
        else:  # a text-only stream (an embedding program, the tests); each piece is whole UTF-8
            def write(piece):
                sys.stdout.write(bytes(piece).decode("utf-8", "surrogateescape"))
        for piece in pieces:
            write(piece)
            if also is not None:
                also(piece)


def fails(result: Result, fail_on: str) -> bool:
    return fail_on != "never" and (not result.valid or _fails_counted(result.summary(), fail_on))


def _fails_counted(summary: dict, fail_on: str) -> bool:
    """`fails` from a valid result's summary (its counts of errors, warnings and infos): a stored
    analysis's exit code without its findings read."""
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(summary[counted] for counted, severity in (("errors", Severity.ERROR), ("warnings", Severity.WARNING),
                                                          ("infos", Severity.INFO)) if severity.rank >= threshold)


def _show(items, limit: int = 10) -> str:
    """'a, b, c' or 'a, b, … and 17 more'."""
    items = sorted(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


# ---------------------------------------------------------------- commands


def cmd_validate(args) -> int:
    paths, config = resolve_model(args)
    guard_output(args, paths)
    found = _discover(paths)
    cache = _cache(args, config, paths)
    key, rendered_key, rendered = _remembered(args, config, found, cache, "validate")
    if rendered is not None:  # an unchanged model prints what it printed last time, without a file parsed
        _emit(args, rendered[0])
        return rendered[1]
    loaded = load_for(args, config, paths, want_model=False, found=found, cache=cache)
    return _report(args, config, validation_result(loaded), _options(args, "validate"), cache, rendered_key)


def _valid_model(args, config: Config, paths: list[str]) -> LoadResult | None:
    """The loaded model, or None after printing its diagnostics (the command then exits 1)."""
    loaded = load_for(args, config, paths, want_model=True)
    if not loaded.valid:
        sys.stdout.write(REPORTERS["text"](validation_result(loaded), options=_options(args, "validate")))
        return None
    return loaded


def _remembered(args, config: Config, found: Discovery, cache: Cache | None, command: str, digests=None):
    """(analysis key, key of this very output, the output and exit code when printed before) — or Nones.

    The keys cover every model file's content, the configuration, `--as-of`, the day and the code.
    """
    key = _analysis_key(args, config, cache, found.sources, found.notices, command, digests)
    if key is None:
        return None, None, None
    from egov_align import analysis_cache

    rendered_key = analysis_cache.output_key(cache, key, args.format, _use_color(args, sys.stdout), language(),
                                             config.fail_on)
    return key, rendered_key, analysis_cache.fetch_output(cache, rendered_key)


def _analysis_key(args, config: Config, cache: Cache | None, sources, notices, command: str = "analyze",
                  digests=None) -> str | None:
    if cache is None:
        return None
    from egov_align import analysis_cache

    return analysis_cache.analysis_key(cache, sources, max_bytes=config.max_file_bytes,
                                       config_fingerprint=config.analysis_fingerprint(),
                                       as_of=getattr(args, "as_of", None), notices=notices, command=command,
                                       digests=digests)


def _cached_analysis(args, config: Config, cache: Cache | None, sources, notices) -> tuple[str | None, tuple | None]:
    """The key `analyze` uses for these files and this configuration, and what the analysis cache
    holds under it: (Result, the model's name and currency), or None.

    When it holds none but a few process files are all that differ from the last analysis of
    files of these names (a pull request's base against its head), the analysis is made from
    that one's state (egov_align.incremental) and read from the cache.
    """
    from egov_align import analysis_cache

    digests = analysis_cache.file_digests(sources, config.max_file_bytes) if cache is not None else None
    key = _analysis_key(args, config, cache, sources, notices, digests=digests) if digests is not None else None
    if key is None:
        return None, None
    texts = language() != "en"
    hit = analysis_cache.fetch(cache, key, texts=texts)
    if hit is None and _made_after_an_edit(args, config, cache, key, digests, sources, notices):
        hit = analysis_cache.fetch(cache, key, texts=texts)
    return key, hit


def _made_after_an_edit(args, config: Config, cache: Cache, key: str, digests, sources, notices) -> bool:
    """A few process files edited since the last analysis of these files: only what they change
    analysed again (egov_align.incremental), and stored under `key`. False: a full analysis is needed."""
    from egov_align import incremental

    return incremental.reanalyse(cache, digests, key=key, sources=sources, config=config, as_of=args.as_of,
                                 notices=notices, jobs=getattr(args, "jobs", None)) is not None


# The console script leaves with os._exit right after a command and sets this to a list: a
# result is kept in it rather than freed object by object (0.2 s for 150,000 findings).
KEPT_UNTIL_EXIT: list | None = None


def _report(args, config: Config, result: Result, options: ReportOptions, cache: Cache | None,
            rendered_key: str | None) -> int:
    """Print a result in the chosen format, and remember exactly what was printed."""
    if KEPT_UNTIL_EXIT is not None:
        KEPT_UNTIL_EXIT.append(result)
    code = EXIT_FAIL if fails(result, config.fail_on) else EXIT_OK
    remembering = contextlib.nullcontext(None)
    if cache is not None and rendered_key is not None:
        from egov_align.analysis_cache import storing_output

        remembering = storing_output(cache, rendered_key, code)
    try:
        with heap_frozen(), remembering as remember:
            if args.format in IN_PIECES:
                _emit_pieces(args, IN_PIECES[args.format](result, options=options), also=remember)
            else:
                text = REPORTERS[args.format](result, options=options)
                if remember is not None:
                    remember(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
                _emit(args, text)
    except BrokenPipeError:  # the reader left (`| head`) with what it wanted; the verdict stands, the cache has nothing
        pass
    return code


def _from_cache(args, config: Config, cache: Cache, key: str, rendered_key: str, notices) -> int | None:
    """Report the analysis stored under `key`, and return the exit code; None when there is none."""
    from egov_align import analysis_cache

    stored = analysis_cache.stored_at(cache, key)
    if stored is None:
        return None
    if args.format == "json":  # put together from the stored chunks
        members = analysis_cache.json_members(cache, stored)
        if members is not None:
            _emit_pieces(args, analysis_cache.json_report(stored, members, notices))
            return EXIT_FAIL if _fails_counted(stored.summary, config.fail_on) else EXIT_OK
    # the findings' Texts only when they are shown in another language than English
    hit = analysis_cache.fetch_stored(cache, stored, texts=args.format in TRANSLATED_FORMATS and language() != "en")
    if hit is None:
        return None
    result, info = hit
    result.notices = list(notices)
    if args.format == "json":
        return _report_stored_json(args, config, cache, stored, result)
    return _report(args, config, result, _options(args, "analyze", config=config, info=info), cache, rendered_key)


def _report_stored_json(args, config: Config, cache: Cache, stored, result: Result) -> int:
    """The JSON report of a stored analysis, its chunks' members written to the cache as they are
    made (a warm run puts the report together from them: no second copy of 100 MB is kept)."""
    from egov_align.analysis_cache import writing_json_report

    if KEPT_UNTIL_EXIT is not None:
        KEPT_UNTIL_EXIT.append(result)
    code = EXIT_FAIL if fails(result, config.fail_on) else EXIT_OK
    try:
        with heap_frozen():
            _emit_pieces(args, writing_json_report(cache, stored, result))
    except BrokenPipeError:
        pass
    return code


def _retire_list(args, model) -> list[str]:
    names = [n.strip() for chunk in args.retire for n in chunk.split(",") if n.strip()]
    for name in names:
        if name not in model.systems:
            raise UsageError(f"--retire: no system {name!r} in the model{did_you_mean(name, model.systems)}")
    return names


def cmd_analyze(args) -> int:
    paths, config = resolve_model(args)
    guard_output(args, paths)
    found = _discover(paths)
    cache = _cache(args, config, paths)
    key = digests = rendered_key = None
    if not args.retire and cache is not None:  # what-if runs are not cached: they compare two analyses
        from egov_align import analysis_cache

        digests = analysis_cache.file_digests(found.sources, config.max_file_bytes)
        key, rendered_key, rendered = _remembered(args, config, found, cache, "analyze", digests)
        if rendered is not None:  # this very output was printed before: the same model, configuration, day
            _emit(args, rendered[0])
            return rendered[1]
        if key is not None:
            code = _from_cache(args, config, cache, key, rendered_key, found.notices)
            if code is None and _made_after_an_edit(args, config, cache, key, digests, found.sources, found.notices):
                code = _from_cache(args, config, cache, key, rendered_key, found.notices)
            if code is not None:
                return code
    loaded = load_for(args, config, paths, want_model=True, found=found, cache=cache)
    with heap_frozen():  # the model's millions of objects: no collection (an import, a report) walks them again
        if not loaded.valid:
            result = validation_result(loaded)
            _emit(args, REPORTERS[args.format](result, options=_options(args, "analyze")))
            return EXIT_FAIL
        from egov_align.analyze import analyze
        from egov_align.graph import Index

        model = loaded.model
        retire = _retire_list(args, model)
        if retire and args.format not in ("text", "json", "markdown"):
            raise UsageError("--retire reports changes: use --format text, json or markdown")
        index = Index(model)
        result = analyze(model, config=config, as_of=args.as_of, index=index)
        result.notices = list(loaded.notices)
        stored = None
        if key is not None:
            from egov_align import incremental

            stored = analysis_cache.store(cache, key, result, model_name=model.info.name,
                                          currency=model.info.currency)
            incremental.remember(cache, digests, key=key, config=config, as_of=args.as_of, notices=found.notices,
                                 model=model, index=index, result=result)
        options = _options(args, "analyze", model, config)
        if retire:
            from egov_align.compare import what_if
            from egov_align.reporters.changes import render_comparison

            comparison = what_if(model, retire, config=config, as_of=args.as_of, baseline=result)
            _emit(args, render_comparison(comparison, args.format, options))
            return EXIT_FAIL if fails(comparison.after, config.fail_on) else EXIT_OK
        del loaded, model  # a national model is hundreds of MB the output does not need: freed before it is built
        if stored is not None and args.format == "json":
            return _report_stored_json(args, config, cache, stored, result)
        return _report(args, config, result, options, cache, rendered_key)


def cmd_diff(args) -> int:
    from egov_align.reporters.changes import render_comparison

    if args.base:
        from egov_align.gitsource import GitError, sources_at

        paths, config = resolve_model(args)
        guard_output(args, paths)
        try:
            old_sources = sources_at(args.base, [os.path.relpath(p) for p in paths], cwd=Path.cwd())
        except GitError as error:
            raise UsageError(f"--base {args.base}: {error}") from None
        old_notices, new_found = [], discover(paths)
        new_sources, new_notices = new_found.sources, new_found.notices
    else:
        if len(args.paths) != 2:
            raise UsageError("diff takes two model directories (OLD NEW), or --base GITREF [PATH...]")
        (old_paths, _old_config), (new_paths, new_config) = (_repository(p) for p in args.paths)
        config = new_config or load_config()  # both sides are analysed with NEW's configuration
        paths = old_paths + new_paths
        guard_output(args, paths)
        old_found, new_found = discover(old_paths), discover(new_paths)
        old_sources, old_notices, new_sources, new_notices = (old_found.sources, old_found.notices,
                                                              new_found.sources, new_found.notices)
    cache = _cache(args, config, paths)
    with heap_frozen():  # two models' millions of objects: no collection walks them again
        compared = _comparison(args, config, cache, (old_sources, old_notices), (new_sources, new_notices),
                               roots=("", "") if args.base else tuple(args.paths))
        if compared is None:
            return EXIT_FAIL
        comparison, info = compared
        _emit(args, render_comparison(comparison, args.format, _options(args, "diff", info=info)))
    if args.fail_on_new == "never":
        return EXIT_OK
    threshold = Severity(args.fail_on_new).rank
    return EXIT_FAIL if any(f.severity.rank >= threshold for f in comparison.introduced) else EXIT_OK


def _comparison(args, config: Config, cache: Cache | None, old: tuple, new: tuple, *, roots: tuple[str, str]):
    """(the comparison of the two sides, the new model's name and currency), or None after printing
    why a side is invalid. `old` and `new` are (sources, notices); `roots` as in loader.changed_parts.

    Each side's analysis goes through the analysis cache (`analyze` of the head, or the diff
    before, made it already); only a side without one is read whole, through the per-file cache.
    A cached analysis is only ever made of a valid model, so when a side comes from the cache
    only the files that differ are read for the element diff (loader.changed_parts).
    """
    from egov_align import analysis_cache
    from egov_align.analyze import analyze
    from egov_align.compare import compare_results, diff_elements
    from egov_align.loader import changed_parts, load

    def read(sources):
        return load(sources, max_bytes=config.max_file_bytes, cache=cache, policies=config.policy_names)

    cached = [_cached_analysis(args, config, cache, sources, notices) for sources, notices in (old, new)]
    sides = [read(sources) if hit is None else None
             for (sources, _notices), (_key, hit) in zip((old, new), cached, strict=True)]
    invalid = [(name, side) for name, side in zip(("old", "new"), sides, strict=True) if side and not side.valid]
    for name, side in invalid:
        sys.stdout.write(f"the {name} model is invalid:\n")
        sys.stdout.write(REPORTERS["text"](validation_result(side), options=_options(args, "validate")))
    if invalid:
        return None
    parts = None
    if None in sides:
        parts = changed_parts(old[0], new[0], max_bytes=config.max_file_bytes, cache=cache,
                              policies=config.policy_names, roots=roots)
    if parts is None:  # both read whole already (or, never for valid models, a changed file with a problem)
        sides = [side or read(sources) for side, (sources, _notices) in zip(sides, (old, new), strict=True)]
        parts = (sides[0].model, sides[1].model)
    analysed = []
    for (key, hit), side in zip(cached, sides, strict=True):
        if hit is None:
            model = side.model
            hit = (analyze(model, config=config, as_of=args.as_of), {"name": model.info.name,
                                                                      "currency": model.info.currency})
            if key is not None:
                analysis_cache.store(cache, key, hit[0], model_name=model.info.name, currency=model.info.currency)
        analysed.append(hit)
    (before, _info), (after, info) = analysed
    return compare_results(before, after, elements=diff_elements(*parts)), info


def cmd_export(args) -> int:
    from egov_align.export import export_graph

    if args.paths and args.paths[0] in EXPORT_FORMATS:
        if args.format and args.format != args.paths[0]:
            raise UsageError(f"export {args.paths[0]} and --format {args.format} disagree: give one")
        args.format = args.paths.pop(0)
    if not args.format:
        raise UsageError(f"name the format: egov-align export {'|'.join(EXPORT_FORMATS)} -o FILE")
    if args.format == "sheet" and not args.output:
        raise UsageError("export sheet writes a workbook: give -o FILE.xlsx")
    paths, config = resolve_model(args)
    guard_output(args, paths)
    loaded = _valid_model(args, config, paths)
    if loaded is None:
        return EXIT_FAIL
    if args.format == "sheet":
        from egov_align.analyze import analyze
        from egov_align.interop.sheet_export import export_sheet

        result = analyze(loaded.model, config=config)
        _emit(args, export_sheet(loaded.model, result))
        print(f"wrote {printable(args.output)}: {len(loaded.model.systems)} systems, "
              f"{len(result.findings)} findings (import it back with `egov-align import sheet`)")
        return EXIT_OK
    if args.format == "archimate":
        from egov_align.interop.archimate_export import export_archimate

        _emit_pieces(args, export_archimate(loaded.model))
        if args.output:
            print(f"wrote {printable(args.output)}: ArchiMate 3.1 exchange format, {len(loaded.model.processes)} "
                  "process views and a landscape view (open it in Archi: File > Import > Open Exchange XML Model)")
        return EXIT_OK
    _emit_pieces(args, export_graph(loaded.model, args.format))
    return EXIT_OK


def cmd_import(args) -> int:
    from egov_align.interop import render_text, run_import
    from egov_align.interop.output import TargetError, target

    for source in args.sources:
        if not os.path.lexists(source):
            raise PathNotFound(f"{source}: no such file or directory")
    if args.kind and args.source_format != "sheet":
        raise UsageError("--kind is for import sheet (a CSV file holds one kind)")
    try:
        where = target(args.output, args.into, args.force)
    except TargetError as error:
        raise UsageError(str(error)) from None
    report = run_import(args.source_format, args.sources, where, kind=args.kind, lanes=args.lanes, owner=args.owner,
                        name_lang=args.name_lang, max_xml_bytes=args.max_xml_bytes)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(report, where))
    return EXIT_FAIL if report.problems else EXIT_OK


def cmd_report(args) -> int:
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise UsageError(f"-o {args.output}: name an .html or .pdf file")
    if suffix == ".pdf":
        try:
            import weasyprint  # noqa: F401
        except (ImportError, OSError):
            raise UsageError("a PDF report needs WeasyPrint: pip install 'egov-align[pdf]' (or write -o report.html "
                             "and print it from a browser)") from None
    from egov_align.analyze import analyze
    from egov_align.report import build_report, to_pdf

    paths, config = resolve_model(args)
    guard_output(args, paths)
    loaded = _valid_model(args, config, paths)
    if loaded is None:
        return EXIT_FAIL
    result = analyze(loaded.model, config=config)
    trend = None
    try:
        from egov_align.history import history

        trend = history(paths, config, cwd=Path.cwd(), limit=50, jobs=1, cache=_cache(args, config, paths))
    except Exception:  # noqa: BLE001 - no git, not a repository, a shallow clone …: the report goes without the trend
        trend = None
    document = build_report(loaded.model, result, history=trend, policies=config.policies)
    _emit(args, to_pdf(document) if suffix == ".pdf" else document)
    print(_("wrote {file}: {findings}, {processes}", file=printable(args.output),
            findings=count(len(result.findings), FINDING), processes=count(len(loaded.model.processes), PROCESS)))
    return EXIT_OK


def cmd_history(args) -> int:
    from egov_align.gitsource import GitError
    from egov_align.history import history
    from egov_align.reporters.history import render

    if args.max is not None and args.max < 1:
        raise UsageError("--max: give a number of commits, 1 or more")
    paths, config = resolve_model(args)
    guard_output(args, paths)
    try:
        found = history(paths, config, cwd=Path.cwd(), since=args.since, limit=args.max, jobs=args.jobs,
                        cache=_cache(args, config, paths))
    except GitError as error:
        raise UsageError(f"history: {error}") from None
    except ValueError:  # the model paths are not inside this git repository
        raise UsageError("history: the model is not inside the git repository of the current directory") from None
    _emit(args, render(found, args.format))
    return EXIT_OK


def cmd_schema(args) -> int:
    from egov_align.schema import json_schema

    _emit(args, json.dumps(json_schema(), indent=2) + "\n")
    return EXIT_OK


def cmd_rules(args) -> int:
    from egov_align.rules import RULES, VALIDATION_RULES, summary

    config = load_config(Path.cwd())
    _use_language(args, config)
    policies = config.policies
    width = max(map(len, [*RULES, *VALIDATION_RULES, *(p.name for p in policies)]))
    severity = {rule.NAME: severity_word(getattr(rule, "SEVERITY_TEXT", rule.DEFAULT_SEVERITY.value))
                for rule in RULES.values()}
    column = max(7, *(len(text) for text in severity.values() if len(text) < 12))
    lines = [_("Analysis rules (docs/rules.md):")]
    lines += [f"  {name:<{width}}  {severity[name]:<{column}}  {_(summary(rule))}" for name, rule in RULES.items()]
    if policies:
        lines += ["", _("Policies of this repository (egov-align.toml [[policies]]):")]
        for p in policies:  # their texts are the repository's: escaped for the terminal
            lines.append(f"  {p.name:<{width}}  {severity_word(p.severity):<{column}}  {p.kind}: {printable(p.summary)}")
            if p.why:  # the description, under the message
                lines.append(f"  {'':<{width}}  {'':<{column}}  {printable(p.why)}")
    lines += ["", _("Validation diagnostics (always errors; docs/model-format.md):")]
    lines += [f"  {name:<{width}}  {severity_word('error'):<{column}}  {_(text)}"
              for name, text in VALIDATION_RULES.items()]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_init(args) -> int:
    from egov_align.scaffold import scaffold

    if not args.directory.strip():
        raise UsageError("init: name the directory for the new model repository, e.g. `egov-align init my-model`")
    directory = Path(args.directory)
    if directory.is_symlink():
        raise UsageError(f"{args.directory}: is a symbolic link; init writes only into a real directory")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{args.directory}: exists and is not a directory")
    written, skipped = scaffold(directory, currency=_currency(args.currency))
    for name in written:
        print(f"created {printable(directory / name)}")
    for name, reason in skipped:
        print(f"skipped {printable(directory / name)} ({reason})")
    print(f"Next: cd {printable(directory)} && egov-align validate && egov-align analyze")
    return EXIT_OK


def _currency(given: str | None) -> str:
    """--currency, else asked on a terminal, else TZS (the sample's, and Tanzania's)."""
    if given is None and sys.stdin.isatty():
        given = input("Currency of annual costs (ISO 4217 code, e.g. TZS, KES, UGX, USD) [TZS]: ").strip() or "TZS"
    code = (given or "TZS").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise UsageError(f"--currency {given}: use a three-letter ISO 4217 code such as TZS, KES or USD")
    return code


def _diagram_format(args) -> str:
    """--format, else the -o extension, else svg; a disagreement between the two is refused."""
    inferred = None
    if args.output:
        extension = Path(args.output).suffix.lower().lstrip(".")
        inferred = {"gv": "dot"}.get(extension, extension) if extension in (*DIAGRAM_FORMATS, "gv") else None
    if args.format and inferred and args.format != inferred:
        raise UsageError(f"--format {args.format} but -o {args.output} ends in .{inferred}: give one format")
    return args.format or inferred or "svg"


def cmd_render(args) -> int:
    import shutil

    from egov_align import diagrams
    from egov_align.analyze import analyze

    fmt = _diagram_format(args)
    if fmt != "dot" and shutil.which("dot") is None:
        raise UsageError("svg and png need Graphviz's `dot` program: install Graphviz (apt-get install graphviz, "
                         "brew install graphviz, or graphviz.org/download), or use --format dot")
    if fmt == "png" and not args.output:
        raise UsageError("--format png writes binary data: give -o FILE")
    args.paths = []
    paths, config = resolve_model(args)
    guard_output(args, paths)
    loaded = _valid_model(args, config, paths)
    if loaded is None:
        return EXIT_FAIL
    model = loaded.model
    needs_id = {"process": model.processes, "system": model.systems}
    if args.kind in needs_id:
        known = needs_id[args.kind]
        if not args.id or args.id not in known:
            given = f"no {args.kind} {args.id!r}{did_you_mean(args.id, known)}" if args.id else f"name the {args.kind}"
            raise UsageError(f"render {args.kind}: {given}; one of: {_show(known)}")
    for option, table in (("institution", model.institutions), ("capability", model.capabilities)):
        value = getattr(args, option)
        if value and value not in table:
            raise UsageError(f"--{option}: no {option} {value!r}{did_you_mean(value, table)}")
    findings = analyze(model, config=config).findings
    if args.kind == "process":
        graph = diagrams.process_flow(model, findings, args.id)
    elif args.kind == "system":
        graph = diagrams.system_neighbourhood(model, findings, args.id)
    elif args.kind == "landscape":
        graph = diagrams.landscape(model, institution=args.institution, capability=args.capability)
    else:
        graph = diagrams.integration_map(model, findings, institution=args.institution)
    if fmt == "dot":
        _emit(args, graph.source)
    else:
        try:
            diagrams.check_drawable(graph)
        except diagrams.DiagramTooLarge as error:
            raise UsageError(f"render {args.kind}: {error}") from None
        _emit(args, graph.pipe(format=fmt) if args.output else graph.pipe(format="svg", encoding="utf-8"))
    if args.output:
        print(f"wrote {printable(args.output)} ({fmt})")
    return EXIT_OK


def cmd_dashboard(args) -> int:
    from egov_align.dashboard.launch import LaunchError, command, run

    try:
        argv = command(model=args.model, port=args.port, address=args.address,
                       allow_directories=args.allow_directories, require_login=args.require_login,
                       headless=args.headless)
    except LaunchError as error:
        raise UsageError(str(error)) from None
    run(argv)
    return EXIT_OK  # not reached: run() becomes the server


COMMANDS = {"init": cmd_init, "dashboard": cmd_dashboard, "render": cmd_render, "validate": cmd_validate, "analyze": cmd_analyze,
            "diff": cmd_diff, "export": cmd_export, "import": cmd_import, "history": cmd_history, "report": cmd_report,
            "schema": cmd_schema,
            "rules": cmd_rules}


def _say(message: str) -> None:
    print(f"egov-align: {printable(message)}" if "\n" not in message else
          "egov-align: " + "\n".join(printable(line) for line in message.split("\n")), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or bool(os.environ.get("EGOV_ALIGN_DEBUG"))
    spoken = language()  # restored at the end: main may run in-process, e.g. in tests
    try:
        args = parse(argv)
        _use_language(args)
        return COMMANDS[args.command](args)
    except (UsageError, PathNotFound, ConfigError, CacheLocationError) as error:
        _say(f"error: {error}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # e.g. -o names a directory that does not exist
        where = os.fsdecode(error.filename) if error.filename is not None else ""
        _say(f"error: {error.strerror or error}{': ' + where if where else ''}")
        return EXIT_USAGE
    except Exception as error:  # a bug of ours: one line, and the details on request
        if debug:
            traceback.print_exc()
        _say(f"internal error: {type(error).__name__}: {error} — this is a bug in egov-align {__version__}; "
             "please report it with the command you ran (add --debug to see the traceback)")
        return EXIT_INTERNAL
    finally:
        use(spoken)
