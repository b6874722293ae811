"""The interactive loop of `hairac console`: read a line, stream the reply, repeat."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from typing import TextIO

from hairac.console.client import Client, ConsoleError, Workflow
from hairac.console.sse import Event

HELP = """Commands:
  /new            start a new session (the agent forgets this conversation)
  /session [id]   show the session id, or switch to session <id>
  /workflows      list the server's workflows
  /clear          clear the screen
  /help           this help
  /quit, /exit    leave (Ctrl-D works too)
Anything else is sent to the workflow as a message."""


def new_session() -> str:
    return "cli-" + secrets.token_hex(8)


class Renderer:
    """Writes a turn's events as they arrive: text inline, everything else on its own line."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.at_line_start = True

    def _line(self, text: str) -> None:
        if not self.at_line_start:
            self.out.write("\n")
        self.out.write(text + "\n")
        self.out.flush()
        self.at_line_start = True

    def __call__(self, event: Event) -> None:
        data = _json(event.data)
        if event.event == "message":
            content = data.get("content") if isinstance(data, dict) else None
            if isinstance(content, str) and content:
                self.out.write(content)
                self.out.flush()
                self.at_line_start = content.endswith("\n")
        elif event.event == "tool_start" and isinstance(data, dict):
            args = json.dumps(data.get("args", {}), ensure_ascii=False, separators=(", ", ": "))
            self._line(f"[tool] {data.get('tool', '?')} {args}")
        elif event.event == "tool_end" and isinstance(data, dict):
            tool = data.get("tool", "?")
            if data.get("ok", True):
                self._line(f"[tool] {tool}: ok")
            else:
                self._line(f"[tool] {tool} failed: {data.get('error', 'error')}")
        elif event.event == "handoff" and isinstance(data, dict):
            self._line(f"[handoff] {data.get('from', '?')} -> {data.get('to', '?')}")
        elif event.event == "error":
            self.error(_error_text(data))
        elif event.event == "done":
            self.end()

    def error(self, text: str) -> None:
        self._line(f"[error] {text}")

    def end(self) -> None:
        if not self.at_line_start:
            self.out.write("\n")
            self.out.flush()
            self.at_line_start = True


def _json(data: str) -> object:
    try:
        return json.loads(data)
    except ValueError:
        return data


def _error_text(data: object) -> str:
    if isinstance(data, dict):
        code = data.get("code")
        return f"{data.get('error', 'error')}" + (f" ({code})" if code else "")
    return str(data)


def choose_workflow(
    flows: list[Workflow], wanted: str | None, ask: Callable[[str], str]
) -> Workflow:
    """The workflow to chat with: `wanted` (name or path), the only streaming one, or asked."""
    if wanted:
        for wf in flows:
            if wanted in (wf.name, wf.path):
                return wf
        raise ConsoleError(f"no workflow named {wanted!r} (see /workflows)")
    streams = [wf for wf in flows if wf.is_stream]
    if not streams:
        raise ConsoleError("the server has no streaming workflow to chat with")
    if len(streams) == 1:
        return streams[0]
    listing = "\n".join(f"  {i}. {wf.name} ({wf.path})" for i, wf in enumerate(streams, 1))
    while True:
        answer = ask(f"Streaming workflows:\n{listing}\nChoose one [1-{len(streams)}]: ").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(streams):
            return streams[int(answer) - 1]
        for wf in streams:
            if answer in (wf.name, wf.path):
                return wf


class Console:
    def __init__(
        self, client: Client, flows: list[Workflow], workflow: Workflow, *,
        out: TextIO, read: Callable[[str], str], interactive: bool,
    ) -> None:  # fmt: skip
        self.client = client
        self.flows = flows
        self.workflow = workflow
        self.session = new_session()
        self.out = out
        self.read = read
        self.interactive = interactive

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def loop(self) -> int:
        wf = self.workflow
        self.say(f"Connected to {self.client.base}: {wf.name} ({wf.method} {wf.path})")
        self.say(f"Session: {self.session}")
        self.say("Type /help for commands, /quit to leave.")
        while True:
            try:
                line = self.read("you> " if self.interactive else "")
            except EOFError:
                return 0
            except KeyboardInterrupt:
                self.say("")
                return 0
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if self.command(line) is not None:
                    return 0
                continue
            self.turn(line)

    def turn(self, message: str) -> None:
        render = Renderer(self.out)
        try:
            self.client.chat(self.workflow, message, self.session, render)
        except ConsoleError as exc:
            render.error(str(exc))
        except KeyboardInterrupt:
            # Leaving the `with` closed the request; the server keeps the partial reply.
            render.end()
            self.say("[interrupted]")

    def command(self, line: str) -> int | None:
        """Run a slash command; an int means leave with that status."""
        name, _, arg = line.partition(" ")
        arg = arg.strip()
        if name in ("/quit", "/exit"):
            return 0
        if name == "/help":
            self.say(HELP)
        elif name == "/new":
            self.session = new_session()
            self.say(f"New session: {self.session}")
        elif name == "/session":
            if arg:
                self.session = arg
            self.say(f"Session: {self.session}")
        elif name == "/workflows":
            self.workflows()
        elif name == "/clear":
            if self.interactive:
                self.out.write("\x1b[2J\x1b[H")
                self.out.flush()
        else:
            self.say(f"Unknown command: {name} (type /help)")
        return None

    def workflows(self) -> None:
        try:
            self.flows = self.client.workflows()
        except ConsoleError as exc:
            self.say(f"[error] {exc}")
            return
        for wf in self.flows:
            mark = "*" if wf.path == self.workflow.path else " "
            kind = "stream" if wf.is_stream else "json"
            self.say(f"{mark} {wf.name}  {wf.method} {wf.path}  ({kind})")


def run_console(
    target: str, client: Client, *, wanted: str | None = None,
    out: TextIO = sys.stdout, read: Callable[[str], str] = input, interactive: bool = False,
) -> int:  # fmt: skip
    try:
        flows = client.workflows()
        wf = choose_workflow(flows, wanted, read)
    except ConsoleError as exc:
        print(f"hairac console: {exc}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        return 1
    return Console(client, flows, wf, out=out, read=read, interactive=interactive).loop()
