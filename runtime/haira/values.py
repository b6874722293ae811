"""Runtime shapes of Haira structs and enums, shared by generated code and the runtime.

Structs compile to plain classes that list their fields, in declaration order, in a class
attribute `__haira_fields__` (a tuple of names); that is all the runtime needs to print,
compare and JSON-encode them. Inheriting from `Struct` is optional (it only supplies the
attribute's annotation and `==`). Enums compile to subclasses of `EnumValue`:

    class Shape(haira.values.EnumValue): ...
    Shape_Dot = Shape("Dot")                 # payload-less variant: one shared value
    Shape("Circle", (2.5,))                  # payload variant, payload in declaration order
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["EnumValue", "Struct", "field_value", "is_struct", "struct_eq", "struct_fields", "struct_items"]


class EnumValue:
    """A Haira enum value: the variant `name` plus its `payload` (empty for plain variants)."""

    __slots__ = ("name", "payload")

    # Payload field names per variant, filled by generated code: {"Circle": ("radius",)}.
    __haira_variants__: ClassVar[dict[str, tuple[str, ...]]] = {}

    name: str
    payload: tuple[object, ...]

    def __init__(self, name: str, payload: tuple[object, ...] = ()) -> None:
        self.name = name
        self.payload = payload

    def field(self, field_name: str) -> object:
        """The payload value bound to `field_name` (for `Circle { radius }` patterns)."""
        names = type(self).__haira_variants__.get(self.name, ())
        return self.payload[names.index(field_name)]

    def __eq__(self, other: object) -> bool:
        # Structural equality (§0 #33): same enum, same variant, equal payloads.
        if not isinstance(other, EnumValue):
            return NotImplemented
        return (
            type(self) is type(other) and self.name == other.name and self.payload == other.payload
        )

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name, self.payload))

    def __str__(self) -> str:
        from haira.rt import fmt

        return fmt(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.__str__()}"


class Struct:
    """Optional base of generated struct classes: Go value equality over the fields."""

    __slots__ = ()
    __haira_fields__: ClassVar[tuple[str, ...]] = ()

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return struct_eq(self, other)

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None  # type: ignore[assignment]  # NOTE: mutable (reference semantics, §0 #6)

    def __str__(self) -> str:
        from haira.rt import fmt

        return fmt(self)


def field_value(v: object, name: str) -> object:
    """Struct field `name` of `v`; a field named like a Python keyword is stored as `name_`."""
    try:
        return getattr(v, name)
    except AttributeError:
        return getattr(v, name + "_")


def struct_fields(v: object) -> tuple[str, ...] | None:
    """The declared field names of a struct value, or None when `v` is not a struct."""
    fields = getattr(type(v), "__haira_fields__", None)
    return fields if isinstance(fields, tuple) else None


def is_struct(v: object) -> bool:
    """Whether `v` is an instance of a generated struct class."""
    return struct_fields(v) is not None


def struct_items(v: object) -> list[tuple[str, object]]:
    """(field name, value) pairs of a struct value in declaration order."""
    fields = struct_fields(v) or ()
    return [(name, field_value(v, name)) for name in fields]


def struct_eq(a: object, b: object) -> bool:
    """Go `==` on two struct values of the same type: every field equal."""
    if type(a) is not type(b):
        return False
    fields = struct_fields(a) or ()
    return all(field_value(a, f) == field_value(b, f) for f in fields)
