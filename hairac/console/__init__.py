"""`hairac console HOST:PORT`: a terminal chat client for a server's streaming workflow."""

from hairac.console.client import Client, ConsoleError, Workflow, base_url
from hairac.console.repl import run_console

__all__ = ["Client", "ConsoleError", "Workflow", "base_url", "run_console"]
