"""`python -m haira.testing.fake_anthropic --port N`: the same fake server; point an
Anthropic provider at it with `ANTHROPIC_BASE_URL=http://127.0.0.1:N/v1`."""

from __future__ import annotations

import sys

from haira.testing.fake_openai import main

if __name__ == "__main__":
    sys.exit(main(flavour="Anthropic"))
