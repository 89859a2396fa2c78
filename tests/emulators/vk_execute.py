"""The execute method for the VKScript that bots actually send: one return of API calls with literal
arguments, alone or in an array, e.g.

    return [API.messages.delete({"peer_id": 2000000001, "cmids": [5], "delete_for_all": 1}),
            API.messages.removeChatUser({chat_id: 1, member_id: 42})];

Values are JSON-like literals (strings in either quotes, numbers, true/false/null, arrays, objects with
bare or quoted keys). Variables, operators, loops and calls inside arguments are not supported: such code
fails with error 12, as code VK cannot compile does. As on VK, a failing call inside yields false and an
entry in execute_errors, and at most 25 calls run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .vk_errors import VkApiError

MAX_CALLS = 25

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<punct>[\[\]{}(),:;.])
    )""",
    re.VERBOSE,
)

Runner = Callable[[str, dict[str, str]], Awaitable[Any]]


@dataclass(frozen=True)
class _Call:
    method: str
    args: dict[str, Any]


@dataclass
class ExecuteResult:
    response: Any
    errors: list[dict[str, Any]] = field(default_factory=list)


def _compile_error(detail: str) -> VkApiError:
    return VkApiError(12, detail)


def _string(token: str) -> str:
    if token.startswith("'"):
        token = '"' + token[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    try:
        return json.loads(token)
    except ValueError:
        raise _compile_error(f"bad string {token}") from None


def _tokens(code: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    code = code.rstrip()
    while position < len(code):
        match = _TOKEN.match(code, position)
        if match is None or match.end() == position:
            raise _compile_error(f"unexpected character at position {position}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, code: str) -> None:
        self.tokens = _tokens(code)
        self.position = 0
        self.calls = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            found = "end of code" if token is None else repr(token[1])
            raise _compile_error(f"expected {expected or 'a value'}, found {found}")
        self.position += 1
        return token

    def program(self) -> Any:
        if self.take()[1] != "return":
            raise _compile_error("only `return <API calls>;` is supported by the emulator")
        value = self.value(allow_calls=True)
        token = self.peek()
        if token == ("punct", ";"):
            self.take(";")
            token = self.peek()
        if token is not None:
            raise _compile_error(f"unexpected {token[1]!r} after the return value")
        return value

    def value(self, *, allow_calls: bool) -> Any:
        kind, text = self.take()
        if kind == "string":
            return _string(text)
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "name":
            if text in {"true", "false", "null"}:
                return {"true": True, "false": False, "null": None}[text]
            if text == "API" and allow_calls:
                return self.call()
            raise _compile_error(f"unsupported name {text!r}")
        if text == "[":
            return self.sequence("]", allow_calls)
        if text == "{":
            return self.mapping()
        raise _compile_error(f"unexpected {text!r}")

    def sequence(self, end: str, allow_calls: bool) -> list[Any]:
        items: list[Any] = []
        while self.peek() != ("punct", end):
            items.append(self.value(allow_calls=allow_calls))
            if self.peek() != ("punct", end):
                self.take(",")
        self.take(end)
        return items

    def mapping(self) -> dict[str, Any]:
        items: dict[str, Any] = {}
        while self.peek() != ("punct", "}"):
            kind, key = self.take()
            if kind == "string":
                key = _string(key)
            elif kind != "name":
                raise _compile_error(f"unexpected {key!r} as an object key")
            self.take(":")
            items[key] = self.value(allow_calls=False)
            if self.peek() != ("punct", "}"):
                self.take(",")
        self.take("}")
        return items

    def call(self) -> _Call:
        parts = []
        while self.peek() == ("punct", "."):
            self.take(".")
            kind, name = self.take()
            if kind != "name":
                raise _compile_error(f"unexpected {name!r} in a method name")
            parts.append(name)
        if len(parts) != 2:
            raise _compile_error("API calls look like API.section.method({...})")
        self.take("(")
        args: dict[str, Any] = {}
        if self.peek() == ("punct", "{"):
            self.take("{")
            args = self.mapping()
        self.take(")")
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise VkApiError(13, "too many API calls")
        return _Call(".".join(parts), args)


def _as_param(value: Any) -> str:
    """An argument as VK receives a form field."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(_as_param(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def execute(code: str, run: Runner) -> ExecuteResult:
    """Parses `code`, then runs its calls in order through `run` (which raises VkApiError on failure)."""
    parsed = _Parser(code).program()
    result = ExecuteResult(None)

    async def evaluate(value: Any) -> Any:
        if isinstance(value, _Call):
            params = {key: _as_param(arg) for key, arg in value.args.items() if arg is not None}
            try:
                return await run(value.method, params)
            except VkApiError as error:
                result.errors.append(
                    {"method": value.method, "error_code": error.code, "error_msg": error.error_msg}
                )
                return False
        if isinstance(value, list):
            return [await evaluate(item) for item in value]
        return value

    result.response = await evaluate(parsed)
    return result
