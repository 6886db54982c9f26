"""egov-align.toml or [tool.egov-align] in pyproject.toml (DESIGN.md section 7)."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LEVELS = ("off", "info", "warning", "error")
FAIL_ON = ("error", "warning", "info", "never")


class ConfigError(Exception):
    """A bad configuration file or option: exit 2 with one line."""


@dataclass(frozen=True)
class Config:
    paths: tuple[str, ...] = ("models", "processes")
    fail_on: str = "error"
    overlap_threshold: float = 0.5
    vendor_min_systems: int = 3
    vendor_min_share: float = 0.25
    assessment_max_age_days: int = 365
    max_file_bytes: int = 5_000_000
    rules: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # the file the settings came from, for messages

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)


_NUMBERS = {
    "overlap-threshold": (float, 0.0, 1.0),
    "vendor-min-systems": (int, 1, None),
    "vendor-min-share": (float, 0.0, 1.0),
    "assessment-max-age-days": (int, 0, None),
    "max-file-bytes": (int, 1, None),
}


def find_config(directory: Path | None = None) -> tuple[dict, str | None]:
    """The raw settings table and its file name: egov-align.toml first, then pyproject.toml."""
    directory = directory or Path.cwd()
    own = directory / "egov-align.toml"
    if own.is_file():
        return _read_toml(own), own.name
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("egov-align")
        if table is not None:
            return table, f"{pyproject.name} [tool.egov-align]"
    return {}, None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path.name}: cannot read configuration: {error}") from None


def load_config(directory: Path | None = None) -> Config:
    table, source = find_config(directory)
    return parse_config(table, source=source)


def model_paths(directory: Path) -> list[Path]:
    """The model files of a model repository: its configured paths, else models/ and processes/.

    A directory with neither is taken as a plain directory of model files.
    """
    from egov_align.loader import PathNotFound

    if not directory.exists():
        raise PathNotFound(f"{directory}: no such file or directory")
    if directory.is_dir():
        config = load_config(directory)
        found = [directory / p for p in config.paths if (directory / p).exists()]
        if found:
            return found
    return [directory]


def parse_config(table: dict, *, source: str | None = None) -> Config:
    from egov_align.rules import ALL_RULE_NAMES

    where = source or "configuration"
    values: dict = {"source": source}
    for key, value in table.items():
        if key == "paths":
            if not (isinstance(value, list) and all(isinstance(p, str) for p in value)):
                raise ConfigError(f"{where}: `paths` must be a list of strings")
            values["paths"] = tuple(value)
        elif key == "fail-on":
            values["fail_on"] = check_choice(value, FAIL_ON, f"{where}: `fail-on`")
        elif key in _NUMBERS:
            kind, low, high = _NUMBERS[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    (kind is int and not isinstance(value, int)) or value < low or \
                    (high is not None and value > high):
                bounds = f"between {low} and {high}" if high is not None else f">= {low}"
                raise ConfigError(f"{where}: `{key}` must be a {kind.__name__} {bounds}, not {value!r}")
            values[key.replace("-", "_")] = kind(value)
        elif key == "rules":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `[rules]` must be a table of rule = level")
            levels = {}
            for rule, level in value.items():
                if rule not in ALL_RULE_NAMES:
                    raise ConfigError(f"{where}: unknown rule {rule!r} in [rules]"
                                      f"{did_you_mean(rule, ALL_RULE_NAMES)}")
                levels[rule] = check_choice(level, LEVELS, f"{where}: rule {rule!r}")
            values["rules"] = levels
        else:
            known = ["paths", "fail-on", "rules", *_NUMBERS]
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, known)}")
    return Config(**values)


def check_choice(value: object, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise ConfigError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value  # type: ignore[return-value]


def did_you_mean(word: str, candidates) -> str:
    import difflib

    close = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
