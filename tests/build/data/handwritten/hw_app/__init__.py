"""Hand-written stand-in for a generated package (the shape codegen emits)."""
