"""haira: the runtime library that programs compiled by hairac import."""

__version__ = "0.1.0"
