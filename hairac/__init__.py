"""hairac: the Haira compiler (Haira source -> typed Python -> mypyc native module -> wheel)."""

__version__ = "0.1.0"
