"""`import "strings"` (the DOC spelling) is the same module as `string`."""

from haira.stdlib.string import *  # noqa: F403
from haira.stdlib.string import __all__ as __all__
