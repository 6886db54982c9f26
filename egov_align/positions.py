"""YAML text -> plain data plus the line and column of its nodes (the dagster way).

PyYAML's libyaml composer gives nodes with marks; we walk them ourselves, without
recursion (20,000 nested brackets must not overflow), to build plain Python data and, on
the side, a table `path -> (line, column)`. Positions never enter the data.

The fast mode keeps only the positions of containers near the top (elements, steps,
holdings): enough to place analysis findings. When a file has a problem, the loader parses
it again in full mode, which also records every scalar and every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from egov_align.i18n import N_, Said, Text, said

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is missing on this platform
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_FAST_DEPTH = 4
# Fields whose values are references: their positions are kept in the fast pass too, so an
# unknown reference is located without parsing the file a second time.
REFERENCE_KEYS = frozenset({"owner", "provider", "parent", "from", "to", "via", "service", "performer", "entity",
                            "capabilities", "needs", "reads", "writes", "systems", "data"})
_ALIAS_SLACK = 10_000
MAX_DEPTH = 64  # a model file needs about 6 levels; 20,000 nested brackets must not reach pydantic

Path = tuple  # of str keys and int indices
LineCol = tuple[int, int]


@dataclass
class Problem:
    """A parse-level diagnostic before it knows its file: rule, message, 1-based place."""

    rule: str
    message: str
    line: int
    column: int


@dataclass
class ParsedYaml:
    data: object = None
    positions: dict[Path, LineCol] = field(default_factory=dict)
    key_positions: dict[Path, LineCol] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def lookup(self, loc: Path, *, prefer_key: bool = False) -> LineCol:
        """The nearest recorded position at `loc` or, walking up, at an ancestor."""
        loc = tuple(loc)
        if prefer_key and loc in self.key_positions:
            return self.key_positions[loc]
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))


class _FastLoader(_Loader):
    """The libyaml loader with the same tag resolution, minus its per-node Python overhead.

    libyaml calls back into Python to resolve every node's tag. We have no path resolvers,
    so those hooks are no-ops, and plain scalars repeat a lot (ids, statuses, roles), so
    their tags are memoised per file. The answers are exactly Resolver.resolve's.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}

    def descend_resolver(self, current_node, current_index) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor used only to turn scalar nodes into values."""


_CONSTRUCTOR = _Constructor()
_SCALAR_BUILDERS = _CONSTRUCTOR.yaml_constructors


def _place(node: yaml.Node) -> LineCol:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> object:
    if node.tag == _STR:
        return node.value
    builder = _SCALAR_BUILDERS.get(node.tag)
    if builder is None:
        raise _NodeError(node, f"unsupported YAML tag {node.tag!r}")
    try:
        return builder(_CONSTRUCTOR, node)
    except Exception as error:  # noqa: BLE001 - PyYAML's constructors fail in many ways on tagged text
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        what = str(error) if isinstance(error, (yaml.YAMLError, ValueError)) else f"it is not a valid {tag}"
        raise _NodeError(node, f"cannot read this value: {what}") from None


class _NodeError(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def _mapping_pairs(node: yaml.MappingNode, allowance: list[int]) -> tuple[list, list]:
    """Explicit pairs and pairs merged in with `<<` (explicit keys win).

    Merged pairs are counted against the same budget as alias expansion before they are
    built: nine levels of `<<: [*prev, *prev, ...]` would otherwise make a billion pairs.
    """
    explicit, merged = [], []
    pending = [(node, 0)]
    first = True
    while pending:
        current, depth = pending.pop()
        for key, value in current.value:
            if key.tag != _MERGE:
                (explicit if first else merged).append((key, value))
                continue
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            allowance[0] -= len(sources)
            for source in reversed(sources):
                if not isinstance(source, yaml.MappingNode) or depth > 50:
                    raise _NodeError(source, "a merge key `<<` takes a mapping or a list of mappings")
                allowance[0] -= len(source.value)
                if allowance[0] < 0:
                    raise _NodeError(source, "merge keys (`<<`) expand this file too far (a merge bomb?); "
                                             "write the values out instead")
                pending.append((source, depth + 1))
        first = False
    return explicit, merged


def _syntax_problem(error: yaml.MarkedYAMLError, text: str) -> Problem:
    """yaml-syntax at the parser's problem mark, saying where an unclosed construct began.

    When the parser only notices at the end of the file (an unclosed `[` or quote), the
    diagnostic points at where the construct opened, a line that exists and can be quoted.
    """
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = str(error.problem or error)
    message = _libyaml_words(problem)
    context = error.context_mark
    if problem.startswith("could not find expected ':'") and context is not None:  # `name Ministry`
        return Problem("yaml-syntax", _with_hint(message, Text(N_("a field needs ': ' between its name and its "
                                                                  "value"))), context.line + 1, context.column + 1)
    at_end = mark is not None and mark.index >= len(text.rstrip())
    if at_end and error.context and context is not None:
        what = error.context.removeprefix("while parsing ").removeprefix("while scanning ").removeprefix("a ")
        return Problem("yaml-syntax", said(N_("{problem}: the {what} that starts here is never closed before the end "
                                              "of the file (line {line})"),
                                           problem=message, what=_libyaml_words(what),
                                           line=text.rstrip().count("\n") + 1), context.line + 1, context.column + 1)
    if error.context and context is not None and (context.line, context.column) != (line - 1, column - 1):
        message = Text.of(N_("{problem} ({context} started at line {line}, column {column})"), problem=message,
                          context=_libyaml_words(error.context), line=context.line + 1, column=context.column + 1)
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        message = Text.of(N_("{problem} (a tab: YAML allows only spaces for indentation)"), problem=message)
    elif mark is not None:
        hint = _likely_mistake(problem, text, mark.index)
        message = Text.of("{problem}; {hint}", problem=message, hint=hint) if hint else message
    return Problem("yaml-syntax", message if type(message) is str else Said(message), line, column)


# libyaml's commonest complaints, and the constructs it names, in its own words: the English
# ids, so English output keeps them as they are and a reader in Kiswahili gets them translated.
# A brace is doubled in an id (it is a template); anything else libyaml says stays English.
_LIBYAML = {words.replace("{{", "{").replace("}}", "}"): words for words in (
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("did not find expected key"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}}'"),
    N_("did not find expected node content"),
    N_("did not find expected <document start>"),
    N_("could not find expected ':'"),
    N_("found character that cannot start any token"),
    N_("found a tab character that violates indentation"),
    N_("found unexpected end of stream"),
    N_("found unknown escape character"),
    N_("found undefined alias"),
    N_("but found another document"),
    N_("while parsing a block collection"),
    N_("while parsing a block mapping"),
    N_("while parsing a block node"),
    N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"),
    N_("while parsing a quoted scalar"),
    N_("while parsing a node"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a plain scalar"),
    N_("while scanning a simple key"),
    N_("while scanning for the next token"),
    N_("expected a single document in the stream"),
    N_("flow sequence"),
    N_("flow mapping"),
    N_("quoted scalar"),
    N_("block mapping"),
)}


def _libyaml_words(words: str) -> Text | str:
    known = _LIBYAML.get(words)
    return Text(known) if known is not None else words


def _with_hint(message: Text | str, hint: Text) -> Said:
    """libyaml's words (translated where known), then the likely mistake in the reader's language."""
    return Said(Text.of("{problem}; {hint}", problem=message, hint=hint))


def _clipped(value: str, limit: int = 60) -> str:
    """A value quoted back in a message: a line of a megabyte stays in the file."""
    return value if len(value) <= limit else value[:limit] + "…"


def _likely_mistake(problem: str, text: str, index: int) -> Text | None:
    """What a planner most likely wrote, in their words, for PyYAML's commonest complaints."""
    line_start, line_end = text.rfind("\n", 0, index) + 1, text.find("\n", index)
    before, rest = text[line_start:index], text[index:line_end if line_end >= 0 else len(text)].strip()
    if problem.startswith("mapping values are not allowed"):
        _key, separator, value = before.partition(": ")
        if separator and value.strip():  # `name: Ministry: Finance`
            return Text.of(N_("a value holding ': ' must be quoted, e.g. \"{value}\""),
                           value=_clipped(value.strip() + rest))
        return Text(N_("this line is indented further than the one above it: line the fields of one element up"))
    if problem.startswith("did not find expected '-' indicator"):
        return Text(N_("the fields of one list item line up under its first one, past the '- '"))
    if problem == "found character that cannot start any token" and rest:
        return Text.of(N_("a value starting with '{character}' must be quoted, e.g. \"{value}\""),
                       character=rest[0], value=_clipped(rest))
    if problem == "but found another document":
        return Text(N_("a model file holds one YAML document: remove the `---` line, or move what follows it to a "
                       "file of its own"))
    return None


def parse_yaml(text: str, *, full: bool = False) -> ParsedYaml:
    """Parse one YAML document; syntax errors and duplicate keys become problems."""
    result = ParsedYaml()
    loader = _FastLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        result.problems.append(_syntax_problem(error, text))
        return result
    except yaml.YAMLError as error:  # reader errors carry a character offset, not a mark
        position = getattr(error, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        result.problems.append(Problem("yaml-syntax", str(error).split("\n")[0], line, column))
        return result
    finally:
        loader.dispose()
    if root is None:
        return result
    try:
        result.data = _walk(root, result, full=full, budget=len(text) + _ALIAS_SLACK,
                            has_anchors="&" in text)
    except _NodeError as error:
        line, column = _place(error.node)
        result.problems.append(Problem("schema", error.message, line, column))
        result.data = None
    return result


def _walk(root: yaml.Node, result: ParsedYaml, *, full: bool, budget: int,
          has_anchors: bool) -> object:
    positions, key_positions, problems = result.positions, result.key_positions, result.problems
    visited = 0
    allowance = [budget]  # merged pairs built, across the whole file
    if isinstance(root, yaml.ScalarNode):
        positions[()] = _place(root)
        return _scalar(root)
    top: dict | list = {} if isinstance(root, yaml.MappingNode) else []
    stack = [(root, top, ())]
    while stack:
        node, container, path = stack.pop()
        visited += 1
        if has_anchors and visited > budget:
            raise _NodeError(node, "aliases expand this file too far (an alias bomb?); "
                                   "write the values out instead")
        if len(path) > MAX_DEPTH:
            raise _NodeError(node, f"nested more than {MAX_DEPTH} levels deep; a model file needs only a few")
        record = full or len(path) <= _FAST_DEPTH
        if record:
            positions[path] = _place(node)
        if isinstance(node, yaml.SequenceNode):
            items = node.value
            if has_anchors:
                visited += len(items)
            keep_items = full or (bool(path) and path[-1] in REFERENCE_KEYS)
            for index, item in enumerate(items):
                child_path = path + (index,)
                if isinstance(item, yaml.ScalarNode):
                    if keep_items:
                        positions[child_path] = _place(item)
                    container.append(_scalar(item))
                else:
                    child = {} if isinstance(item, yaml.MappingNode) else []
                    container.append(child)
                    stack.append((item, child, child_path))
            continue
        explicit, merged = _mapping_pairs(node, allowance)
        if has_anchors:
            visited += len(explicit) + len(merged)
        first_seen: dict = {}
        for number, (key_node, value_node) in enumerate(explicit + merged):
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NodeError(key_node, "a mapping key must be a plain value, not a list or mapping")
            key = _scalar(key_node)
            if not isinstance(key, str):
                key = key_node.value  # `no:` or `1:` as a key means the text, not False or 1
            if key in container:
                if number < len(explicit):
                    line, column = _place(key_node)
                    problems.append(Problem(
                        "duplicate-key",
                        said(N_("key {key} appears again in this mapping (first at line {first}); YAML would "
                                "silently keep only the last value"), key=repr(key), first=first_seen[key]),
                        line, column))
                continue
            first_seen[key] = key_node.start_mark.line + 1
            child_path = path + (key,)
            if record:
                key_positions[child_path] = _place(key_node)
            if isinstance(value_node, yaml.ScalarNode):
                if full or key in REFERENCE_KEYS:
                    positions[child_path] = _place(value_node)
                container[key] = _scalar(value_node)
            else:
                child = {} if isinstance(value_node, yaml.MappingNode) else []
                container[key] = child
                stack.append((value_node, child, child_path))
    return top
