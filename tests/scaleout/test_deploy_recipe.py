"""docs/deploy.md's recipe, run as written: two app processes (two workers each) behind
the balancer, sharing PostgreSQL and Redis; one conversation across them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scaleout_support import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]


def recipe() -> str:
    text = (ROOT / "docs" / "deploy.md").read_text()
    blocks = re.findall(r"<!-- recipe -->\n```sh\n(.*?)```", text, re.S)
    assert len(blocks) == 2, "docs/deploy.md: expected two recipe blocks"
    return "\n".join(blocks)


def test_recipe_works_as_written(pg_url: str, redis_base: str, redis_prefix: str,
                                 tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "HAIRA_DATABASE_URL": pg_url,
        "HAIRA_REDIS_URL": redis_base,
        "HAIRA_REDIS_PREFIX": redis_prefix,
        "HAIRA_CACHE_DIR": str(tmp_path / "cache"),
        "LB": str(free_port()),
        "APP1": str(free_port()),
        "APP2": str(free_port()),
        "MODEL": str(free_port()),
    }
    env.pop("OPENAI_API_KEY", None)
    out = tmp_path / "out.txt"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", recipe()], cwd=ROOT, env=env,
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            code = proc.wait(120)
        finally:
            # The recipe leaves its servers running in the background: stop them all.
            with_group = proc.pid
            with contextlib.suppress(ProcessLookupError):
                os.killpg(with_group, signal.SIGTERM)
            time.sleep(1.0)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(with_group, signal.SIGKILL)
    text = out.read_text(errors="replace")
    assert code == 0, text
    assert text.count("event: done") == 3, text
    assert "event: error" not in text, text
    chat = json.loads(text[text.rindex('{"id"'):].splitlines()[0])
    contents = [m["content"] for m in chat["messages"]]
    assert contents[0::2] == ["Hello", "Tell me more", "Thanks"], chat
    assert all(c.startswith("Echo:") or c for c in contents[1::2])
    assert "Traceback" not in text, text
