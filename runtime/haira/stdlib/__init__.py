"""The Haira standard library (language.md §6): `import "io"` is `haira.stdlib.io`.

Function `mod.f` is `haira.stdlib.<mod>.<f>`, spelled `f_` only when `f` is a Python keyword.
Functions returning Haira's `(value, error)` pairs return Python tuples
`(value, haira.HairaError | None)`.
"""
