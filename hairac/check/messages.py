"""Every diagnostic text of the resolver and the checker, with its stable code.

E4xx types, E5xx names and imports, E6xx agentic declarations, W4xx-W6xx warnings.
Texts follow language.md §3.4 exactly where it lists them.
"""

from __future__ import annotations

from typing import Final

from hairac.diagnostics.messages import Message

# -- errors: types (language.md §3.4)
REASSIGN_SELF: Final = Message("E400", "cannot reassign self in method")
TYPE_MISMATCH: Final = Message("E401", "type mismatch: expected {expected}, got {got}")
CANNOT_NEGATE: Final = Message("E402", "cannot negate {type}")
UNKNOWN_FIELD: Final = Message("E403", "unknown field '{field}' on type {type}")
REASSIGN_CONST: Final = Message("E404", "cannot reassign const '{name}'")
ASSERT_OUTSIDE_TEST: Final = Message("E405", "assert can only be used inside test blocks")
WRONG_ARITY: Final = Message("E406", "{what} expects {expected} argument{s}, got {got}")
ARG_MISMATCH: Final = Message(
    "E407", "argument '{param}' of {what}: expected {expected}, got {got}"
)
UNKNOWN_PARAM: Final = Message("E408", "{what} has no parameter named '{name}'")
DUP_ARG: Final = Message("E409", "argument '{name}' given more than once")
BAD_OPERANDS: Final = Message("E410", "invalid operation: {left} {op} {right}")
MISSING_RETURN: Final = Message("E411", "missing return at end of function returning {type}")
VOID_VALUE: Final = Message("E412", "{what} returns no value")
UNKNOWN_METHOD: Final = Message("E413", "unknown method '{method}' on type {type}")
NOT_CALLABLE: Final = Message("E414", "cannot call a value of type {type}")
BAD_DESTRUCTURE: Final = Message(
    "E415", "assignment mismatch: {targets} variable{s} but {what} returns {values} value{vs}"
)
UNKNOWN_VARIANT: Final = Message("E416", "enum {enum} has no variant '{variant}'")
VARIANT_NOT_CALLABLE: Final = Message("E417", "variant {enum}.{variant} has no payload")
UNKNOWN_PAYLOAD_FIELD: Final = Message("E418", "variant {variant} has no field '{field}'")
CONST_DIV_ZERO: Final = Message("E419", "division by zero in constant expression")
BAD_CONDITION: Final = Message("E420", "non-bool {type} used as condition")
BAD_PROPAGATE: Final = Message("E421", "'?' needs a (value, error) result or an error, got {type}")
NOT_ITERABLE: Final = Message("E422", "cannot iterate over {type}")
RETURN_MISMATCH: Final = Message("E423", "return type mismatch: expected {expected}, got {got}")
NOT_A_TYPE: Final = Message("E424", "unknown type '{name}'")
BREAK_OUTSIDE_LOOP: Final = Message("E425", "{kw} is not in a loop")
NOT_INDEXABLE: Final = Message("E426", "cannot index {type}")
TOO_MANY_RETURN_VALUES: Final = Message("E427", "too many return values: expected {expected}, got {got}")
CONST_OVERFLOW: Final = Message("E429", "constant overflows int")
NOT_ASSIGNABLE: Final = Message("E428", "cannot assign to {what}")

# -- errors: names and imports (language.md §5, §0 #1, #4)
UNDEFINED_NAME: Final = Message("E500", "undefined: {name}")
UNDEFINED_FUNCTION: Final = Message("E501", "undefined function '{name}'")
DUPLICATE: Final = Message("E502", "duplicate definition of '{name}'")
IMPORT_NOT_FOUND: Final = Message("E503", 'cannot resolve import "{path}": file not found')
IMPORT_CYCLE: Final = Message("E504", 'circular import: "{path}"')
IMPORT_UNREADABLE: Final = Message("E505", 'cannot read "{path}": {reason}')
TOP_LEVEL_STMT: Final = Message("E506", "statements are not allowed at top level")
NOT_EXPORTED: Final = Message("E507", 'module "{path}" has no public item \'{name}\'')
UNKNOWN_STD: Final = Message("E508", "undefined: {module}.{name}")
NO_MAIN: Final = Message("E509", "program has no fn main()")
UNKNOWN_MODULE_MEMBER: Final = Message("E510", "module {module} has no member '{name}'")
METHOD_ON_IMPORTED: Final = Message("E511", "cannot add methods to imported type {type}")

# -- errors: agentic (language.md §3.4, reference-runtime.md)
UNKNOWN_PROVIDER: Final = Message("E600", 'agent "{agent}" references unknown provider "{provider}"')
UNKNOWN_TOOL: Final = Message("E601", 'agent "{agent}" references unknown tool "{tool}"')
MISSING_PROVIDER: Final = Message("E602", "agent \"{agent}\" is missing required field 'provider'")
UNKNOWN_HANDOFF: Final = Message("E603", 'agent "{agent}" handoff target "{target}" is not declared')
UNKNOWN_AGENT_METHOD: Final = Message("E604", "agent {agent} has no method '{method}' (ask, run, stream)")
SESSION_NOT_STRING: Final = Message("E605", "session: must be a string, got {type}")
STREAM_OUTSIDE: Final = Message("E606", "workflow {name} returns stream but returns {got}")
UNKNOWN_AGENT: Final = Message("E608", 'unknown agent "{agent}"')
TOOL_NO_DESCRIPTION: Final = Message("E607", 'tool "{name}" needs a triple-quoted description')

# -- warnings
NON_EXHAUSTIVE: Final = Message("W400", "non-exhaustive match on {enum}: missing {missing}")
CONDITION_NOT_BOOL: Final = Message("W401", "condition should be bool, got {type}")
EMPTY_RETURN: Final = Message("W402", "empty return in function expecting {type}")
UNDEFINED_VARIABLE: Final = Message("W403", "undefined variable '{name}'")
PROPAGATE_OUTSIDE_TRY: Final = Message(
    "W404", "'?' operator used outside a try block -- will panic on error"
)
ASSERT_NOT_BOOL: Final = Message("W405", "assert condition should be bool, got {type}")
UNREACHABLE_ARM: Final = Message("W406", "unreachable match arm after '_'")
UNKNOWN_PROVIDER_FIELD: Final = Message("W600", 'unknown provider field "{field}"')
UNKNOWN_AGENT_FIELD: Final = Message("W601", 'unknown agent field "{field}"')
