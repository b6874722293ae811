"""Generated code with a type error: the build must say so, not crash."""


def entry() -> int:
    count: int = "three"
    return count
