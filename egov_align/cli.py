"""The command line: parse -> build -> execute; `main` returns the DESIGN.md exit code.

0 ok; 1 invalid model or a finding at or above --fail-on; 2 usage error or a missing path.
Our own errors print one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import sys
from pathlib import Path

from egov_align import __version__
from egov_align.cache import Cache, cache_salt, default_cache_dir
from egov_align.config import FAIL_ON, Config, ConfigError, did_you_mean, load_config, model_paths
from egov_align.findings import Severity
from egov_align.loader import LoadResult, PathNotFound, discover, load
from egov_align.reporters import ANALYZE_FORMATS, REPORTERS, VALIDATE_FORMATS, ReportOptions
from egov_align.results import Result, validation_result

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad options or paths: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise UsageError(message)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="model files or directories (default: `paths` in egov-align.toml, "
                             "else models/ and processes/)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE, not stdout")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="egov-align", description="Align government processes with the ICT systems "
                     "that support them: validate and analyze YAML models.")
    parser.add_argument("--version", action="version", version=f"egov-align {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    validate = commands.add_parser("validate", help="check the model files (DESIGN.md section 3)")
    _common(validate)
    validate.add_argument("--format", choices=VALIDATE_FORMATS, default="text")

    analyze_ = commands.add_parser("analyze", help="validate, then find gaps, overlaps and unsupported steps")
    _common(analyze_)
    analyze_.add_argument("--format", choices=ANALYZE_FORMATS, default="text")
    analyze_.add_argument("--fail-on", choices=FAIL_ON, default=None,
                          help="exit 1 on a finding at or above this severity (default: error)")
    analyze_.add_argument("--as-of", type=_date, default=None, help="date for assessment ages (YYYY-MM-DD)")
    analyze_.add_argument("--retire", metavar="SYSTEM[,SYSTEM...]", action="append", default=[],
                          help="what-if: analyze as if these systems were retired")

    diff = commands.add_parser("diff", help="compare two models: OLD NEW directories, or --base GITREF")
    diff.add_argument("paths", nargs="*", metavar="PATH")
    diff.add_argument("--base", metavar="GITREF", help="compare the working tree with this git revision")
    diff.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    diff.add_argument("--fail-on-new", choices=FAIL_ON, default="never",
                      help="exit 1 only when the change introduces a finding at or above this severity")
    diff.add_argument("--as-of", type=_date, default=None)
    diff.add_argument("-o", "--output", metavar="FILE")
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    export = commands.add_parser("export", help="write the alignment graph (GraphML or node-link JSON)")
    _common(export)
    export.add_argument("--format", choices=("graphml", "json"), default="graphml")

    schema = commands.add_parser("schema", help="print the JSON Schema of a model file")
    schema.add_argument("-o", "--output", metavar="FILE")

    commands.add_parser("rules", help="list the analysis rules")

    init = commands.add_parser("init", help="start a new model repository (never overwrites a file)")
    init.add_argument("directory", metavar="DIR")

    render = commands.add_parser("render", help="draw a diagram: process, landscape, integrations or system")
    render.add_argument("kind", choices=("process", "landscape", "integrations", "system"))
    render.add_argument("id", nargs="?", help="the process or system to draw (process, system)")
    render.add_argument("--model", metavar="PATH", action="append", default=[],
                        help="model files or directories (default: as for analyze); repeatable")
    render.add_argument("--institution", help="only this institution's systems (landscape, integrations)")
    render.add_argument("--capability", help="only systems providing this capability (landscape)")
    render.add_argument("--format", choices=("svg", "png", "dot"), default="svg")
    render.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout; png needs -o)")
    render.add_argument("--no-cache", action="store_true")
    render.add_argument("--jobs", type=int, default=None)
    return parser


# ---------------------------------------------------------------- helpers


def _config(args) -> Config:
    config = load_config(Path.cwd())
    if getattr(args, "fail_on", None):
        config = config.replace(fail_on=args.fail_on)
    return config


def _paths(args, config: Config) -> list[str]:
    if args.paths:
        return args.paths
    existing = [p for p in config.paths if Path(p).exists()]
    if not existing:
        raise UsageError(f"no model paths given and none of {', '.join(config.paths)} exists here; "
                         "name the model directories, e.g. `egov-align validate models`")
    return existing


def _cache(args, config: Config) -> Cache | None:
    if getattr(args, "no_cache", False) or os.environ.get("EGOV_ALIGN_NO_CACHE"):
        return None
    return Cache(default_cache_dir(), salt=cache_salt(version=__version__, max_file_bytes=config.max_file_bytes))


def load_for(args, config: Config, *, want_model: bool) -> LoadResult:
    sources = discover(_paths(args, config))
    return load(sources, max_bytes=config.max_file_bytes, cache=_cache(args, config),
                want_model=want_model, jobs=args.jobs)


@functools.lru_cache(maxsize=32)
def _lines(file: str) -> tuple[str, ...]:
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            return tuple(text.rstrip("\n") for text in handle)
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


def _options(args, command: str, model=None) -> ReportOptions:
    info = model.info if model is not None else None
    return ReportOptions(color=_use_color(args, sys.stdout), command=command,
                         currency=info.currency if info else None, model_name=info.name if info else None,
                         source_line=_source_line, version=__version__)


def _emit(args, text: str) -> None:
    if getattr(args, "output", None):
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def fails(result: Result, fail_on: str) -> bool:
    if not result.valid:
        return True
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for f in result.findings)


# ---------------------------------------------------------------- commands


def cmd_validate(args) -> int:
    config = _config(args)
    loaded = load_for(args, config, want_model=False)
    result = validation_result(loaded)
    _emit(args, REPORTERS[args.format](result, options=_options(args, "validate")))
    return EXIT_OK if result.valid else EXIT_FAIL


def _retire_list(args, model) -> list[str]:
    names = [n.strip() for chunk in args.retire for n in chunk.split(",") if n.strip()]
    for name in names:
        if name not in model.systems:
            raise UsageError(f"--retire: no system {name!r} in the model{did_you_mean(name, model.systems)}")
    return names


def cmd_analyze(args) -> int:
    config = _config(args)
    loaded = load_for(args, config, want_model=True)
    if not loaded.valid:
        result = validation_result(loaded)
        _emit(args, REPORTERS[args.format](result, options=_options(args, "analyze")))
        return EXIT_FAIL
    from egov_align.analyze import analyze

    model = loaded.model
    retire = _retire_list(args, model)
    result = analyze(model, config=config, as_of=args.as_of)
    options = _options(args, "analyze", model)
    if retire:
        if args.format not in ("text", "json", "markdown"):
            raise UsageError("--retire reports changes: use --format text, json or markdown")
        from egov_align.compare import what_if
        from egov_align.reporters.changes import render_comparison

        comparison = what_if(model, retire, config=config, as_of=args.as_of, baseline=result)
        _emit(args, render_comparison(comparison, args.format, options))
        return EXIT_FAIL if fails(comparison.after, config.fail_on) else EXIT_OK
    _emit(args, REPORTERS[args.format](result, options=options))
    return EXIT_FAIL if fails(result, config.fail_on) else EXIT_OK


def cmd_diff(args) -> int:
    from egov_align.compare import diff_models
    from egov_align.reporters.changes import render_comparison

    config = load_config(Path.cwd())
    if args.base:
        from egov_align.gitsource import GitError, sources_at

        paths = args.paths or [p for p in config.paths if Path(p).exists()] or list(config.paths)
        try:
            old_sources = sources_at(args.base, paths, cwd=Path.cwd())
        except GitError as error:
            raise UsageError(f"--base {args.base}: {error}") from None
        new_sources = discover(paths)
    else:
        if len(args.paths) != 2:
            raise UsageError("diff takes two model directories (OLD NEW), or --base GITREF [PATH...]")
        old_sources, new_sources = (discover(model_paths(Path(p))) for p in args.paths)
    sides = [load(s, max_bytes=config.max_file_bytes, jobs=1) for s in (old_sources, new_sources)]
    invalid = [(name, side) for name, side in zip(("old", "new"), sides, strict=True) if not side.valid]
    if invalid:
        for name, side in invalid:
            sys.stdout.write(f"the {name} model is invalid:\n")
            sys.stdout.write(REPORTERS["text"](validation_result(side), options=_options(args, "validate")))
        return EXIT_FAIL
    comparison = diff_models(sides[0].model, sides[1].model, config=config, as_of=args.as_of)
    _emit(args, render_comparison(comparison, args.format, _options(args, "diff", sides[1].model)))
    if args.fail_on_new == "never":
        return EXIT_OK
    threshold = Severity(args.fail_on_new).rank
    return EXIT_FAIL if any(f.severity.rank >= threshold for f in comparison.introduced) else EXIT_OK


def cmd_export(args) -> int:
    from egov_align.export import export_graph

    config = _config(args)
    loaded = load_for(args, config, want_model=True)
    if not loaded.valid:
        sys.stdout.write(REPORTERS["text"](validation_result(loaded), options=_options(args, "validate")))
        return EXIT_FAIL
    _emit(args, export_graph(loaded.model, args.format))
    return EXIT_OK


def cmd_schema(args) -> int:
    from egov_align.schema import json_schema

    _emit(args, json.dumps(json_schema(), indent=2) + "\n")
    return EXIT_OK


def cmd_rules(args) -> int:
    from egov_align.rules import RULES, VALIDATION_RULES, summary

    width = max(map(len, [*RULES, *VALIDATION_RULES]))
    lines = ["Analysis rules (DESIGN.md section 4):"]
    lines += [f"  {name:<{width}}  {rule.DEFAULT_SEVERITY.value:<7}  {summary(rule)}" for name, rule in RULES.items()]
    lines += ["", "Validation diagnostics (always errors):"]
    lines += [f"  {name:<{width}}  {'error':<7}  {text}" for name, text in VALIDATION_RULES.items()]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_init(args) -> int:
    from egov_align.scaffold import scaffold

    directory = Path(args.directory)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{args.directory}: exists and is not a directory")
    written, skipped = scaffold(directory)
    for name in written:
        print(f"created {directory / name}")
    for name in skipped:
        print(f"skipped {directory / name} (exists; left as it is)")
    print(f"Next: cd {directory} && egov-align validate && egov-align analyze")
    return EXIT_OK


def cmd_render(args) -> int:
    import shutil

    from egov_align import diagrams
    from egov_align.analyze import analyze

    if args.format != "dot" and shutil.which("dot") is None:
        raise UsageError("svg and png need Graphviz's `dot` program: install Graphviz (apt-get install graphviz, "
                         "brew install graphviz, or graphviz.org/download), or use --format dot")
    if args.format == "png" and not args.output:
        raise UsageError("--format png writes binary data: give -o FILE")
    config = _config(args)
    args.paths = args.model
    loaded = load_for(args, config, want_model=True)
    if not loaded.valid:
        sys.stdout.write(REPORTERS["text"](validation_result(loaded), options=_options(args, "validate")))
        return EXIT_FAIL
    model = loaded.model
    needs_id = {"process": model.processes, "system": model.systems}
    if args.kind in needs_id:
        known = needs_id[args.kind]
        if not args.id or args.id not in known:
            given = f"no {args.kind} {args.id!r}{did_you_mean(args.id, known)}" if args.id else f"name the {args.kind}"
            raise UsageError(f"render {args.kind}: {given}; one of: {', '.join(sorted(known)[:10])}")
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
    if args.format == "dot":
        _emit(args, graph.source)
    elif args.output:
        Path(args.output).write_bytes(graph.pipe(format=args.format))
    else:
        sys.stdout.write(graph.pipe(format="svg", encoding="utf-8"))
    return EXIT_OK


COMMANDS = {"init": cmd_init, "render": cmd_render, "validate": cmd_validate, "analyze": cmd_analyze,
            "diff": cmd_diff, "export": cmd_export, "schema": cmd_schema, "rules": cmd_rules}


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, PathNotFound, ConfigError) as error:
        print(f"egov-align: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("egov-align: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # e.g. -o names a directory that does not exist
        print(f"egov-align: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a bug of ours: one line, and the details on request
        if os.environ.get("EGOV_ALIGN_DEBUG"):
            raise
        print(f"egov-align: internal error: {type(error).__name__}: {error} "
              "(run with EGOV_ALIGN_DEBUG=1 for details, and please report it)", file=sys.stderr)
        return EXIT_USAGE
