"""Function-level scopes (language.md §0 #3): a name assigned anywhere in a function is a
local of that function; lambdas see (and assign through to) their enclosing function.

    scope = Scope(info, parent=None); scope.declare("x", INT); scope.lookup("x") -> (INT, scope)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hairac.check import types as t
from hairac.check.info import FuncInfo


@dataclass(eq=False)
class Scope:
    fn: FuncInfo
    parent: Scope | None = None
    # names a lambda assigns that belong to an enclosing function (emitted as `nonlocal`)
    nonlocals: set[str] = field(default_factory=set)

    def own(self, name: str) -> t.Type | None:
        for pname, ptype in self.fn.params:
            if pname == name:
                return ptype
        return self.fn.locals.get(name)

    def lookup(self, name: str) -> tuple[t.Type, Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            ty = scope.own(name)
            if ty is not None:
                return ty, scope
            scope = scope.parent
        return None

    def set_type(self, name: str, ty: t.Type) -> None:
        for i, (pname, _) in enumerate(self.fn.params):
            if pname == name:
                self.fn.params[i] = (pname, ty)
                return
        self.fn.locals[name] = ty
