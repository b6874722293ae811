"""Workflow runs (`RunRecord`) as rows and JSON, for the shared stores.

The owner of a run is `host:pid`; a run left `running` by a process of this host that is
gone was interrupted by a restart (REF §5.4), like the SQLite store decides by pid.
Processes on other hosts cannot be checked from here and are left alone.
"""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from haira.memory.store import RunRecord

__all__ = ["dumps", "from_row", "orphaned", "owner", "to_row"]



def owner() -> str:
    """This process's owner tag (recomputed: forked workers have their own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def to_row(run: RunRecord) -> tuple[object, ...]:
    """(id, workflow_name, workflow_path, status, params, steps, result, error,
    started_at, finished_at, owner)."""
    return (
        run.id, run.workflow_name, run.workflow_path, run.status, dumps(run.params),
        dumps(run.steps), None if run.result is None else dumps(run.result), run.error,
        run.started_at, run.finished_at, owner(),
    )


def from_row(r: tuple[object, ...]) -> RunRecord:
    from haira.memory.store import RunRecord

    params, steps = json.loads(str(r[4])), json.loads(str(r[5]))
    return RunRecord(
        id=str(r[0]), workflow_name=str(r[1]), workflow_path=str(r[2]), status=str(r[3]),
        started_at=str(r[8]), params=params if isinstance(params, dict) else {},
        steps=steps if isinstance(steps, list) else [],
        result=None if r[6] is None else json.loads(str(r[6])),
        error=None if r[7] is None else str(r[7]),
        finished_at=None if r[9] is None else str(r[9]),
    )


def orphaned(run_owner: str) -> bool:
    """A `running` run of this host whose process is gone (or is this fresh process)."""
    host, _, pid_text = run_owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
