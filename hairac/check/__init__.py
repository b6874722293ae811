"""Type inference and checking (language.md §3): `check_program(program, sink)`."""

from hairac.check.checker import check_program
from hairac.check.info import CheckResult

__all__ = ["CheckResult", "check_program"]
