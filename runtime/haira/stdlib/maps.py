"""`import "maps"` (the DOC spelling) is the same module as `map`."""

from haira.stdlib.map import *  # noqa: F403
from haira.stdlib.map import __all__ as __all__
