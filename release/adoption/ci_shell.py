"""The text CI runs, read without running it: `${{ }}` expressions, `run:` scripts, Makefiles.

Only what can be known from the files is answered. A GitHub expression that needs the
event, a secret or another job's output, a `$(command)`, a pipe or a loop is
`Unexpandable`: the caller reports it instead of guessing.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Unexpandable(Exception):
    """Something in a workflow or script that only the runner can know."""


# --- GitHub expressions --------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[<>!().,\[\]])"
    r"|(?P<name>[A-Za-z_][\w-]*|\*))"
)
#: runner.os for an OS label of `runs-on`.
RUNNER_OS = {"ubuntu": "Linux", "windows": "Windows", "macos": "macOS"}


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise Unexpandable(text)
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


#: A parsed expression, evaluated only when its value is needed (`a && b` skips b when a
#: is false, so a `b` only the runner knows does not matter).
Thunk = Callable[[], Any]


class _Parser:
    """Recursive descent over GitHub's expression grammar (the part workflows use)."""

    def __init__(self, text: str, contexts: Mapping[str, Any]) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.contexts = contexts
        self.text = text

    def peek(self) -> str:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise Unexpandable(self.text)
        self.position += 1
        return self.tokens[self.position - 1]

    def parse(self) -> Thunk:
        value = self.either()
        if self.position != len(self.tokens):
            raise Unexpandable(self.text)
        return value

    def either(self) -> Thunk:
        value = self.both()
        while self.peek() == "||":
            self.take()
            value = _or(value, self.both())
        return value

    def both(self) -> Thunk:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            value = _and(value, self.compare())
        return value

    def compare(self) -> Thunk:
        left = self.unary()
        if self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            operator = self.take()[1]
            right = self.unary()
            return lambda: _compare(left(), operator, right())
        return left

    def unary(self) -> Thunk:
        if self.peek() == "!":
            self.take()
            inner = self.unary()
            return lambda: not _truthy(inner())
        return self.primary()

    def primary(self) -> Thunk:
        kind, text = self.take()
        if kind == "string":
            literal: Any = text[1:-1].replace("''", "'")
        elif kind == "number":
            literal = float(text) if "." in text else int(text)
        elif text == "(":
            value = self.either()
            self.expect(")")
            return value
        elif kind != "name":
            raise Unexpandable(self.text)
        elif self.peek() == "(":
            return self.call(text)
        elif text in ("true", "false", "null"):
            literal = {"true": True, "false": False, "null": None}[text]
        else:
            return self.reference(text)
        return _constant(literal)

    def expect(self, token: str) -> None:
        if self.take()[1] != token:
            raise Unexpandable(self.text)

    def reference(self, name: str) -> Thunk:
        keys: list[Thunk] = []
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                keys.append(_constant(self.take()[1]))
            else:
                keys.append(self.either())
                self.expect("]")
        return lambda: self.lookup(name, keys)

    def lookup(self, name: str, keys: list[Thunk]) -> Any:
        if name not in self.contexts:
            raise Unexpandable(self.text)
        value = self.contexts[name]
        for key in keys:
            if not isinstance(value, Mapping):
                raise Unexpandable(self.text)
            value = value.get(key())
            if isinstance(value, _Unknown):
                raise Unexpandable(self.text)
        return value

    def call(self, name: str) -> Thunk:
        self.expect("(")
        args: list[Thunk] = []
        while self.peek() != ")":
            args.append(self.either())
            if self.peek() == ",":
                self.take()
        self.expect(")")
        return lambda: _function(name.lower(), [arg() for arg in args], self.text)


def _constant(value: Any) -> Thunk:
    return lambda: value


def _or(left: Thunk, right: Thunk) -> Thunk:
    def value() -> Any:
        first = left()
        return first if _truthy(first) else right()

    return value


def _and(left: Thunk, right: Thunk) -> Thunk:
    def value() -> Any:
        first = left()
        return right() if _truthy(first) else first

    return value


class _Known(dict[str, Any]):
    """A context this reading knows: a missing key is null, as on the runner."""


class _Partial(dict[str, Any]):
    """A context this reading knows in part: any other key is the runner's."""

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key, UNKNOWN)


class _Unknown:
    """A value only the runner knows (a matrix dimension built from another job's output)."""


UNKNOWN = _Unknown()


def _function(name: str, args: list[Any], text: str) -> Any:
    status = {"success": True, "always": True, "failure": False, "cancelled": False}
    if name in status and not args:
        return status[name]
    if name == "format" and args:
        template = str(args[0])
        return re.sub(r"\{(\d+)\}", lambda m: _text(args[int(m.group(1)) + 1]), template)
    if name in ("contains", "startswith", "endswith") and len(args) == 2:
        haystack, needle = args
        if isinstance(haystack, list):
            return any(_compare(item, "==", needle) for item in haystack)
        low, part = _text(haystack).lower(), _text(needle).lower()
        return {
            "contains": part in low,
            "startswith": low.startswith(part),
            "endswith": low.endswith(part),
        }[name]
    if name == "fromjson" and len(args) == 1 and isinstance(args[0], str):
        return json.loads(args[0])
    raise Unexpandable(text)


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", 0.0)


def _compare(left: Any, operator: str, right: Any) -> bool:
    def number(value: Any) -> float | None:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None

    a, b = number(left), number(right)
    if a is None or b is None:
        a_text, b_text = _text(left).lower(), _text(right).lower()
        return {"==": a_text == b_text, "!=": a_text != b_text}.get(operator, False)
    return {"==": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[
        operator
    ]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def contexts(
    matrix: Mapping[str, Any], env: Mapping[str, str | None], os_label: str, branch: str
) -> dict[str, Any]:
    """The expression contexts this reading knows: the matrix, env (None: a value only the
    runner knows), the runner's OS, and `github` as for a push to the release branch (the
    checks a merge runs; the rest of `github` is the runner's)."""
    family = next((v for k, v in RUNNER_OS.items() if os_label.startswith(k)), "Linux")
    push = {
        "event_name": "push",
        "ref": f"refs/heads/{branch}",
        "ref_name": branch,
        "ref_type": "branch",
        "head_ref": "",
        "base_ref": "",
    }
    return {
        "matrix": _Known(matrix),
        "env": _Known({k: UNKNOWN if v is None else v for k, v in env.items()}),
        "runner": _Known({"os": family, "arch": "X64"}),
        "github": _Partial(push),
    }


def evaluate(text: str, known: Mapping[str, Any]) -> Any:
    """One expression's value (the `${{ }}` stripped); Unexpandable when the runner decides."""
    return _Parser(text, known).parse()()


_EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def substitute(text: Any, known: Mapping[str, Any]) -> str:
    """A string with every `${{ expr }}` replaced by its value."""
    return _EMBEDDED.sub(lambda match: _text(evaluate(match.group(1), known)), _text(text))


def condition(text: Any, known: Mapping[str, Any]) -> bool:
    """An `if:`; one the runner decides (the event, a secret) counts as true."""
    if isinstance(text, bool):
        return text
    expression = str(text).strip()
    match = _EMBEDDED.fullmatch(expression)
    try:
        return _truthy(evaluate(match.group(1) if match else expression, known))
    except Unexpandable:
        return True


# --- shell ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One simple command a script runs, its words expanded, with its `VAR=value` prefix."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    line: str


@dataclass(frozen=True)
class Unread:
    """A line that cannot be known without running it, and why."""

    line: str
    why: str


@dataclass(frozen=True)
class _Branch:
    """One open `if`: does its current branch run, and has an earlier branch run?"""

    active: bool
    taken: bool


#: Commands that only shape the shell itself.
_SHELL_ONLY = frozenset({"set", "source", ".", "shopt", "trap", "unset", "alias", "true", ":"})
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_]\w*|[@*#?$!0-9]))")


class Shell:
    """A POSIX shell reader: variables, `if [ ... ]`, `&&`, `export`; nothing is run.

    `exists` answers `[ -d PATH ]` and `[ -f PATH ]` (CI's fresh checkout).
    """

    def __init__(self, variables: Mapping[str, str | None], exists: Callable[[str], bool]):
        self.variables: dict[str, str | None] = dict(variables)
        self.exists = exists
        self.exported: dict[str, str] = {}
        self.read: set[str] = set()

    def run(self, text: str) -> Iterator[Call | Unread]:
        """Every command the script would run, in order.

        A variable the script exports and never reads itself is for the commands: it goes
        with each later call (`export COVERAGE_PROCESS_START=...`); `$(pwd)` is the root.
        """
        text = re.sub(r"\$\(pwd\)|\$\{?PWD\}?", ".", text)
        self.read = {m.group(1) for m in re.finditer(r"\$\{?(\w+)", text)}
        branches: list[_Branch] = []
        for line in _logical_lines(text):
            first = line.split(None, 1)[0]
            if first in ("if", "elif", "else", "fi", "then"):
                problem = self._branch(first, line, branches)
                if problem is not None:
                    yield problem
                    return
                continue
            if first in ("for", "while", "until", "case", "function") or line.endswith("()"):
                yield Unread(line, "a loop, case or function: only the shell can follow it")
                return
            if not all(branch.active for branch in branches):
                continue
            if first == "exit":
                return
            for segment in _segments(line):
                if isinstance(segment, Unread):
                    yield segment
                    continue
                yield from self._simple(segment)

    def _branch(self, keyword: str, line: str, branches: list[_Branch]) -> Unread | None:
        """Follow `if/elif/else/fi`; a condition only the runner can decide stops the reading."""
        rest = re.sub(r";?\s*then\s*$", "", line.split(None, 1)[1] if " " in line else "")
        if re.search(r"\bthen\b", rest):
            return Unread(line, "a one-line `if`: only the shell can follow it")
        enclosing = all(branch.active for branch in branches[:-1] if branches)
        if keyword == "fi" and branches:
            branches.pop()
        elif keyword == "else" and branches:
            branches[-1] = _Branch(not branches[-1].taken, True)
        elif keyword in ("if", "elif"):
            if keyword == "if":
                enclosing = all(branch.active for branch in branches)
            outcome = self._test(rest.strip()) if enclosing else False
            if outcome is None:
                return Unread(line, "a condition only the runner can decide")
            if keyword == "if":
                branches.append(_Branch(outcome, outcome))
            elif branches:
                taken = branches[-1].taken
                branches[-1] = _Branch(outcome and not taken, taken or outcome)
        return None

    def _test(self, text: str) -> bool | None:
        """`[ ... ]` / `test ...` with -z -n -d -f -e = == != and `!`; None if unknown."""
        try:
            words = shlex.split(self.expand(text))
        except (Unexpandable, ValueError):
            return None
        if words[:1] in (["["], ["[["]):
            words = words[1:-1]
        elif words[:1] == ["test"]:
            words = words[1:]
        else:
            return None
        negate = words[:1] == ["!"]
        words = words[1:] if negate else words
        result: bool | None = None
        if len(words) == 2 and words[0] in ("-z", "-n"):
            result = (words[1] == "") == (words[0] == "-z")
        elif len(words) == 2 and words[0] in ("-d", "-f", "-e"):
            result = self.exists(words[1])
        elif len(words) == 1:
            result = words[0] != ""
        elif len(words) == 3 and words[1] in ("=", "==", "!="):
            result = (words[0] == words[2]) == (words[1] != "!=")
        return None if result is None else result != negate

    def _simple(self, segment: str) -> Iterator[Call | Unread]:
        try:
            expanded = self.expand(re.sub(r'"\$(?:@|\{@\}|\*)"', "", segment))
            words = shlex.split(_without_redirections(expanded))
        except Unexpandable as exc:
            yield Unread(segment, f"`{exc}` is known only when it runs")
            return
        except ValueError:
            yield Unread(segment, "unbalanced quotes")
            return
        export = words[:1] == ["export"]
        words = words[1:] if export else words
        prefix: list[tuple[str, str]] = []
        while words and _ASSIGNMENT.match(words[0]):
            name, _, value = words.pop(0).partition("=")
            prefix.append((name, value))
        if not words:
            self.variables.update(prefix)
            if export:
                self.exported.update((k, v) for k, v in prefix if k not in self.read)
            return
        if export or words[0] in _SHELL_ONLY:
            return
        yield Call(tuple(words), (*self.exported.items(), *prefix), segment)

    def expand(self, text: str) -> str:
        """$VAR, ${VAR}, ${VAR:-default} outside single quotes; `$(...)` is unknowable."""
        out: list[str] = []
        quote = ""
        position = 0
        while position < len(text):
            char = text[position]
            if char == "'" and quote != '"':
                quote = "" if quote == "'" else "'"
            elif char == '"' and quote != "'":
                quote = "" if quote == '"' else '"'
            elif char == "\\" and quote != "'":
                out.append(text[position : position + 2])
                position += 2
                continue
            elif quote != "'" and (char == "`" or text.startswith("$(", position)):
                raise Unexpandable(text[position:].split(maxsplit=1)[0])
            elif char == "$" and quote != "'":
                match = _VARIABLE.match(text, position)
                if match:
                    value = self._value(match)
                    out.append(value if not quote else value.replace('"', '\\"'))
                    position = match.end()
                    continue
            out.append(char)
            position += 1
        return "".join(out)

    def _value(self, match: re.Match[str]) -> str:
        name = match["plain"] or match["braced"] or ""
        default = None
        for separator in (":-", "-"):
            if separator in name:
                name, default = name.split(separator, 1)
                break
        if name in ("@", "*", "#", "?", "$", "!") or name.isdigit():
            return ""
        value = self.variables.get(name, "")
        if value is None:
            raise Unexpandable(match.group(0))
        return value or (default or "")


#: A here-document's start: `<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"` (not `<<<`, a string).
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)\s*(['\"]?)(\w+)\2")


def _logical_lines(text: str) -> Iterator[str]:
    """Lines with continuations joined and comments, shebangs and blanks dropped; a
    here-document's lines are its command's data (`cat > f <<EOF ... EOF`), not commands."""
    joined = re.sub(r"\\\n\s*", " ", text)
    ending = ""
    for raw in joined.splitlines():
        if ending:
            ending = "" if raw.strip() == ending else ending
            continue
        line = _strip_comment(raw).strip()
        if line:
            heredoc = _HEREDOC.search(line)
            ending = heredoc.group(3) if heredoc else ""
            yield line


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
        elif char == "#" and not quote and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _segments(line: str) -> Iterator[str | Unread]:
    """A line's simple commands: split on `;` and `&&`; `|| true` drops what may fail."""
    if "$(" in line or "`" in line:
        yield Unread(line, "a command substitution: known only when it runs")
        return
    parts = re.split(r"\s*(;|&&|\|\||(?<!\|)\|(?!\|)|(?<![>&])&(?![>&]))\s*", line)
    if _quoted_split(line):
        parts = [line]
    commands, operators = parts[0::2], parts[1::2]
    for index, command in enumerate(commands):
        after = operators[index] if index < len(operators) else ""
        before = operators[index - 1] if index else ""
        if before == "||":
            continue
        if after == "||":
            rest = commands[index + 1].strip()
            if rest in (":", "true", "exit 0"):
                yield Unread(line, "its failure is ignored (|| true): not a check")
            else:
                yield Unread(line, "`a || b`: which runs depends on the first")
            continue
        if after == "|" or before == "|":
            if after == "|":
                yield Unread(line, "a pipe: what it checks depends on the commands together")
            continue
        if after == "&":
            yield Unread(line, "runs in the background")
            continue
        if command.strip():
            yield command.strip()


def _quoted_split(line: str) -> bool:
    """Does an operator character sit inside quotes (then the line is one command)?"""
    quote = ""
    for char in line:
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
        elif quote and char in ";&|":
            return True
    return False


def _without_redirections(text: str) -> str:
    """The command without `> file`, `>> file`, `2>&1`, `< file` (they change no check)."""
    out: list[str] = []
    quote = ""
    position = 0
    while position < len(text):
        char = text[position]
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
        elif not quote and char in "<>":
            while out and (out[-1].isdigit() or out[-1] == "&"):
                out.pop()
            end = re.match(r"[<>&]*\s*(\"[^\"]*\"|'[^']*'|[^\s]+)", text[position:])
            position += end.end() if end else 1
            continue
        out.append(char)
        position += 1
    return "".join(out)


# --- Makefile and justfile -----------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """One target's recipe lines (prefixes `@ - +` removed) and the targets it depends on."""

    lines: tuple[str, ...]
    needs: tuple[str, ...]
    ignored_failures: tuple[str, ...]


_MAKE_VARIABLE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)\s*(?::=|\?=|=|::=)\s*(?P<value>.*)$")
_MAKE_TARGET = re.compile(r"^(?P<names>[^\s:=#][^:=#]*?)\s*::?(?!=)\s*(?P<needs>[^=;#]*)")


def makefile(path: Path) -> dict[str, Recipe]:
    """Targets of a Makefile: `$(VAR)` expanded from its own assignments, `$$` -> `$`."""
    variables: dict[str, str] = {}
    recipes: dict[str, Recipe] = {}
    current: list[str] = []
    for raw in re.sub(r"\\\n", " ", path.read_text(encoding="utf-8")).splitlines():
        if raw.startswith("\t") and current:
            line = _make_expand(raw[1:].strip(), variables)
            ignored = line.lstrip("@+").startswith("-")
            line = line.lstrip("@+-").strip()
            for name in current:
                recipe = recipes[name]
                recipes[name] = Recipe(
                    (*recipe.lines, line) if line and not ignored else recipe.lines,
                    recipe.needs,
                    (*recipe.ignored_failures, line) if ignored else recipe.ignored_failures,
                )
            continue
        line = _strip_comment(raw).rstrip()
        assignment = _MAKE_VARIABLE.match(line)
        target = _MAKE_TARGET.match(line)
        if assignment and not target:
            variables[assignment["name"]] = _make_expand(assignment["value"].strip(), variables)
            current = []
        elif target and not line.startswith((" ", "\t")):
            names = [n for n in target["names"].split() if not n.startswith(".")]
            needs = tuple(target["needs"].split())
            for name in names:
                recipes.setdefault(name, Recipe((), needs, ()))
            current = names
        elif line.strip():
            current = []
    return recipes


def _make_expand(text: str, variables: Mapping[str, str]) -> str:
    text = re.sub(
        r"\$[({](\w+)[)}]", lambda m: variables.get(m.group(1), "$(" + m.group(1) + ")"), text
    )
    return text.replace("$$", "$")


def justfile(path: Path) -> dict[str, Recipe]:
    """Recipes of a justfile: `{{name}}` from its `name := value` assignments."""
    variables: dict[str, str] = {}
    recipes: dict[str, Recipe] = {}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = _strip_comment(raw).rstrip()
        if raw[:1] in (" ", "\t") and current:
            body = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: variables.get(m.group(1), ""), line)
            body = body.strip().lstrip("@-").strip()
            recipe = recipes[current]
            recipes[current] = Recipe((*recipe.lines, body), recipe.needs, ())
            continue
        assignment = re.match(r"^(?:export\s+)?(\w+)\s*:=\s*(.*)$", line)
        recipe_head = re.match(r"^@?(?P<name>[\w-]+)(?P<params>[^:]*):(?!=)(?P<needs>.*)$", line)
        if assignment:
            value = assignment.group(2).strip()
            variables[assignment.group(1)] = value.strip("'\"")
            current = ""
        elif recipe_head and not line.startswith("set "):
            current = recipe_head["name"]
            recipes[current] = Recipe((), tuple(recipe_head["needs"].split()), ())
        elif line.strip():
            current = ""
    return recipes
