"""egov-align.toml or [tool.egov-align] in pyproject.toml (DESIGN.md section 7)."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from egov_align.names import RULE_NAMES, did_you_mean

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
    fragmentation_min_institutions: int = 3
    coordination_min_share: float = 0.5
    approved_standards: tuple[str, ...] | None = None  # [standards] approved; None: not configured
    policies: tuple = ()  # of policies.Policy
    rules: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # the file the settings came from, for messages
    lang: str | None = field(default=None, repr=False)  # the language of texts for people; not part of an analysis

    @property
    def policy_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.policies)

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)

    def analysis_fingerprint(self) -> str:
        """Every setting that can change an analysis, for the analysis cache's key: `fail_on` only
        decides the exit code (an `analyze --fail-on never` for SARIF and the gate after it share
        one analysis), and `lang` only the words shown."""
        return repr(dataclasses.replace(self, fail_on=""))


_NUMBERS = {
    "overlap-threshold": (float, 0.0, 1.0),
    "vendor-min-systems": (int, 1, 1_000_000),
    "vendor-min-share": (float, 0.0, 1.0),
    "assessment-max-age-days": (int, 0, 36_500),
    "max-file-bytes": (int, 1, 1_000_000_000),
    "fragmentation-min-institutions": (int, 2, 1_000),
    "coordination-min-share": (float, 0.0, 1.0),
}
_ABOVE_LOW = {"overlap-threshold"}  # DESIGN 12: > 0, not >= 0
_NUMBER_WORDS = {int: "a whole number", float: "a number"}


def _bounds(key: str) -> str:
    _kind, low, high = _NUMBERS[key]
    return f"above {low:g} and at most {high:g}" if key in _ABOVE_LOW else f"from {low:,} to {high:,}"


def find_config(directory: Path | None = None) -> tuple[dict, str | None]:
    """The raw settings table and its file name: egov-align.toml first, then pyproject.toml."""
    here = directory is None or Path(directory).resolve() == Path.cwd().resolve()
    directory = directory or Path.cwd()
    own = directory / "egov-align.toml"
    if own.is_file():
        return _read_toml(own), own.name if here else str(own)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("egov-align")
        if table is not None:
            return table, f"{pyproject.name if here else pyproject} [tool.egov-align]"
    return {}, None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None


def load_config(directory: Path | None = None) -> Config:
    table, source = find_config(directory)
    return parse_config(table, source=source)


def parse_config(table: dict, *, source: str | None = None) -> Config:
    where = source or "configuration"
    values: dict = {"source": source}
    if "policies" in table:  # pydantic's schema is needed only then: start-up stays light without
        from egov_align.policies import PolicyError, parse_policies

        try:
            values["policies"] = parse_policies(table["policies"], where)
        except PolicyError as error:
            raise ConfigError(str(error)) from None
    names = (*RULE_NAMES, *(p.name for p in values.get("policies", ())))
    for key, value in table.items():
        if key == "paths":
            values["paths"] = _check_paths(value, where)
        elif key == "fail-on":
            values["fail_on"] = check_choice(value, FAIL_ON, f"{where}: `fail-on`")
        elif key in _NUMBERS:
            kind, low, high = _NUMBERS[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or \
                    (kind is int and not isinstance(value, int)) or not low <= value <= high or \
                    (key in _ABOVE_LOW and value == low):
                raise ConfigError(f"{where}: `{key}` must be {_NUMBER_WORDS[kind]} {_bounds(key)}, not {value!r}")
            values[key.replace("-", "_")] = kind(value)
        elif key == "policies":
            continue
        elif key == "standards":
            values["approved_standards"] = _approved(value, where)
        elif key == "lang":
            from egov_align.i18n import LanguageError, checked

            try:
                values["lang"] = checked(value if isinstance(value, str) else repr(value), f"{where}: `lang`")
            except LanguageError as error:
                raise ConfigError(str(error)) from None
        elif key == "rules":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `[rules]` must be a table of rule = level")
            levels = {}
            for rule, level in value.items():
                if rule not in names:
                    raise ConfigError(f"{where}: unknown rule {rule!r} in [rules]"
                                      f"{did_you_mean(rule, names)}")
                levels[rule] = check_choice(level, LEVELS, f"{where}: rule {rule!r}")
            values["rules"] = levels
        else:
            known = ["paths", "fail-on", "lang", "rules", "standards", "policies", *_NUMBERS]
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, known)}")
    return Config(**values)


def meets_standard(standard: str | None, approved: tuple[str, ...] | None) -> bool:
    """An integration's standard is set, and approved when approved standards are configured (DESIGN 9).

    Compared trimmed and case-insensitively. Shared by non-standard-integration and the
    standardised_integrations metric, which must agree.
    """
    standard = (standard or "").strip().lower()
    return bool(standard) and (approved is None or standard in {a.lower() for a in approved})


def _approved(value: object, where: str) -> tuple[str, ...] | None:
    """`[standards] approved = [...]`: compared trimmed and case-insensitively; `[]` counts as configured."""
    if not isinstance(value, dict) or set(value) - {"approved"}:
        raise ConfigError(f"{where}: `[standards]` takes one key, `approved`, a list of standard names")
    if "approved" not in value:
        return None
    approved = value["approved"]
    if not isinstance(approved, list) or not all(isinstance(a, str) and a.strip() for a in approved):
        raise ConfigError(f"{where}: `[standards] approved` must be a list of standard names, "
                          "e.g. [\"REST/OpenAPI\", \"X-Road\"]")
    return tuple(a.strip() for a in approved)  # as written, for messages; compared case-insensitively


def _check_paths(value: object, where: str) -> tuple[str, ...]:
    """Relative folders inside the repository: a model repository must not make us read elsewhere."""
    if not (isinstance(value, list) and all(isinstance(p, str) for p in value)):
        raise ConfigError(f"{where}: `paths` must be a list of folder names, e.g. paths = [\"models\", \"processes\"]")
    if not value:
        raise ConfigError(f"{where}: `paths` is empty; name at least one folder, e.g. paths = [\"models\"]")
    for path in value:
        pure = PurePosixPath(path.replace("\\", "/"))
        if not path.strip() or pure.is_absolute() or ".." in pure.parts or PureWindowsPath(path).drive:
            raise ConfigError(f"{where}: `paths` entry {path!r} leaves the repository; use folders inside it")
    return tuple(value)


def check_choice(value: object, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise ConfigError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value  # type: ignore[return-value]
