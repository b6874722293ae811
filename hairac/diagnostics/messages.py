"""The message registry: every diagnostic the front end emits, by code.

Keeping the texts in one place keeps them consistent and lets tests and docs
enumerate them. Codes: E1xx lexical, E2xx syntax, E3xx structure, W... warnings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Message:
    code: str
    template: str

    def format(self, **values: object) -> str:
        return self.template.format(**values)


def _m(code: str, template: str) -> Message:
    message = Message(code, template)
    REGISTRY[code] = message
    return message


REGISTRY: dict[str, Message] = {}

# Input and lexical structure.
UNDECODABLE = _m("E100", "file is not valid UTF-8 (invalid byte 0x{byte:02x})")
UNREADABLE = _m("E101", "cannot read {path!r}: {reason}")
NUL_BYTE = _m("E102", "unexpected NUL byte in source")
BAD_CHARACTER = _m("E103", "unexpected character {char}")
UNTERMINATED_STRING = _m("E104", "unterminated string literal")
UNTERMINATED_TRIPLE = _m("E105", 'unterminated triple-quoted string (missing closing """)')
UNTERMINATED_COMMENT = _m("E106", "unterminated block comment")
UNTERMINATED_INTERP = _m("E107", "unterminated '${{' interpolation in string")
BAD_NUMBER = _m("E108", "malformed number literal {text}")
INT_OUT_OF_RANGE = _m("E109", "integer literal {text} does not fit in a 64-bit signed int")
BAD_INTERP = _m("E110", "invalid expression in '${{...}}' interpolation")

# Syntax.
UNEXPECTED_TOKEN = _m("E200", "expected {expected}, found {found}")
UNEXPECTED_EOF = _m("E201", "unexpected end of file, expected {expected}")
UNCLOSED = _m("E202", "unclosed '{open}'")
UNMATCHED_CLOSE = _m("E203", "unmatched '{close}'")
TOO_DEEP = _m("E204", "{what} nested too deeply")
NOT_ASSIGNABLE = _m("E205", "expected assignable expression")
REST_NOT_LAST = _m("E206", "rest parameter must be last")
EXPECTED_WORKFLOW_OR_TOOL = _m("E207", "expected workflow or tool after decorator")
DECORATOR_ON_STEP_ONLY = _m("E208", "decorator can only precede step inside workflow")
MISPLACED_HOOK = _m("E209", "'{hook}' is only allowed at the start of a workflow or step body")
MISPLACED_TOOL_HOOK = _m("E210", "'@{hook}' is only allowed in a tool body")
BAD_TOOL_HOOK = _m("E211", "unknown tool hook '@{hook}' (expected @before or @after)")
STRUCT_LIT_NAME = _m("E212", "a struct literal needs a type name, found {found}")
BAD_TARGET_TYPE = _m("E213", "only a plain variable can have a type annotation")
TOO_MANY_ERRORS = _m("E299", "too many errors, stopping here")

# Top-level structure.
TOP_LEVEL_STMT = _m("E300", "statement not allowed at top level")
