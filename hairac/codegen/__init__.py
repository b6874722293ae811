"""Code generation: checked Haira -> typed Python, one module per Haira module."""

from hairac.codegen.gen_module import GeneratedModule, GeneratedProgram, gen_program

__all__ = ["GeneratedModule", "GeneratedProgram", "gen_program"]
