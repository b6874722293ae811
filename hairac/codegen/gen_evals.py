"""`eval "name" { agent: A  cases: [...]  threshold: 0.8  parallel: false }` blocks
(reference-runtime.md §8.13): module-level `haira.testing.evals.EvalSpec` values listed in
`__haira_evals__`, for `hairac eval` (runner: `haira.testing.evals`)."""

from __future__ import annotations

from hairac import nodes
from hairac.codegen.context import GenContext
from hairac.codegen.gen_expr import gen_expr, py_str
from hairac.codegen.gen_stmt import emit

# Fields the runtime knows; the rest (e.g. a future `judge:`) are evaluated and ignored.
_KNOWN = ("agent", "cases", "threshold", "parallel")


def gen_evals(ctx: GenContext, evals: list[nodes.EvalDecl]) -> None:
    if not evals:
        return
    mod = ctx.need("haira.testing.evals")
    ctx.em.blank(2)
    ctx.em.line(f"__haira_evals__: typing.Final[list[{mod}.EvalSpec]] = []")
    for item in evals:
        args = [py_str(item.name)]
        for f in item.fields:
            if f.name in _KNOWN:
                args.append(f"{f.name}={emit(ctx, gen_expr(ctx, f.value))}")
        ctx.em.line(f"__haira_evals__.append({mod}.EvalSpec({', '.join(args)}))", pos=ctx.pos(item))
